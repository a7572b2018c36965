"""The list of speakers of an agenda item: asking to speak and withdrawing, the chair giving the floor
and ending a speech, closing the list, and the factions' speaking time.

Two deputies asking at once are both placed: the item's row is locked while a place is numbered,
and a deputy asking twice at once gets one place (a unique constraint on waiting requests).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.deliberation.models import AgendaItem, FactionBudget, Speech
from councils.deliberation.selectors.sittings import procedure_for, seat_of, speakers
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_DEPUTY,
    lock_item,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)
from councils.federation.models import Faction

ALREADY_WAITING = "You are already on the list of speakers of this item."
LIST_CLOSED = "The list of speakers of this item is closed."
BUDGET_SPENT = "The speaking time of %(faction)s on this item is used up."


def _record(item: AgendaItem, actor: Actor, change: str, speech: Speech | None, at: datetime | None) -> None:
    sitting = item.sitting
    event_record(
        organization=sitting.organization,
        kind="speakers.changed",
        actor=actor,
        target=item,
        data={
            "item": item.pk,
            "number": item.number,
            "change": change,
            "speech": speech.pk if speech else None,
            "member": speech.member_id if speech else None,
            "name": speech.member.name if speech else "",
        },
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)


@transaction.atomic
def speech_request(
    *,
    actor: Actor,
    item: AgendaItem,
    kind: str = Speech.Kind.SPEECH,
    stance: str = "",
    at: datetime | None = None,
) -> Speech:
    """A deputy asks to speak on ``item`` (a speech, for or against, or a point of order, which goes
    before every other waiting speaker). Refused when the list is closed (not for a point of order),
    when the deputy is already waiting, or when their faction's time on the item is used up."""
    require(actor, "deliberation.speak", item, NOT_DEPUTY)
    item = lock_item(item)
    sitting = item.sitting
    require_not_closed(sitting)
    if kind not in Speech.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of request: %(kind)s.") % {"kind": kind}})
    if stance not in Speech.Stance.values:
        raise ValidationError({"stance": _("A stance is for, against, or none.")})
    if item.state == AgendaItem.State.DONE:
        raise ValidationError({"item": _("This item is done.")})
    if item.speakers_closed and kind != Speech.Kind.POINT_OF_ORDER:
        raise ValidationError({"item": _(LIST_CLOSED)})
    moment = moment_of(at)
    seat = seat_of(user=actor, council=sitting.council, at=moment)
    if seat is None:
        raise ValidationError({"item": _(NOT_DEPUTY)})
    faction = seat.faction
    if faction is not None and kind == Speech.Kind.SPEECH:
        budget = next((b for b in speakers(item=item).budgets if b.faction.pk == faction.pk), None)
        if budget is not None and budget.remaining <= 0:
            raise ValidationError({"item": _(BUDGET_SPENT) % {"faction": faction.name}})
    position = (Speech.objects.filter(item=item).aggregate(m=Max("position"))["m"] or 0) + 1
    speech = Speech(
        item=item,
        member=seat.holder,
        seat=seat,
        faction=faction,
        kind=kind,
        stance=stance,
        position=position,
        requested_at=moment,
    )
    try:
        with transaction.atomic():
            speech.save()
    except IntegrityError:
        raise ValidationError({"item": _(ALREADY_WAITING)}) from None
    _record(item, actor, "requested", speech, at)
    return speech


@transaction.atomic
def speech_withdraw(*, actor: Actor, speech: Speech, at: datetime | None = None) -> Speech:
    """A waiting speaker withdraws (or the chair takes them off the list)."""
    item = lock_item(speech.item)
    speech = Speech.objects.select_for_update().select_related("member").get(pk=speech.pk)
    own = speech.member.user_id == getattr(actor, "pk", None)
    if not own:
        require(actor, "deliberation.chair", item, NOT_CHAIR)
    if not speech.waiting:
        raise ValidationError({"speech": _("Only a waiting request can be withdrawn.")})
    speech.withdrawn_at = moment_of(at)
    speech.save(update_fields=["withdrawn_at"])
    _record(item, actor, "withdrawn", speech, at)
    return speech


def _end_current(item: AgendaItem, moment: datetime) -> Speech | None:
    current = (
        Speech.objects.select_for_update()
        .filter(item=item, started_at__isnull=False, ended_at__isnull=True)
        .select_related("member")
        .first()
    )
    if current is not None:
        current.ended_at = max(moment, current.started_at or moment)
        current.save(update_fields=["ended_at"])
    return current


@transaction.atomic
def speech_start(
    *, actor: Actor, item: AgendaItem, speech: Speech | None = None, at: datetime | None = None
) -> Speech:
    """The chair gives the floor: to ``speech``, or to the next waiting speaker in order. A speech
    going on ends. The countdown is the council's speaking time (or its time for a point of order),
    and no more than what is left of the speaker's faction's time on the item."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    item = lock_item(item)
    require_not_closed(item.sitting)
    if item.state != AgendaItem.State.CURRENT:
        raise ValidationError({"item": _("Give the floor on the item under discussion.")})
    moment = moment_of(at)
    procedure = procedure_for(council=item.sitting.council)
    _end_current(item, moment)
    listing = speakers(item=item, procedure=procedure, now=moment)
    if speech is None:
        if not listing.waiting:
            raise ValidationError({"item": _("Nobody is waiting to speak.")})
        row = listing.waiting[0]
    else:
        found = next((r for r in listing.waiting if r.speech.pk == speech.pk), None)
        if found is None:
            raise ValidationError({"speech": _("This speaker is not waiting on this item's list.")})
        row = found
    chosen = Speech.objects.select_for_update().get(pk=row.speech.pk)
    allotted = (
        procedure.point_of_order_seconds
        if chosen.kind == Speech.Kind.POINT_OF_ORDER
        else procedure.speaking_seconds
    )
    if chosen.kind == Speech.Kind.SPEECH and chosen.faction_id is not None:
        budget = next((b for b in listing.budgets if b.faction.pk == chosen.faction_id), None)
        if budget is not None:
            if budget.remaining <= 0:
                raise ValidationError({"speech": _(BUDGET_SPENT) % {"faction": budget.faction.name}})
            allotted = min(allotted, budget.remaining)
    chosen.started_at, chosen.allotted_seconds = moment, allotted
    chosen.save(update_fields=["started_at", "allotted_seconds"])
    chosen.member = row.speech.member
    _record(item, actor, "started", chosen, at)
    return chosen


@transaction.atomic
def speech_end(*, actor: Actor, item: AgendaItem, at: datetime | None = None) -> Speech:
    """The chair ends the current speech."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    item = lock_item(item)
    ended = _end_current(item, moment_of(at))
    if ended is None:
        raise ValidationError({"item": _("Nobody is speaking.")})
    _record(item, actor, "ended", ended, at)
    return ended


@transaction.atomic
def speech_move(*, actor: Actor, speech: Speech, place: int) -> Speech:
    """The chair moves a waiting speaker to ``place`` (0: first) in the order of request. Points of
    order still go first, and first-time speakers first where the rule says so: the move orders the
    speakers within those groups."""
    require(actor, "deliberation.chair", speech, NOT_CHAIR)
    item = lock_item(speech.item)
    waiting = list(
        Speech.objects.select_for_update()
        .filter(item=item, started_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("member")
        .order_by("position", "pk")
    )
    moved = next((s for s in waiting if s.pk == speech.pk), None)
    if moved is None:
        raise ValidationError({"speech": _("Only a waiting speaker can be moved.")})
    waiting.remove(moved)
    waiting.insert(max(0, min(place, len(waiting))), moved)
    # New positions after every existing one, in the new order: the order of those who spoke stays.
    top = Speech.objects.filter(item=item).aggregate(m=Max("position"))["m"] or 0
    for offset, row in enumerate(waiting, start=1):
        row.position = top + offset
    Speech.objects.bulk_update(waiting, ["position"])
    _record(item, actor, "moved", moved, None)
    return moved


@transaction.atomic
def speakers_close(*, actor: Actor, item: AgendaItem, closed: bool = True) -> AgendaItem:
    """The chair closes (or reopens) the list of speakers: only points of order are taken while closed."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    item = lock_item(item)
    item.speakers_closed = closed
    item.save(update_fields=["speakers_closed"])
    _record(item, actor, "closed" if closed else "reopened", None, None)
    return item


@transaction.atomic
def speaking_time_set(*, actor: Actor, item: AgendaItem, faction: Faction, seconds: int) -> FactionBudget:
    """Give a faction a speaking-time budget on an item (its speakers' countdowns share it)."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    item = lock_item(item)
    if faction.organization_id != item.sitting.organization_id:
        raise ValidationError({"faction": _("The faction belongs to another organization.")})
    if seconds < 0:
        raise ValidationError({"seconds": _("A speaking time cannot be negative.")})
    budget, _created = FactionBudget.objects.update_or_create(
        item=item, faction=faction, defaults={"seconds": seconds}
    )
    event_record(
        organization=item.sitting.organization,
        kind="speaking_time.set",
        actor=actor,
        target=item,
        data={
            "item": item.pk,
            "number": item.number,
            "faction": faction.pk,
            "seconds": seconds,
            "faction_name": faction.name,
        },
        owner=item.sitting,
    )
    publish_sitting(item.sitting)
    return budget
