"""Sittings: the rules of debate, planning and convening, credentials, opening and closing,
attendance, and the agenda."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    AgendaItem,
    AttendanceRecord,
    Credential,
    Motion,
    MotionStateChange,
    Presence,
    Procedure,
    Sitting,
)
from councils.deliberation.selectors.sittings import procedure_for, quorum, seat_of
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_ORGANIZER,
    NOT_SEAT_HOLDER,
    full_clean,
    lock_item,
    lock_sitting,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)
from councils.federation.models import Council, Organization, Seat, open_at

# --- the rules of debate ----------------------------------------------------------------------------


@transaction.atomic
def procedure_set(
    *,
    actor: Actor,
    organization: Organization,
    council: Council | None = None,
    quorum: Decimal | str = Decimal("0.5"),
    speaking_seconds: int = 300,
    point_of_order_seconds: int = 60,
    first_speakers_first: bool = False,
    motion_supporters: int = 0,
    majority: str = Procedure.Majority.SIMPLE,
    instructions_binding: bool = True,
) -> Procedure:
    """Set the rules of debate of ``council`` (or, without one, the organization's defaults)."""
    require(actor, "deliberation.set_procedure", council or organization, NOT_ORGANIZER)
    if council is not None and council.organization_id != organization.pk:
        raise ValidationError({"council": _("The council belongs to another organization.")})
    procedure = Procedure.objects.filter(organization=organization, council=council).first() or Procedure(
        organization=organization, council=council
    )
    procedure.quorum = Decimal(str(quorum))
    procedure.speaking_seconds = speaking_seconds
    procedure.point_of_order_seconds = point_of_order_seconds
    procedure.first_speakers_first = first_speakers_first
    procedure.motion_supporters = motion_supporters
    procedure.majority = majority
    procedure.instructions_binding = instructions_binding
    full_clean(procedure)
    procedure.save()
    event_record(
        organization=organization,
        kind="procedure.set",
        actor=actor,
        target=procedure,
        data={
            "council": council.pk if council else None,
            "quorum": str(procedure.quorum),
            "speaking_seconds": speaking_seconds,
            "first_speakers_first": first_speakers_first,
            "motion_supporters": motion_supporters,
            "majority": majority,
            "instructions_binding": instructions_binding,
            "scope": council.name if council else organization.name,
        },
    )
    return procedure


# --- planning, convening, credentials -----------------------------------------------------------


def _new_sitting(
    *,
    council: Council,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str,
    video_url: str,
    chair: User | None,
    secretary: User | None,
) -> Sitting:
    if not title.strip():
        raise ValidationError({"title": _("A sitting needs a title.")})
    if not place.strip() and not video_url.strip():
        raise ValidationError({"place": _("Give the place of the sitting or its video link.")})
    sitting = Sitting(
        organization_id=council.organization_id,
        council=council,
        kind=kind,
        title=title.strip(),
        starts_at=moment_of(starts_at),
        place=place.strip(),
        video_url=video_url.strip(),
        chair=chair,
        secretary=secretary,
    )
    full_clean(sitting, exclude=["current_item"])
    sitting.save()
    return sitting


@transaction.atomic
def sitting_create(
    *,
    actor: Actor,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str = "",
    video_url: str = "",
    chair: User | None = None,
    secretary: User | None = None,
    at: datetime | None = None,
) -> Sitting:
    """Plan a sitting of ``council``: when, where (a place or a video link), who chairs and who keeps
    the minutes."""
    require(actor, "deliberation.plan_sitting", council, NOT_ORGANIZER)
    sitting = _new_sitting(
        council=council,
        kind=Sitting.Kind.COUNCIL,
        title=title,
        starts_at=starts_at,
        place=place,
        video_url=video_url,
        chair=chair,
        secretary=secretary,
    )
    event_record(
        organization=council.organization,
        kind="sitting.created",
        actor=actor,
        target=sitting,
        data={
            "council": council.pk,
            "kind": sitting.kind,
            "starts_at": sitting.starts_at,
            "title": sitting.title,
            "council_name": council.name,
        },
        owner=sitting,
        at=at,
    )
    return sitting


@transaction.atomic
def congress_convene(
    *,
    actor: Actor,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str = "",
    video_url: str = "",
    chair: User | None = None,
    secretary: User | None = None,
    at: datetime | None = None,
) -> Sitting:
    """Convene a congress: a sitting of a higher council whose seats are first apportioned among its
    child councils by membership, with the council's method (the federation's apportionment, which
    records its own event). Each child council then elects its delegates; the credentials check and
    the quorum of accredited delegates come before the congress opens."""
    from councils.federation.services import council_apportion

    require(actor, "deliberation.plan_sitting", council, NOT_ORGANIZER)
    if not council.children.exists():
        raise ValidationError(
            {"council": _("%(council)s has no child councils to send delegates.") % {"council": council.name}}
        )
    allocations = council_apportion(actor=actor, council=council, at=at)
    sitting = _new_sitting(
        council=council,
        kind=Sitting.Kind.CONGRESS,
        title=title,
        starts_at=starts_at,
        place=place,
        video_url=video_url,
        chair=chair,
        secretary=secretary,
    )
    allocation = {a.part_label: a.seats for a in allocations}
    event_record(
        organization=council.organization,
        kind="congress.convened",
        actor=actor,
        target=sitting,
        data={
            "council": council.pk,
            "seats": sum(allocation.values()),
            "parts": len(allocation),
            "allocation": allocation,
            "title": sitting.title,
        },
        owner=sitting,
        at=at,
    )
    return sitting


def _credential_problem(seat: Seat, moment: datetime) -> str:
    """Why a delegate seat is not valid now ("" when it is)."""
    if seat.child_council_id is None:
        return _("not a delegate seat: it was not given by a child council")
    below = seat.derives_from
    if below is None or (below.end is not None and below.end <= moment) or below.start > moment:
        return _("the seat below it is no longer held")
    if seat.holder.left_at is not None:
        return _("the delegate has left the organization")
    return ""


@transaction.atomic
def credentials_check(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> list[Credential]:
    """Check the credentials of every delegate seat of a congress: a delegate is accredited when they
    hold a delegate seat given by a child council and still hold the seat below it (a recalled
    deputy has lost the delegate seat too). Run again at any time: a seat that lost its mandate since
    is refused then."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    if sitting.kind != Sitting.Kind.CONGRESS:
        raise ValidationError({"sitting": _("Only a congress has a credentials check.")})
    moment = moment_of(at)
    held = list(
        Seat.objects.filter(open_at(moment), council_id=sitting.council_id).select_related(
            "holder", "derives_from"
        )
    )
    existing = {c.seat_id: c for c in Credential.objects.filter(sitting=sitting)}
    held_ids = {s.pk for s in held}
    results: list[Credential] = []
    refused: list[int] = []
    for seat in held:
        problem = _credential_problem(seat, moment)
        status = Credential.Status.REFUSED if problem else Credential.Status.ACCREDITED
        credential = existing.get(seat.pk) or Credential(sitting=sitting, seat=seat)
        credential.status, credential.reason, credential.checked_at = status, problem, moment
        results.append(credential)
        if problem:
            refused.append(seat.pk)
    for seat_id, credential in existing.items():
        if seat_id not in held_ids:  # the seat ended since it was accredited
            credential.status = Credential.Status.REFUSED
            credential.reason = _("the seat is no longer held")
            credential.checked_at = moment
            results.append(credential)
            refused.append(seat_id)
    Credential.objects.bulk_create([c for c in results if c.pk is None])
    Credential.objects.bulk_update(
        [c for c in results if c.pk is not None], ["status", "reason", "checked_at"]
    )
    event_record(
        organization=sitting.organization,
        kind="credentials.checked",
        actor=actor,
        target=sitting,
        data={
            "accredited": len(results) - len(refused),
            "refused": len(refused),
            "refused_seats": refused,
            "title": sitting.title,
        },
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return results


@transaction.atomic
def sitting_open(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> Sitting:
    """Open a planned sitting: only when it is quorate (a congress: with its accredited delegates)."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    if sitting.state != Sitting.State.PLANNED:
        raise ValidationError({"sitting": _("The sitting is already open or closed.")})
    moment = moment_of(at)
    if sitting.kind == Sitting.Kind.CONGRESS and not sitting.credentials.exists():
        raise ValidationError({"sitting": _("Check the delegates' credentials before the congress opens.")})
    found = quorum(sitting=sitting, at=moment)
    if not found.quorate:
        raise ValidationError(
            {
                "sitting": _(
                    "The sitting is not quorate: %(present)s of %(held)s present, %(needed)s needed."
                )
                % {"present": found.present, "held": found.held, "needed": found.needed}
            }
        )
    sitting.state, sitting.opened_at = Sitting.State.OPEN, moment
    sitting.save(update_fields=["state", "opened_at"])
    event_record(
        organization=sitting.organization,
        kind="sitting.opened",
        actor=actor,
        target=sitting,
        data={"present": found.present, "held": found.held, "needed": found.needed, "title": sitting.title},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return sitting


@transaction.atomic
def sitting_close(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> Sitting:
    """Close an open sitting: the current item's time stops; nothing more changes in it."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    if sitting.state != Sitting.State.OPEN:
        raise ValidationError({"sitting": _("Only an open sitting can be closed.")})
    moment = moment_of(at)
    if sitting.current_item_id is not None:
        _stop_item(AgendaItem.objects.select_for_update().get(pk=sitting.current_item_id), moment, done=True)
    sitting.state, sitting.closed_at, sitting.current_item = Sitting.State.CLOSED, moment, None
    sitting.save(update_fields=["state", "closed_at", "current_item"])
    event_record(
        organization=sitting.organization,
        kind="sitting.closed",
        actor=actor,
        target=sitting,
        data={"title": sitting.title},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return sitting


# --- attendance ---------------------------------------------------------------------------------


def _mark(
    *, actor: Actor, sitting: Sitting, seats: Sequence[Seat], present: bool, by_chair: bool, moment: datetime
) -> tuple[list[int], list[int]]:
    """Record the seats' presence; only changes are written. Returns (checked in, checked out) ids."""
    presences = {
        p.seat_id: p for p in Presence.objects.select_for_update().filter(sitting=sitting, seat__in=seats)
    }
    records, new, changed = [], [], []
    moved: list[int] = []
    for seat in seats:
        current = presences.get(seat.pk)
        if (current.present if current else False) == present:
            continue
        moved.append(seat.pk)
        records.append(
            AttendanceRecord(
                sitting=sitting,
                seat=seat,
                present=present,
                at=moment,
                recorded_by=actor if is_person(actor) else None,
                by_chair=by_chair,
            )
        )
        if current is None:
            new.append(Presence(sitting=sitting, seat=seat, present=present, since=moment))
        else:
            current.present, current.since = present, moment
            changed.append(current)
    AttendanceRecord.objects.bulk_create(records)
    Presence.objects.bulk_create(new)
    Presence.objects.bulk_update(changed, ["present", "since"])
    return (moved, []) if present else ([], moved)


def _record_attendance(
    *,
    actor: Actor,
    sitting: Sitting,
    seats: Sequence[Seat],
    present: bool,
    by_chair: bool,
    at: datetime | None,
) -> int:
    moment = moment_of(at)
    checked_in, checked_out = _mark(
        actor=actor, sitting=sitting, seats=seats, present=present, by_chair=by_chair, moment=moment
    )
    # Present as the quorum counts them: seats still held (and accredited, at a congress).
    now_present = quorum(sitting=sitting, at=moment).present
    event_record(
        organization=sitting.organization,
        kind="attendance.recorded",
        actor=actor,
        target=sitting,
        data={
            "checked_in": checked_in,
            "checked_out": checked_out,
            "present": now_present,
            "by_chair": by_chair,
            "title": sitting.title,
        },
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return len(checked_in) + len(checked_out)


@transaction.atomic
def attendance_check(
    *, actor: Actor, sitting: Sitting, present: bool = True, at: datetime | None = None
) -> Seat:
    """A deputy checks themselves in (or out) of a sitting of their council."""
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    seat = seat_of(user=actor, council=sitting.council)
    if seat is None:
        raise ValidationError(
            {"seat": _("You hold no seat in %(council)s now.") % {"council": sitting.council.name}}
        )
    require(actor, "deliberation.attend", seat, NOT_SEAT_HOLDER)
    _record_attendance(actor=actor, sitting=sitting, seats=[seat], present=present, by_chair=False, at=at)
    return seat


@transaction.atomic
def attendance_record(
    *, actor: Actor, sitting: Sitting, seats: Sequence[Seat], present: bool, at: datetime | None = None
) -> int:
    """The chair records attendance for several deputies at once (a paper sign-in, or a walkout):
    each seat must be held in the sitting's council now. Returns how many changed."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    moment = moment_of(at)
    ids = {s.pk for s in seats}
    held = list(Seat.objects.filter(open_at(moment), council_id=sitting.council_id, pk__in=ids))
    if len(held) != len(ids):
        missing = sorted(ids - {s.pk for s in held})
        raise ValidationError(
            {
                "seats": _("Seats %(ids)s are not held in %(council)s now.")
                % {"ids": ", ".join(map(str, missing)), "council": sitting.council.name}
            }
        )
    return _record_attendance(actor=actor, sitting=sitting, seats=held, present=present, by_chair=True, at=at)


# --- agenda ------------------------------------------------------------------------------------------


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
