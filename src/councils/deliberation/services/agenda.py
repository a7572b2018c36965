"""The agenda: adding items, moving through them (each item's clock), finishing them."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    AgendaItem,
    Motion,
    MotionStateChange,
    Sitting,
)
from councils.deliberation.selectors.sittings import procedure_for
from councils.deliberation.services._common import (
    NOT_CHAIR,
    full_clean,
    lock_item,
    lock_sitting,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)


def _stop_item(item: AgendaItem, moment: datetime, *, done: bool) -> None:
    """Stop an item's clock (its present run is added to its used time)."""
    if item.started_at is not None:
        item.used_seconds += max(0, int((moment - item.started_at).total_seconds()))
    item.started_at = None
    item.state = AgendaItem.State.DONE if done else AgendaItem.State.PENDING
    item.save(update_fields=["used_seconds", "started_at", "state"])


@transaction.atomic
def agenda_item_add(
    *,
    actor: Actor,
    sitting: Sitting,
    kind: str,
    title: str = "",
    motion: Motion | None = None,
    planned_seconds: int = 0,
    at: datetime | None = None,
) -> AgendaItem:
    """Add an item at the end of a sitting's agenda; a motion put on the agenda changes state."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    if kind not in AgendaItem.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of item: %(kind)s.") % {"kind": kind}})
    if motion is not None:
        if motion.council_id != sitting.council_id:
            raise ValidationError({"motion": _("The motion was submitted to another council.")})
        if motion.state not in (Motion.State.SUBMITTED, Motion.State.REFERRED, Motion.State.ON_AGENDA):
            raise ValidationError(
                {
                    "motion": _("A motion %(state)s cannot be put on the agenda.")
                    % {"state": motion.get_state_display()}
                }
            )
        procedure = procedure_for(council=sitting.council)
        if motion.submitter_id is not None and motion.supports.count() < procedure.motion_supporters:
            raise ValidationError(
                {
                    "motion": _("The motion has %(n)s supporters; the council's rule asks for %(needed)s.")
                    % {"n": motion.supports.count(), "needed": procedure.motion_supporters}
                }
            )
        title = title or motion.title
    if not title.strip():
        raise ValidationError({"title": _("An agenda item needs a title.")})
    number = (sitting.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = AgendaItem(
        sitting=sitting,
        number=number,
        kind=kind,
        title=title.strip(),
        motion=motion,
        planned_seconds=planned_seconds,
    )
    full_clean(item)
    item.save()
    if motion is not None and motion.state != Motion.State.ON_AGENDA:
        previous = motion.state
        motion.state = Motion.State.ON_AGENDA
        motion.save(update_fields=["state"])
        MotionStateChange.objects.create(
            motion=motion,
            state=motion.state,
            at=moment_of(at),
            actor=actor if is_person(actor) else None,
            note=_("item %(n)s of %(sitting)s (was %(previous)s)")
            % {"n": number, "sitting": sitting.title, "previous": previous},
        )
    event_record(
        organization=sitting.organization,
        kind="agenda.item_added",
        actor=actor,
        target=item,
        data={
            "sitting": sitting.pk,
            "number": number,
            "kind": kind,
            "motion": motion.pk if motion else None,
            "item_title": item.title,
        },
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return item


@transaction.atomic
def agenda_item_start(*, actor: Actor, item: AgendaItem, at: datetime | None = None) -> AgendaItem:
    """The chair moves to ``item``: it becomes current and its clock runs; the item that was current
    is done (the chair may come back to it, and its clock runs on from where it stopped)."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    sitting = lock_sitting(item.sitting)
    if sitting.state != Sitting.State.OPEN:
        raise ValidationError({"sitting": _("Open the sitting before moving through its agenda.")})
    moment = moment_of(at)
    item = lock_item(item)
    previous = None
    if sitting.current_item_id is not None and sitting.current_item_id != item.pk:
        before = AgendaItem.objects.select_for_update().get(pk=sitting.current_item_id)
        previous = before.number
        _stop_item(before, moment, done=True)
    if item.state != AgendaItem.State.CURRENT:
        item.state, item.started_at = AgendaItem.State.CURRENT, moment
        item.save(update_fields=["state", "started_at"])
    sitting.current_item = item
    sitting.save(update_fields=["current_item"])
    event_record(
        organization=sitting.organization,
        kind="agenda.item_started",
        actor=actor,
        target=item,
        data={"sitting": sitting.pk, "number": item.number, "previous": previous, "item_title": item.title},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return item


@transaction.atomic
def agenda_item_finish(
    *, actor: Actor, item: AgendaItem, outcome: str = "", at: datetime | None = None
) -> AgendaItem:
    """The chair closes the current item (with a note of its outcome); no item is current after."""
    require(actor, "deliberation.chair", item, NOT_CHAIR)
    sitting = lock_sitting(item.sitting)
    require_not_closed(sitting)
    item = lock_item(item)
    if item.state != AgendaItem.State.CURRENT:
        raise ValidationError({"item": _("Only the item under discussion can be finished.")})
    _stop_item(item, moment_of(at), done=True)
    if outcome.strip():
        item.outcome = outcome.strip()
        item.save(update_fields=["outcome"])
    sitting.current_item = None
    sitting.save(update_fields=["current_item"])
    event_record(
        organization=sitting.organization,
        kind="agenda.item_done",
        actor=actor,
        target=item,
        data={"sitting": sitting.pk, "number": item.number, "used_seconds": item.used_seconds},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return item
