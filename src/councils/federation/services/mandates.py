"""Mandates: ending a seat and what derives from it, resignations and changes of faction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Election,
    Faction,
    Member,
    RecallPetition,
    Seat,
)
from councils.federation.parts import Part
from councils.federation.services._common import (
    NOT_HOLDER,
    moment_of,
    open_election,
    require,
)


@dataclass
class Cascade:
    """Seats ended and by-elections opened by one change, for the change's audit event."""

    ended: list[Seat] = field(default_factory=list)
    by_elections: list[Election] = field(default_factory=list)
    petitions_closed: list[RecallPetition] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {
            "ended_seats": [
                {"seat": s.pk, "council": s.council_id, "reason": s.end_reason} for s in self.ended
            ],
            "by_elections": [e.pk for e in self.by_elections],
            "petitions_closed": [p.pk for p in self.petitions_closed],
        }


def end_seat(
    seat: Seat,
    *,
    at: datetime,
    reason: str,
    cascade: Cascade,
    open_by_election: bool = True,
    except_petition: RecallPetition | None = None,
) -> None:
    """End ``seat`` and, in the same transaction, every open seat derived from it, up the tree.

    Each seat ended by reason of recall, resignation or derivation leaves a vacancy, for which a
    by-election opens. Open petitions against an ended seat are closed.
    """
    if seat.end is not None:
        return
    if at <= seat.start:
        raise ValidationError(_("A seat cannot end at or before the moment it started."))
    seat.end = at
    seat.end_reason = reason
    seat.save(update_fields=["end", "end_reason"])
    cascade.ended.append(seat)
    petitions = RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.OPEN)
    if except_petition is not None:
        petitions = petitions.exclude(pk=except_petition.pk)
    for petition in petitions:
        petition.status = RecallPetition.Status.CLOSED
        petition.closed_at = at
        petition.save(update_fields=["status", "closed_at"])
        cascade.petitions_closed.append(petition)
    if open_by_election:
        cascade.by_elections.append(
            open_election(
                council=seat.council,
                part=Part.of(seat).ids(),
                kind=Election.Kind.BY_ELECTION,
                seats=1,
                at=at,
                cause=seat,
            )
        )
    for derived in Seat.objects.select_related("council").filter(derives_from=seat, end__isnull=True):
        end_seat(derived, at=at, reason=Seat.EndReason.DERIVED, cascade=cascade)


def supersede(seat: Seat, *, at: datetime, **changes: Any) -> list[Seat]:
    """End ``seat`` as superseded and continue it from ``at`` with ``changes`` (same council, part,
    slot and holder). Seats derived from it continue too, now deriving from the new seat, and open
    petitions against it carry over. Returns the new seats, the continuation of ``seat`` first."""
    if at <= seat.start:
        raise ValidationError({"at": _("A change to a seat must come after the seat started.")})
    above = list(Seat.objects.select_for_update().filter(derives_from=seat, end__isnull=True))
    seat.end, seat.end_reason = at, Seat.EndReason.SUPERSEDED
    seat.save(update_fields=["end", "end_reason"])
    values = {
        "organization_id": seat.organization_id,
        "council_id": seat.council_id,
        "constituency_id": seat.constituency_id,
        "child_council_id": seat.child_council_id,
        "slot": seat.slot,
        "holder_id": seat.holder_id,
        "faction_id": seat.faction_id,
        "section": seat.section,
        "derives_from_id": seat.derives_from_id,
        "election_id": seat.election_id,
        "term_ends": seat.term_ends,
        "start": at,
    }
    values.update(changes)
    new = Seat.objects.create(**values)
    RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.OPEN).update(seat=new)
    out = [new]
    inherited = {k: v for k, v in changes.items() if k != "derives_from_id"}
    for upper in above:
        out += supersede(upper, at=at, derives_from_id=new.pk, **inherited)
    return out


@transaction.atomic
def seat_resign(*, actor: Actor, seat: Seat, at: datetime | None = None) -> Seat:
    """End a deputy's mandate at their own request (or an organizer's); derived seats end too."""
    moment = moment_of(at)
    seat = Seat.objects.select_for_update(of=("self",)).select_related("council", "holder").get(pk=seat.pk)
    require(actor, "federation.resign_seat", seat, NOT_HOLDER)
    if seat.end is not None:
        raise ValidationError({"seat": _("This seat already ended.")})
    cascade = Cascade()
    end_seat(seat, at=moment, reason=Seat.EndReason.RESIGNATION, cascade=cascade)
    event_record(
        organization=seat.council.organization,
        kind="seat.resigned",
        actor=actor,
        target=seat,
        summary=f"{seat.holder.name} resigned from {seat.council.name}",
        data=cascade.as_data(),
        at=at,
    )
    return seat


@transaction.atomic
def deputy_change_faction(
    *, actor: Actor, member: Member, faction: Faction | None, at: datetime | None = None
) -> list[Seat]:
    """Move a deputy to another faction (or none) from ``at``, in every council where they sit.

    Each open seat ends as "superseded" and a seat with the new faction continues it; delegate
    seats above continue from the new seats below; open petitions carry over.
    """
    moment = moment_of(at)
    require(actor, "federation.change_faction", member, NOT_HOLDER)
    if faction is not None and faction.organization_id != member.organization_id:
        raise ValidationError({"faction": _("The faction belongs to another organization.")})
    open_seats = list(Seat.objects.select_for_update().filter(holder=member, end__isnull=True))
    if not open_seats:
        raise ValidationError({"member": _("%(m)s holds no seat.") % {"m": member.name}})
    if all(s.faction_id == (faction.pk if faction else None) for s in open_seats):
        raise ValidationError({"faction": _("%(m)s already sits with this faction.") % {"m": member.name}})
    held = {s.pk for s in open_seats}
    successors: list[Seat] = []
    # Superseding a seat carries the seats derived from it along, so start from the lowest ones.
    for seat in open_seats:
        if seat.derives_from_id not in held:
            successors += supersede(seat, at=moment, faction_id=faction.pk if faction else None)
    event_record(
        organization=member.organization,
        kind="deputy.faction_changed",
        actor=actor,
        target=member,
        summary=f"{member.name} now sits with {faction.name if faction else 'no faction'}",
        data={"faction": faction.pk if faction else None, "seats": [s.pk for s in successors]},
        at=at,
    )
    return successors
