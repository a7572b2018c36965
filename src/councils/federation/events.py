"""The kinds of audit event the federation's services record, with their payloads and summaries.

Each payload has exactly the fields the service passes as the event's ``data``: the ids of what
changed, and the names a reader needs (a deputy, a council, a constituency), as they were at the
moment of the change. Summaries are translated when shown, so they are marked with
``gettext_noop`` here (``ngettext_lazy`` with the counting field when they count something).
Imported when the federation app is ready (``FederationConfig.ready``), before any service can
record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext, gettext_noop, ngettext_lazy

from councils.audit.kinds import register_kind
from councils.federation.models import Election, Officer


def _label(choices: type[TextChoices], value: str) -> str:
    """The model's own translated label of a stored choice (the value itself if it is unknown)."""
    return str(choices(value).label) if value in choices.values else value


@dataclass(frozen=True)
class _ElectionKind:
    """For payloads that record an election's kind: its label, as a summary begins with it."""

    @property
    def kind_label(self) -> str:
        return _label(Election.Kind, getattr(self, "kind", "")).capitalize()


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
    """A seat an election filled or renewed: who holds it, for which faction, in which slot."""

    member: int
    faction: int | None
    seat: int
    slot: int
    name: str = ""
    renewed: bool = False


@register_kind("organization.created", summary=gettext_noop("Organization %(name)s created"))
@dataclass(frozen=True)
class OrganizationCreated:
    name: str = ""


@dataclass(frozen=True)
class _OfficerChange:
    """For payloads about an officer: who, in which role."""

    user: int
    role: str
    # Events before names were recorded hold the user name (often an e-mail address) instead:
    # readers who may not see addresses get it hidden (councils.accounts.privacy).
    username: str = ""
    name: str = ""

    @property
    def who(self) -> str:
        return self.name or self.username

    @property
    def role_label(self) -> str:
        return _label(Officer.Role, self.role)


@register_kind("officer.appointed", summary=gettext_noop("%(who)s appointed %(role_label)s"))
@dataclass(frozen=True)
class OfficerAppointed(_OfficerChange):
    pass


@register_kind("officer.removed", summary=gettext_noop("%(who)s no longer %(role_label)s"))
@dataclass(frozen=True)
class OfficerRemoved(_OfficerChange):
    pass


@register_kind("faction.created", summary=gettext_noop("Faction %(name)s created"))
@dataclass(frozen=True)
class FactionCreated:
    name: str
    colour: str


@register_kind("council.created", summary=gettext_noop("Council %(name)s created"))
@dataclass(frozen=True)
class CouncilCreated:
    parent: int | None
    seat_rule: str
    name: str = ""


@register_kind(
    "constituency.created",
    summary=gettext_noop("Constituency %(name)s created, electing to %(council_name)s"),
)
@dataclass(frozen=True)
class ConstituencyCreated:
    council: int
    section: str
    name: str = ""
    council_name: str = ""


@register_kind("member.added", summary=gettext_noop("%(name)s joined %(constituency_name)s"))
@dataclass(frozen=True)
class MemberAdded:
    constituency: int
    name: str = ""
    constituency_name: str = ""


@register_kind("member.invited", summary=gettext_noop("%(name)s sent a new invitation to set a password"))
@dataclass(frozen=True)
class MemberInvited:
    member: int
    name: str


@register_kind(
    "members.invited", summary=gettext_noop("New invitations sent to %(members)s members who had no password")
)
@dataclass(frozen=True)
class MembersInvited:
    members: int


@register_kind("member.moved", summary=gettext_noop("%(name)s moved from %(from_name)s to %(to_name)s"))
@dataclass(frozen=True)
class MemberMoved(Cascade):
    member: int
    previous: int
    from_constituency: int
    to_constituency: int
    name: str
    from_name: str
    to_name: str


@register_kind("member.left", summary=gettext_noop("%(name)s left %(constituency_name)s"))
@dataclass(frozen=True)
class MemberLeft(Cascade):
    member: int
    constituency: int
    name: str
    constituency_name: str


@register_kind(
    "members.imported",
    summary=ngettext_lazy("%(members)s member imported", "%(members)s members imported", "members"),
)
@dataclass(frozen=True)
class MembersImported:
    members: int
    users_created: int
    last_line: int


@dataclass(frozen=True)
class Lot:
    """A tie that apportionment broke by lot: which parts were tied and which won the seats."""

    tied: list[str]
    winners: list[str]
    seats: int


@register_kind(
    "council.apportioned", summary=gettext_noop("Seats of %(council_name)s apportioned: %(seat_list)s")
)
@dataclass(frozen=True)
class CouncilApportioned:
    seats: dict[str, int]
    changed: dict[str, int]
    council_name: str = ""
    method: str = ""
    seed: int | None = None
    ties: list[Lot] | None = None

    @property
    def seat_list(self) -> str:
        return ", ".join(f"{part} {seats}" for part, seats in self.seats.items())


@register_kind(
    "election.opened",
    summary=ngettext_lazy(
        "%(kind_label)s opened in %(part_name)s for %(council_name)s: %(seats)s seat",
        "%(kind_label)s opened in %(part_name)s for %(council_name)s: %(seats)s seats",
        "seats",
    ),
)
@dataclass(frozen=True)
class ElectionOpened(_ElectionKind):
    seats: int
    kind: str
    # Only ``councils tick`` gives one ("term ended"): an election opened by an organizer has none.
    reason: str = ""
    council_name: str = ""
    part_name: str = ""


@register_kind(
    "election.declared",
    summary=gettext_noop("%(kind_label)s in %(part_name)s for %(council_name)s declared: %(elected_names)s"),
)
@dataclass(frozen=True)
class ElectionDeclared(_ElectionKind, Cascade):
    elected: list[ElectedSeat]
    kind: str = ""
    council_name: str = ""
    part_name: str = ""

    @property
    def elected_count(self) -> int:
        return len(self.elected)

    @property
    def elected_names(self) -> str:
        return ", ".join(e.name for e in self.elected)


@register_kind("seat.resigned", summary=gettext_noop("%(deputy)s resigned from %(council_name)s"))
@dataclass(frozen=True)
class SeatResigned(Cascade):
    deputy: str = ""
    council_name: str = ""


@register_kind("deputy.faction_changed", summary=gettext_noop("%(deputy)s now sits with %(faction_label)s"))
@dataclass(frozen=True)
class DeputyFactionChanged:
    faction: int | None
    seats: list[int]
    deputy: str = ""
    faction_name: str = ""

    @property
    def faction_label(self) -> str:
        return self.faction_name or gettext("no faction")


@register_kind(
    "petition.opened",
    summary=ngettext_lazy(
        "Petition to recall %(deputy)s from %(council_name)s opened (%(required)s signature needed)",
        "Petition to recall %(deputy)s from %(council_name)s opened (%(required)s signatures needed)",
        "required",
    ),
)
@dataclass(frozen=True)
class PetitionOpened(Cascade):
    seat: int
    required: int
    recalled: bool
    deputy: str = ""
    council_name: str = ""
    vote: bool = False


@register_kind(
    "petition.signed",
    summary=gettext_noop("Petition to recall %(deputy)s signed (%(signatures)s of %(required)s)%(outcome)s"),
)
@dataclass(frozen=True)
class PetitionSigned(Cascade):
    signature: int
    signatures: int
    required: int
    recalled: bool
    deputy: str = ""
    vote: bool = False

    @property
    def outcome(self) -> str:
        if self.vote:
            return gettext(": a recall vote opens")
        return gettext(": the seat ends") if self.recalled else ""


@register_kind(
    "petition.decided",
    summary=gettext_noop("The recall vote on %(deputy)s in %(council_name)s: %(decision)s"),
)
@dataclass(frozen=True)
class PetitionDecided(Cascade):
    deputy: str
    council_name: str
    recalled: bool
    status: str
    poll_title: str = ""

    @property
    def decision(self) -> str:
        if self.status == "closed":
            return gettext("the seat had already ended")
        return gettext("recalled, the seat ends") if self.recalled else gettext("the deputy keeps the seat")


@register_kind(
    "petition.withdrawn",
    summary=ngettext_lazy(
        "A signature on the petition to recall %(deputy)s withdrawn (%(signatures)s remains)",
        "A signature on the petition to recall %(deputy)s withdrawn (%(signatures)s remain)",
        "signatures",
    ),
)
@dataclass(frozen=True)
class PetitionWithdrawn:
    signature: int
    signatures: int
    deputy: str = ""


@register_kind(
    "petition.expired",
    summary=ngettext_lazy(
        "Petition to recall %(deputy)s expired (%(signatures)s of %(required)s signature)",
        "Petition to recall %(deputy)s expired (%(signatures)s of %(required)s signatures)",
        "required",
    ),
)
@dataclass(frozen=True)
class PetitionExpired:
    signatures: int
    required: int
    deputy: str = ""


@dataclass(frozen=True)
class _BlocFactions:
    """For payloads that list a bloc's factions: the list, for the summary."""

    name: str
    factions: list[int]
    faction_names: list[str]

    @property
    def faction_list(self) -> str:
        return ", ".join(self.faction_names)


@register_kind("bloc.formed", summary=gettext_noop("Bloc %(name)s formed: %(faction_list)s"))
@dataclass(frozen=True)
class BlocFormed(_BlocFactions):
    pass


@register_kind("bloc.changed", summary=gettext_noop("Bloc %(name)s now: %(faction_list)s"))
@dataclass(frozen=True)
class BlocChanged(_BlocFactions):
    joined: list[int]
    left: list[int]


@register_kind("bloc.ended", summary=gettext_noop("Bloc %(name)s ended"))
@dataclass(frozen=True)
class BlocEnded:
    name: str
    factions: list[int]
