"""Attendance as read by the attendance page, the API and the minutes: every seat held with its
presence and credential, filtered for a chair who records a congress of thousands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from councils.deliberation.models import AttendanceRecord, Credential, Presence, Sitting, SittingProxy
from councils.federation.models import Affiliation, Council, Member, Seat, open_at

# How many check-ins and check-outs the attendance page lists (the newest); the minutes and the
# audit log keep them all.
HISTORY_SHOWN = 100


@dataclass(frozen=True)
class AttendanceRow:
    """One seat of the council at a sitting: who holds it, the faction they sit with, the council
    that sent them (a delegate), whether present now, and their credential at a congress. Plain
    values: a congress has thousands of seats, and model instances for each would cost more than
    the queries."""

    seat_id: int
    name: str
    faction: str
    sent_by: str
    present: bool
    since: datetime | None
    credential: str  # a Credential.Status, or "" when not checked
    credential_reason: str = ""


def attendance(
    *,
    sitting: Sitting,
    at: datetime | None = None,
    sent_by: int | None = None,
    search: str = "",
    present: bool | None = None,
) -> list[AttendanceRow]:
    """Every seat held in the sitting's council now, by name, with its faction, presence and
    credential: four queries (seats, factions, presences, credentials) whatever the number of
    deputies. Filtered, for the chair of a congress: ``sent_by`` (the child council that gave the
    seats), ``search`` (part of the deputy's name, any case), ``present`` (only those present, or
    only those absent)."""
    moment = at or timezone.now()
    seats = Seat.objects.filter(open_at(moment), council_id=sitting.council_id)
    if sent_by is not None:
        seats = seats.filter(child_council_id=sent_by)
    if search.strip():
        seats = seats.filter(holder__name__icontains=search.strip())
    seat_rows = list(
        seats.order_by("holder__name", "pk").values_list("pk", "holder__name", "child_council__name")
    )
    # By the sitting's council (not by the seats chosen): one index range each, where a list of
    # thousands of ids would cost the planner more than the few rows too many.
    factions = dict(
        Affiliation.objects.filter(open_at(moment), council_id=sitting.council_id).values_list(
            "seat_id", "faction__name"
        )
    )
    presences = {
        seat_id: (here, since)
        for seat_id, here, since in Presence.objects.filter(sitting=sitting).values_list(
            "seat_id", "present", "since"
        )
    }
    credentials = {
        seat_id: (status, reason)
        for seat_id, status, reason in Credential.objects.filter(sitting=sitting).values_list(
            "seat_id", "status", "reason"
        )
    }
    out = []
    for seat_id, name, council_name in seat_rows:
        here, since = presences.get(seat_id, (False, None))
        if present is not None and here != present:
            continue
        status, reason = credentials.get(seat_id, ("", ""))
        out.append(
            AttendanceRow(
                seat_id=seat_id,
                name=name,
                faction=factions.get(seat_id) or "",
                sent_by=council_name or "",
                present=here,
                since=since,
                credential=status,
                credential_reason=reason,
            )
        )
    return out


def sending_councils(*, sitting: Sitting, at: datetime | None = None) -> list[Council]:
    """The child councils that gave the seats held in the sitting's council (a congress's
    delegations), by name: what the chair filters attendance by. Empty for a council of
    constituencies."""
    held = Seat.objects.filter(open_at(at or timezone.now()), council_id=sitting.council_id)
    return list(Council.objects.filter(pk__in=held.values("child_council_id")).order_by("name"))


def is_present(*, sitting: Sitting, seat: Seat) -> bool:
    """Whether the seat's deputy is checked in to the sitting now."""
    return Presence.objects.filter(sitting=sitting, seat=seat, present=True).exists()


def attendance_history(*, sitting: Sitting) -> QuerySet[AttendanceRecord]:
    """Every check-in and check-out of the sitting in order, with the deputy's name."""
    return sitting.attendance_records.select_related("seat__holder").order_by("at", "pk")


def recent_attendance(*, sitting: Sitting, limit: int = HISTORY_SHOWN) -> list[AttendanceRecord]:
    """The newest ``limit`` check-ins and check-outs of the sitting, oldest of them first."""
    rows = list(sitting.attendance_records.select_related("seat__holder").order_by("-at", "-pk")[:limit])
    return rows[::-1]


def live_proxies(*, sitting: Sitting, member_id: int | None = None) -> list[SittingProxy]:
    """The sitting's live proxies (given or held by ``member_id`` when given), with giver and
    holder, in the order given (one query)."""
    rows = SittingProxy.objects.filter(sitting=sitting, withdrawn_at__isnull=True).select_related(
        "giver", "holder"
    )
    if member_id is not None:
        rows = rows.filter(Q(giver_id=member_id) | Q(holder_id=member_id))
    return list(rows.order_by("given_at", "pk"))


def council_deputies(*, sitting: Sitting, at: datetime | None = None) -> list[Member]:
    """The deputies holding a seat of the sitting's council now, by name: whom a vote may be handed
    to (one query)."""
    seats = Seat.objects.filter(
        open_at(at or timezone.now()), council_id=sitting.council_id, holder__left_at__isnull=True
    ).values("holder_id")
    return list(Member.objects.filter(pk__in=seats).order_by("name", "pk"))
