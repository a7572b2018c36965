"""The kinds of audit event the federation's services record, with their payloads and summaries.

Each payload has exactly the fields the service passes as the event's ``data``; the summary says
what happened with what the payload holds (names where the service records one, ids otherwise).
Summaries are translated when shown, so they are marked with ``gettext_noop`` here. Imported when
the federation app is ready (``FederationConfig.ready``), before any service can record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from councils.audit.kinds import register_kind


@dataclass(frozen=True)
class EndedSeat:
    """A seat that a change ended, with the council it was in and why it ended."""

    seat: int
    council: int
    reason: str


@dataclass(frozen=True)
class Cascade:
    """What one change set off: seats ended, by-elections opened, petitions closed."""

    ended_seats: list[EndedSeat]
    by_elections: list[int]
    petitions_closed: list[int]

    @property
    def ended_count(self) -> int:
        return len(self.ended_seats)


@dataclass(frozen=True)
class ElectedSeat:
    """A seat an election filled: who holds it, for which faction, in which slot."""

    member: int
    faction: int | None
    seat: int
    slot: int


@register_kind("organization.created", summary=gettext_noop("Organization created"))
@dataclass(frozen=True)
class OrganizationCreated:
    pass


@register_kind("officer.appointed", summary=gettext_noop("User #%(user)s appointed %(role)s"))
@dataclass(frozen=True)
class OfficerAppointed:
    user: int
    role: str


@register_kind("faction.created", summary=gettext_noop("Faction %(name)s created"))
@dataclass(frozen=True)
class FactionCreated:
    name: str
    colour: str


@register_kind("council.created", summary=gettext_noop("Council created (seat rule: %(seat_rule)s)"))
@dataclass(frozen=True)
class CouncilCreated:
    parent: int | None
    seat_rule: str


@register_kind("constituency.created", summary=gettext_noop("Constituency created in council #%(council)s"))
@dataclass(frozen=True)
class ConstituencyCreated:
    council: int
    section: str


@register_kind("member.added", summary=gettext_noop("Member joined constituency #%(constituency)s"))
@dataclass(frozen=True)
class MemberAdded:
    constituency: int


@register_kind("members.imported", summary=gettext_noop("%(members)s members imported"))
@dataclass(frozen=True)
class MembersImported:
    members: int
    users_created: int
    last_line: int


@register_kind("council.apportioned", summary=gettext_noop("Seats apportioned: %(seat_list)s"))
@dataclass(frozen=True)
class CouncilApportioned:
    seats: dict[str, int]
    changed: dict[str, int]

    @property
    def seat_list(self) -> str:
        return ", ".join(f"{part} {seats}" for part, seats in self.seats.items())


@register_kind("election.opened", summary=gettext_noop("Election (%(kind)s) opened for %(seats)s seats"))
@dataclass(frozen=True)
class ElectionOpened:
    seats: int
    kind: str
    # Only ``councils tick`` gives one ("term ended"): an election opened by an organizer has none.
    reason: str = ""


@register_kind("election.declared", summary=gettext_noop("Election declared: %(elected_count)s elected"))
@dataclass(frozen=True)
class ElectionDeclared(Cascade):
    elected: list[ElectedSeat]

    @property
    def elected_count(self) -> int:
        return len(self.elected)


@register_kind("seat.resigned", summary=gettext_noop("Deputy resigned (seats ended: %(ended_count)s)"))
@dataclass(frozen=True)
class SeatResigned(Cascade):
    pass


@register_kind("deputy.faction_changed", summary=gettext_noop("Deputy now sits with faction #%(faction)s"))
@dataclass(frozen=True)
class DeputyFactionChanged:
    faction: int | None
    seats: list[int]


@register_kind(
    "petition.opened",
    summary=gettext_noop(
        "Petition to recall the holder of seat #%(seat)s opened (%(required)s signatures needed)"
    ),
)
@dataclass(frozen=True)
class PetitionOpened(Cascade):
    seat: int
    required: int
    recalled: bool


@register_kind(
    "petition.signed", summary=gettext_noop("Recall petition signed (%(signatures)s of %(required)s)")
)
@dataclass(frozen=True)
class PetitionSigned(Cascade):
    signature: int
    signatures: int
    required: int
    recalled: bool


@register_kind(
    "petition.withdrawn",
    summary=gettext_noop("A signature withdrawn from a recall petition (%(signatures)s remain)"),
)
@dataclass(frozen=True)
class PetitionWithdrawn:
    signature: int
    signatures: int


@register_kind(
    "petition.expired",
    summary=gettext_noop("Recall petition expired (%(signatures)s of %(required)s signatures)"),
)
@dataclass(frozen=True)
class PetitionExpired:
    signatures: int
    required: int
