"""Mandates: a seat starting and ending (with what derives from it), resignations and changes of
faction.

A mandate is one seat row for as long as it lasts. A change of faction ends the seat's open
:class:`~councils.federation.models.Affiliation` and starts the next; a re-election adds a
:class:`~councils.federation.models.Term`. Nothing that refers to a seat is ever re-pointed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Affiliation,
    Council,
    Election,
    Faction,
    Member,
    RecallPetition,
    Seat,
    Signature,
    Term,
)
from councils.federation.parts import Part
from councils.federation.services._common import (
    NOT_HOLDER,
    moment_of,
    open_election,
    require,
)
from councils.live.publish import publish_on_commit
from councils.live.topics import seat_topics


@dataclass
class Cascade:
    """Seats ended, by-elections opened and petitions closed by one change, for its audit event."""

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

    @property
    def council_ids(self) -> set[int]:
        """Every council whose composition the change touched."""
        return {s.council_id for s in self.ended}


def seat_start(
    *,
    council: Council,
    part: Part,
    slot: int,
    holder: Member,
    faction: Faction | None,
    section: str,
    at: datetime,
    election: Election | None = None,
    derives_from: Seat | None = None,
) -> Seat:
    """Start a mandate: the seat, its first affiliation and its first term (not a service: the
    services that elect deputies call it inside their transaction)."""
    seat = Seat.objects.create(
        organization_id=council.organization_id,
        council=council,
        slot=slot,
        holder=holder,
        section=section,
        derives_from=derives_from,
        start=at,
        **part.ids(),
    )
    Affiliation.objects.create(
        seat=seat, faction=faction, council=council, organization_id=council.organization_id, start=at
    )
    term_start(seat=seat, council=council, election=election, at=at)
    return seat


def term_start(*, seat: Seat, council: Council, election: Election | None, at: datetime) -> Term:
    """A term of ``seat`` from ``at``, lasting the council's term."""
    return Term.objects.create(
        seat=seat, election=election, start=at, ends=at + timedelta(days=council.term_days)
    )


def affiliation_change(seat: Seat, *, faction: Faction | None, at: datetime) -> bool:
    """From ``at`` the seat's deputy sits with ``faction``; False if they already did."""
    current = Affiliation.objects.select_for_update().get(seat=seat, end__isnull=True)
    if current.faction_id == (faction.pk if faction is not None else None):
        return False
    if at <= current.start:
        raise ValidationError({"at": _("A change of faction must come after the last one.")})
    current.end = at
    current.save(update_fields=["end"])
    Affiliation.objects.create(
        seat=seat, faction=faction, council_id=seat.council_id, organization_id=seat.organization_id, start=at
    )
    return True


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

    Each seat ended by reason of recall, resignation, a move, leaving or derivation leaves a
    vacancy, for which a by-election opens. Open petitions against an ended seat are closed.
    """
    if seat.end is not None:
        return
    if at <= seat.start:
        raise ValidationError(_("A seat cannot end at or before the moment it started."))
    seat.end = at
    seat.end_reason = reason
    seat.save(update_fields=["end", "end_reason"])
    Affiliation.objects.filter(seat=seat, end__isnull=True).update(end=at)
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
                part=Part.of(seat),
                kind=Election.Kind.BY_ELECTION,
                seats=1,
                at=at,
                cause=seat,
            )
        )
    for derived in Seat.objects.select_related("council").filter(derives_from=seat, end__isnull=True):
        end_seat(derived, at=at, reason=Seat.EndReason.DERIVED, cascade=cascade)


def member_seats_end(member: Member, *, at: datetime, reason: str, cascade: Cascade) -> None:
    """End every seat ``member`` holds for a constituency (and so every delegate seat above) and
    withdraw their standing signatures: they are no longer a constituent there."""
    held = Seat.objects.select_for_update().select_related("council").filter(holder=member, end__isnull=True)
    for seat in held.filter(constituency__isnull=False):
        end_seat(seat, at=at, reason=reason, cascade=cascade)
    # A delegate seat derives from a seat below, which ended above; any left is ended here too.
    for seat in held.all():
        end_seat(seat, at=at, reason=reason, cascade=cascade)
    Signature.objects.filter(
        member=member, withdrawn_at__isnull=True, petition__status=RecallPetition.Status.OPEN
    ).update(withdrawn_at=at)


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
        data={"deputy": seat.holder.name, "council_name": seat.council.name, **cascade.as_data()},
        at=at,
    )
    publish_on_commit(seat_topics([seat, *cascade.ended]))
    return seat


@transaction.atomic
def deputy_change_faction(
    *, actor: Actor, member: Member, faction: Faction | None, at: datetime | None = None
) -> list[Seat]:
    """Move a deputy to another faction (or none) from ``at``, in every council where they sit
    (their delegate seats above included). Each seat keeps its row: its affiliation changes."""
    moment = moment_of(at)
    require(actor, "federation.change_faction", member, NOT_HOLDER)
    if faction is not None and faction.organization_id != member.organization_id:
        raise ValidationError({"faction": _("The faction belongs to another organization.")})
    open_seats = list(Seat.objects.select_for_update().filter(holder=member, end__isnull=True).order_by("pk"))
    if not open_seats:
        raise ValidationError({"member": _("%(m)s holds no seat.") % {"m": member.name}})
    changed = [seat for seat in open_seats if affiliation_change(seat, faction=faction, at=moment)]
    if not changed:
        raise ValidationError({"faction": _("%(m)s already sits with this faction.") % {"m": member.name}})
    event_record(
        organization=member.organization,
        kind="deputy.faction_changed",
        actor=actor,
        target=member,
        data={
            "faction": faction.pk if faction else None,
            "faction_name": faction.name if faction else "",
            "deputy": member.name,
            "seats": [s.pk for s in changed],
        },
        at=at,
    )
    publish_on_commit(seat_topics(changed))
    return changed
