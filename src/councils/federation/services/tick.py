"""Time-based jobs: what ``councils tick`` writes down when time has changed a state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from councils.accounts.actors import SYSTEM
from councils.audit.services import event_record
from councils.federation.models import (
    Council,
    Election,
    RecallPetition,
    Seat,
    SeatAllocation,
)
from councils.federation.parts import part_label
from councils.federation.services._common import (
    moment_of,
    open_at,
)
from councils.federation.services.recall import signatures_standing

# --- time ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TickReport:
    """What ``tick`` wrote."""

    petitions_expired: int
    elections_opened: int


def tick(*, at: datetime | None = None) -> TickReport:
    """Write down what time has changed: petitions past their expiry, terms that ended.

    Safe to run every minute from several machines at once: each change is its own transaction
    that re-checks its row under a lock, so a second runner finds nothing left to do.
    """
    moment = moment_of(at)
    expired = 0
    for pk in RecallPetition.objects.filter(
        status=RecallPetition.Status.OPEN, expires_at__lte=moment
    ).values_list("pk", flat=True):
        expired += _petition_expire(pk, moment)
    opened = 0
    due = (
        Seat.objects.filter(end__isnull=True, term_ends__lte=moment)
        .values_list("council_id", "constituency_id", "child_council_id")
        .distinct()
    )
    for council_id, constituency_id, child_council_id in due:
        opened += _election_due(council_id, constituency_id, child_council_id, moment)
    return TickReport(petitions_expired=expired, elections_opened=opened)


@transaction.atomic
def _petition_expire(pk: int, moment: datetime) -> int:
    petition = (
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related("seat__holder", "organization")
        .filter(pk=pk, status=RecallPetition.Status.OPEN, expires_at__lte=moment)
        .first()
    )
    if petition is None:
        return 0
    petition.status = RecallPetition.Status.EXPIRED
    petition.closed_at = petition.expires_at
    petition.save(update_fields=["status", "closed_at"])
    event_record(
        organization=petition.organization,
        kind="petition.expired",
        actor=SYSTEM,
        target=petition,
        summary=f"Petition to recall {petition.seat.holder.name} expired",
        data={"signatures": signatures_standing(petition), "required": petition.required},
        at=moment,
    )
    return 1


@transaction.atomic
def _election_due(
    council_id: int, constituency_id: int | None, child_council_id: int | None, moment: datetime
) -> int:
    council = (
        Council.objects.select_for_update(of=("self",)).select_related("organization").get(pk=council_id)
    )
    part = {"constituency_id": constituency_id} if constituency_id else {"child_council_id": child_council_id}
    if Election.objects.filter(
        council=council, status=Election.Status.OPEN, kind=Election.Kind.REGULAR, **part
    ).exists():
        return 0
    allocated = (
        SeatAllocation.objects.filter(open_at(moment), council=council, **part).values_list("seats").first()
    )
    seats = (
        allocated[0] if allocated else Seat.objects.filter(council=council, end__isnull=True, **part).count()
    )
    election = Election.objects.create(
        organization_id=council.organization_id,
        council=council,
        kind=Election.Kind.REGULAR,
        seats=max(1, seats),
        opened_at=moment,
        **part,
    )
    event_record(
        organization=council.organization,
        kind="election.opened",
        actor=SYSTEM,
        target=election,
        summary=f"Term ended: regular election opened in {part_label(election)} for {council.name}",
        data={"seats": election.seats, "kind": election.kind, "reason": "term ended"},
        at=moment,
    )
    return 1
