"""Read queries shared by the pages, the API and the command line.

Each selector costs a constant number of queries, whatever the number of seats or councils:
rows are fetched in a few set queries and assembled in Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from councils import hotsql
from councils.audit.models import Event
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
    Signature,
)


def _moment(at: datetime | None) -> datetime:
    return timezone.now() if at is None else at


def _open_at(at: datetime) -> Q:
    """Rows whose [start, end) interval contains ``at``."""
    return Q(start__lte=at) & (Q(end__isnull=True) | Q(end__gt=at))


def _faction_key(faction: Faction | None) -> tuple[int, str]:
    # Independents sit at the right end of the hemicycle.
    return (faction.position, faction.name) if faction is not None else (10**6, "")


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilNode:
    """A council in depth-first order with its depth (0 for a root)."""

    council: Council
    depth: int
    children: int


def _depth_first(councils: list[Council]) -> list[CouncilNode]:
    by_parent: dict[int | None, list[Council]] = defaultdict(list)
    for c in councils:
        by_parent[c.parent_id].append(c)
    for siblings in by_parent.values():
        siblings.sort(key=lambda c: c.name)
    out: list[CouncilNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in by_parent.get(parent, []):
            out.append(CouncilNode(council=c, depth=depth, children=len(by_parent.get(c.pk, []))))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def council_tree(*, organization: Organization) -> list[CouncilNode]:
    """The organization's councils, depth first, roots first (one query)."""
    return _depth_first(list(Council.objects.filter(organization=organization)))


def organizations(*, user: Any) -> QuerySet[Organization] | list[Organization]:
    """The organizations ``user`` is a current member or an officer of (all of them for superusers)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.order_by("name")
    # EXISTS, not a join of members and officers with OR and DISTINCT: the join read every member of
    # the organization (22 ms at 100,000 members); each EXISTS is one index probe by user. Written
    # once as SQL (councils.hotsql): every API client asks for it.
    return hotsql.organizations_of(user.pk)


def constituencies(*, organization: Organization) -> QuerySet[Constituency]:
    """The organization's constituencies by name, with the council each elects to."""
    return Constituency.objects.filter(organization=organization).select_related("council").order_by("name")


def councils(*, organization: Organization) -> QuerySet[Council]:
    """The organization's councils by name."""
    return Council.objects.filter(organization=organization).select_related("parent").order_by("name")


def factions(*, organization: Organization) -> QuerySet[Faction]:
    """The organization's factions in hemicycle order (left to right)."""
    return Faction.objects.filter(organization=organization).order_by("position", "name")


def seats(*, council: Council, at: datetime | None = None) -> QuerySet[Seat]:
    """The seats of ``council`` held at ``at`` (default now), with their holders, factions and parts."""
    return (
        Seat.objects.filter(_open_at(_moment(at)), council=council)
        .select_related("holder", "faction", "constituency", "child_council")
        .order_by("faction__position", "faction__name", "section", "holder__name")
    )


# --- composition ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatRow:
    seat: Seat
    holder: str
    faction: Faction | None
    section: str
    part: str


@dataclass(frozen=True)
class FactionCount:
    faction: Faction | None
    seats: int
    by_section: dict[str, int]

    @property
    def name(self) -> str:
        return self.faction.name if self.faction is not None else ""

    @property
    def colour(self) -> str:
        return self.faction.colour if self.faction is not None else "#bbbbbb"


@dataclass(frozen=True)
class Vacancy:
    part: str
    count: int
    constituency: Constituency | None = None
    child_council: Council | None = None


@dataclass(frozen=True)
class Composition:
    """The seats of a council at a moment, by faction and section, with vacancies and majority.

    The majority is a faction holding more than half of the seats filled at that moment: a vacant
    seat has no deputy to vote.
    """

    council: Council
    at: datetime
    seats: list[SeatRow]
    factions: list[FactionCount]
    vacancies: list[Vacancy]
    allocated: int
    filled: int
    vacant: int
    majority: Faction | None
    largest: Faction | None
    majority_needed: int
    sections: list[str] = field(default_factory=list)


def _majority(counts: dict[Faction | None, int], filled: int) -> tuple[Faction | None, Faction | None]:
    """The faction with more than half of ``filled`` seats (if any) and the single largest (if any)."""
    named = {f: n for f, n in counts.items() if f is not None and n > 0}
    if not named:
        return None, None
    top = max(named.values())
    leaders = [f for f, n in named.items() if n == top]
    largest = leaders[0] if len(leaders) == 1 else None
    majority = largest if largest is not None and 2 * top > filled else None
    return majority, largest


def composition_at(*, council: Council, at: datetime | None = None) -> Composition:
    """The composition of ``council`` at ``at`` (default now), in two queries."""
    moment = _moment(at)
    seat_rows = list(seats(council=council, at=moment))
    allocations = list(
        SeatAllocation.objects.filter(_open_at(moment), council=council).select_related(
            "constituency", "child_council"
        )
    )
    rows: list[SeatRow] = []
    by_faction: dict[Faction | None, Counter[str]] = defaultdict(Counter)
    held: Counter[tuple[int | None, int | None]] = Counter()
    for s in seat_rows:
        part = s.constituency if s.constituency_id is not None else s.child_council
        rows.append(
            SeatRow(seat=s, holder=s.holder.name, faction=s.faction, section=s.section, part=str(part))
        )
        by_faction[s.faction][s.section] += 1
        held[(s.constituency_id, s.child_council_id)] += 1
    vacancies: list[Vacancy] = []
    for a in allocations:
        missing = a.seats - held[(a.constituency_id, a.child_council_id)]
        if missing > 0:
            part = a.constituency if a.constituency_id is not None else a.child_council
            vacancies.append(
                Vacancy(
                    part=str(part), count=missing, constituency=a.constituency, child_council=a.child_council
                )
            )
    vacancies.sort(key=lambda v: v.part)
    filled = len(rows)
    vacant = sum(v.count for v in vacancies)
    counts = {f: sum(c.values()) for f, c in by_faction.items()}
    majority, largest = _majority(counts, filled)
    faction_counts = [
        FactionCount(faction=f, seats=counts[f], by_section=dict(sorted(by_faction[f].items())))
        for f in sorted(by_faction, key=_faction_key)
    ]
    return Composition(
        council=council,
        at=moment,
        seats=rows,
        factions=faction_counts,
        vacancies=vacancies,
        allocated=filled + vacant,
        filled=filled,
        vacant=vacant,
        majority=majority,
        largest=largest,
        majority_needed=filled // 2 + 1,
        sections=sorted({s.section for s in rows}),
    )


@dataclass(frozen=True)
class CompositionPoint:
    """The composition right after a change: seats per faction id (None for independents)."""

    at: datetime
    counts: dict[int | None, int]
    vacant: int


def composition_history(
    *, council: Council, since: datetime | None = None, until: datetime | None = None
) -> list[CompositionPoint]:
    """Every change of the council's composition, oldest first (two queries).

    Simultaneous changes (a faction change ends one seat and starts another at the same moment)
    make one point.
    """
    seat_q = Seat.objects.filter(council=council)
    alloc_q = SeatAllocation.objects.filter(council=council)
    if until is not None:
        seat_q, alloc_q = seat_q.filter(start__lte=until), alloc_q.filter(start__lte=until)
    deltas: dict[datetime, Counter[Any]] = defaultdict(Counter)
    for start, end, faction_id in seat_q.values_list("start", "end", "faction_id"):
        deltas[start][("f", faction_id)] += 1
        deltas[start]["filled"] += 1
        if end is not None:
            deltas[end][("f", faction_id)] -= 1
            deltas[end]["filled"] -= 1
    for start, end, n in alloc_q.values_list("start", "end", "seats"):
        deltas[start]["allocated"] += n
        if end is not None:
            deltas[end]["allocated"] -= n
    points: list[CompositionPoint] = []
    running: Counter[Any] = Counter()
    for moment in sorted(deltas):
        running.update(deltas[moment])
        if until is not None and moment > until:
            break
        counts = {key[1]: n for key, n in running.items() if isinstance(key, tuple) and n > 0}
        point = CompositionPoint(
            at=moment, counts=counts, vacant=max(0, running["allocated"] - running["filled"])
        )
        if since is not None and moment < since:
            points = [point]  # the state in force at ``since``
            continue
        if points and points[-1].counts == point.counts and points[-1].vacant == point.vacant:
            continue
        points.append(point)
    return points


# --- the majority map ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilMajority:
    council: Council
    depth: int
    majority: Faction | None
    largest: Faction | None
    filled: int
    allocated: int
    counts: dict[Faction | None, int]


def majority_map(*, organization: Organization, at: datetime | None = None) -> list[CouncilMajority]:
    """Which faction holds the majority of which council at ``at``, in tree order (four queries)."""
    moment = _moment(at)
    tree = council_tree(organization=organization)
    faction_by_id = {f.pk: f for f in Faction.objects.filter(organization=organization)}
    per_council: dict[int, dict[Faction | None, int]] = defaultdict(dict)
    for council_id, faction_id, n in (
        Seat.objects.filter(_open_at(moment), organization=organization)
        .values_list("council_id", "faction_id")
        .annotate(n=Count("id"))
        .values_list("council_id", "faction_id", "n")
    ):
        per_council[council_id][faction_by_id.get(faction_id) if faction_id else None] = n
    totals: Counter[int] = Counter()
    for council_id, n in SeatAllocation.objects.filter(
        _open_at(moment), council__organization=organization
    ).values_list("council_id", "seats"):
        totals[council_id] += n
    out = []
    for node in tree:
        counts = per_council.get(node.council.pk, {})
        filled = sum(counts.values())
        majority, largest = _majority(counts, filled)
        out.append(
            CouncilMajority(
                council=node.council,
                depth=node.depth,
                majority=majority,
                largest=largest,
                filled=filled,
                allocated=max(totals.get(node.council.pk, 0), filled),
                counts=dict(sorted(counts.items(), key=lambda kv: _faction_key(kv[0]))),
            )
        )
    return out


# --- constituencies and members ------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionRow:
    petition: RecallPetition
    signatures: int
    required: int
    expired: bool
    signed: bool = False

    @property
    def progress(self) -> float:
        return min(1.0, self.signatures / self.required) if self.required else 1.0


@dataclass(frozen=True)
class ConstituencyOverview:
    constituency: Constituency
    members: int
    deputies: list[Seat]
    petitions: list[PetitionRow]


def _petition_rows(
    queryset: QuerySet[RecallPetition], *, member: Member | None, now: datetime
) -> list[PetitionRow]:
    queryset = queryset.annotate(
        standing=Count("signatures", filter=Q(signatures__withdrawn_at__isnull=True))
    ).select_related("seat__holder", "seat__council", "seat__faction", "constituency")
    if member is not None:
        queryset = queryset.annotate(
            signed=Exists(
                Signature.objects.filter(petition=OuterRef("pk"), member=member, withdrawn_at__isnull=True)
            )
        )
    return [
        PetitionRow(
            petition=p,
            signatures=p.standing,
            required=p.required,
            expired=p.expires_at <= now,
            signed=bool(getattr(p, "signed", False)),
        )
        for p in queryset.order_by("expires_at")
    ]


def constituency_overview(
    *, constituency: Constituency, at: datetime | None = None, member: Member | None = None
) -> ConstituencyOverview:
    """A constituency's members count, its deputies and its open petitions (three queries)."""
    moment = _moment(at)
    members = Member.objects.filter(constituency=constituency, left_at__isnull=True).count()
    deputies = list(
        Seat.objects.filter(_open_at(moment), constituency=constituency)
        .select_related("holder", "faction", "council")
        .order_by("holder__name")
    )
    petitions = _petition_rows(
        RecallPetition.objects.filter(constituency=constituency, status=RecallPetition.Status.OPEN),
        member=member,
        now=moment,
    )
    return ConstituencyOverview(
        constituency=constituency, members=members, deputies=deputies, petitions=petitions
    )


@dataclass(frozen=True)
class MemberHome:
    member: Member
    constituency: Constituency
    deputies: list[Seat]
    councils_above: list[Council]
    petitions: list[PetitionRow]


def member_home(*, member: Member) -> MemberHome:
    """What a member sees first: their constituency, deputies, councils above and petitions to sign."""
    now = timezone.now()
    constituency = member.constituency
    by_id = {c.pk: c for c in Council.objects.filter(organization_id=member.organization_id)}
    above: list[Council] = []
    node: Council | None = by_id.get(constituency.council_id)
    while node is not None:
        above.append(node)
        node = by_id.get(node.parent_id) if node.parent_id else None
    deputies = list(
        Seat.objects.filter(constituency=constituency, end__isnull=True)
        .select_related("holder", "faction", "council")
        .order_by("holder__name")
    )
    petitions = [
        row
        for row in _petition_rows(
            RecallPetition.objects.filter(constituency=constituency, status=RecallPetition.Status.OPEN),
            member=member,
            now=now,
        )
        if not row.expired
    ]
    return MemberHome(
        member=member, constituency=constituency, deputies=deputies, councils_above=above, petitions=petitions
    )


def memberships(*, user: Any) -> QuerySet[Member]:
    """The user's current memberships, with organization and constituency."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return Member.objects.filter(user=user, left_at__isnull=True).select_related(
        "organization", "constituency"
    )


def petitions(*, organization: Organization, status: str | None = None) -> list[PetitionRow]:
    """The organization's petitions (optionally of one status), soonest to expire first."""
    queryset = RecallPetition.objects.filter(organization=organization)
    if status:
        queryset = queryset.filter(status=status)
    return _petition_rows(queryset, member=None, now=timezone.now())


def events(*, organization: Organization, kind: str | None = None) -> QuerySet[Event]:
    """The organization's audit log, newest first, optionally of one kind."""
    queryset = Event.objects.filter(organization=organization).select_related("actor")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-sequence")


def event_kinds(*, organization: Organization) -> list[str]:
    """The kinds of event the organization's log holds, for a filter."""
    return sorted(
        set(Event.objects.filter(organization=organization).values_list("kind", flat=True).distinct())
    )


# --- elections -----------------------------------------------------------------------------------


def elections(*, organization: Organization, status: str | None = None) -> QuerySet[Election]:
    """The organization's elections (optionally of one status): open ones first, newest first.

    Each carries its council, part and the holder of the seat whose end caused it, and, as
    ``elected_seats``, the seats its declaration filled (by slot): two queries in all, however
    many elections there are.
    """
    # A faction change continues a seat with the same election: only the seats that started when
    # the election was declared are the ones it filled.
    filled = (
        Seat.objects.filter(start=F("election__declared_at"))
        .select_related("holder", "faction", "constituency", "child_council")
        .order_by("slot", "pk")
    )
    queryset = Election.objects.filter(organization=organization).select_related(
        "council", "constituency", "child_council", "cause__holder"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.prefetch_related(
        Prefetch("seats_filled", queryset=filled, to_attr="elected_seats")
    ).order_by(Case(When(status=Election.Status.OPEN, then=Value(0)), default=Value(1)), "-opened_at", "-pk")


@dataclass(frozen=True)
class Eligible:
    """A member who may be declared elected in an election. For a child council's part (a
    delegate election), ``seat`` is the seat they hold in the child council now, from which the
    delegate seat would derive, and ``faction`` the faction they sit with there."""

    member: Member
    seat: Seat | None = None
    faction: Faction | None = None


def election_eligible(*, election: Election) -> list[Eligible]:
    """Who may be declared elected, by name (one query).

    A constituency's part: its current members. A child council's part: the holders of open
    seats in the child council (each once, with the seat the declaration would derive from).
    A by-election fills a vacancy beside sitting deputies, so those already holding a seat of the
    part are left out; a regular election may re-elect them.
    """
    part = (
        {"constituency_id": election.constituency_id}
        if election.constituency_id is not None
        else {"child_council_id": election.child_council_id}
    )
    sitting = Exists(
        Seat.objects.filter(
            holder=OuterRef("holder" if "child_council_id" in part else "pk"),
            council_id=election.council_id,
            end__isnull=True,
            **part,
        )
    )
    if election.constituency_id is not None:
        members = Member.objects.filter(constituency_id=election.constituency_id, left_at__isnull=True)
        if election.kind == Election.Kind.BY_ELECTION:
            members = members.exclude(sitting)
        return [Eligible(member=m) for m in members.order_by("name", "pk")]
    below = (
        Seat.objects.filter(council_id=election.child_council_id, end__isnull=True)
        .select_related("holder", "faction")
        # The oldest open seat first: the one election_declare derives from.
        .order_by("start", "pk")
    )
    if election.kind == Election.Kind.BY_ELECTION:
        below = below.exclude(sitting)
    eligible: dict[int, Eligible] = {}
    for seat in below:
        eligible.setdefault(seat.holder_id, Eligible(member=seat.holder, seat=seat, faction=seat.faction))
    return sorted(eligible.values(), key=lambda e: (e.member.name, e.member.pk))
