"""Attendance: deputies check themselves in and out; the chair records many at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    AttendanceRecord,
    Presence,
    Sitting,
)
from councils.deliberation.selectors.sittings import quorum, seat_of
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_SEAT_HOLDER,
    lock_sitting,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)
from councils.federation.models import Seat, open_at


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
    *,
    actor: Actor,
    sitting: Sitting,
    seats: Sequence[Seat | int],
    present: bool,
    at: datetime | None = None,
) -> int:
    """The chair records attendance for several deputies at once (a paper sign-in, or a walkout):
    each seat (a seat, or a seat's id as a form or the API gives it) must be held in the sitting's
    council now, or nothing is recorded and the error names those that are not. Returns how many
    changed."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    moment = moment_of(at)
    ids = {s if isinstance(s, int) else s.pk for s in seats}
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
