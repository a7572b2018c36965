"""Time-based jobs: what ``councils tick`` writes down when time has changed a state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from councils.accounts.actors import SYSTEM
from councils.audit.services import event_record
from councils.federation.models import (
    Council,
    Election,
    RecallPetition,
    Seat,
)
from councils.federation.parts import Part, part_label
from councils.federation.services._common import (
    allocated_at,
    moment_of,
    open_election,
)
from councils.federation.services.recall import signatures_standing
from councils.live.publish import publish_on_commit
from councils.live.topics import constituency_topic, seat_topics

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
        Seat.objects.filter(end__isnull=True)
        .annotate(latest_term_ends=Max("terms__ends"))
        .filter(latest_term_ends__lte=moment)
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
        owner=petition,
        data={
            "signatures": signatures_standing(petition),
            "required": petition.required,
            "deputy": petition.seat.holder.name,
        },
        at=moment,
    )
    publish_on_commit(constituency_topic(petition.constituency))
    return 1


@transaction.atomic
def _election_due(
    council_id: int, constituency_id: int | None, child_council_id: int | None, moment: datetime
) -> int:
    council = (
        Council.objects.select_for_update(of=("self",)).select_related("organization").get(pk=council_id)
    )
    part = Part(constituency_id=constituency_id, child_council_id=child_council_id)
    if Election.objects.filter(
        council=council, status=Election.Status.OPEN, kind=Election.Kind.REGULAR, **part.ids()
    ).exists():
        return 0
    allocated = allocated_at(council.pk, part, moment)
    if allocated is None:
        allocated = Seat.objects.filter(council=council, end__isnull=True, **part.ids()).count()
    election = open_election(
        council=council, part=part, kind=Election.Kind.REGULAR, seats=max(1, allocated), at=moment
    )
    event_record(
        organization=council.organization,
        kind="election.opened",
        actor=SYSTEM,
        target=election,
        data={
            "seats": election.seats,
            "kind": election.kind,
            "reason": "term ended",
            "council_name": council.name,
            "part_name": part_label(election),
        },
        at=moment,
    )
    publish_on_commit(seat_topics([election]))
    return 1
