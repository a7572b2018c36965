"""Composition: the seats of a council at a moment (with the blocs of its factions), its changes
over time, and the majority map."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from councils.federation.models import (
    Affiliation,
    Bloc,
    BlocMembership,
    Constituency,
    Council,
    Faction,
    Organization,
    Seat,
    SeatAllocation,
    open_at,
)
from councils.federation.selectors._common import faction_key, moment_of
from councils.federation.selectors.structure import council_tree, seats

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
class BlocCount:
    """A bloc in force at a moment, its factions then, and the seats they hold in one council.

    A bloc holds a majority when its factions together hold more than half of the filled seats.
    """

    bloc: Bloc
    factions: list[Faction]
    seats: int
    majority: bool

    @property
    def name(self) -> str:
        return self.bloc.name


def blocs_at(*, organization_id: int, at: datetime) -> dict[Bloc, list[Faction]]:
    """The blocs in force at ``at`` with their factions then, in the order they were formed (one
    query)."""
    out: dict[Bloc, list[Faction]] = {}
    for membership in (
        BlocMembership.objects.filter(open_at(at), organization_id=organization_id)
        .select_related("bloc", "faction")
        .order_by("bloc__start", "bloc__name", "faction__position", "faction__name")
    ):
        out.setdefault(membership.bloc, []).append(membership.faction)
    return out


def _bloc_counts(
    blocs: dict[Bloc, list[Faction]], counts: dict[Faction | None, int], filled: int
) -> list[BlocCount]:
    out = []
    for bloc, members in blocs.items():
        seats = sum(counts.get(f, 0) for f in members)
        out.append(BlocCount(bloc=bloc, factions=members, seats=seats, majority=2 * seats > filled))
    return out


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
    blocs: list[BlocCount] = field(default_factory=list)

    @property
    def majority_seats(self) -> int:
        """The seats of the faction holding the majority (0 when none does)."""
        return next(
            (fc.seats for fc in self.factions if fc.faction is not None and fc.faction == self.majority), 0
        )

    @property
    def bloc_majority(self) -> BlocCount | None:
        """The bloc holding a majority, if one does (factions sit in one bloc at a time: at most one)."""
        return next((b for b in self.blocs if b.majority), None)


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
    """The composition of ``council`` at ``at`` (default now), with the blocs then, in three queries."""
    moment = moment_of(at)
    seat_rows = list(seats(council=council, at=moment))
    allocations = list(
        SeatAllocation.objects.filter(open_at(moment), council=council).select_related(
            "constituency", "child_council"
        )
    )
    rows: list[SeatRow] = []
    by_faction: dict[Faction | None, Counter[str]] = defaultdict(Counter)
    held: Counter[tuple[int | None, int | None]] = Counter()
    for s in seat_rows:
        rows.append(
            SeatRow(seat=s, holder=s.holder.name, faction=s.faction, section=s.section, part=s.part_label)
        )
        by_faction[s.faction][s.section] += 1
        held[(s.constituency_id, s.child_council_id)] += 1
    vacancies: list[Vacancy] = []
    for a in allocations:
        missing = a.seats - held[(a.constituency_id, a.child_council_id)]
        if missing > 0:
            vacancies.append(
                Vacancy(
                    part=a.part_label,
                    count=missing,
                    constituency=a.constituency,
                    child_council=a.child_council,
                )
            )
    vacancies.sort(key=lambda v: v.part)
    filled = len(rows)
    vacant = sum(v.count for v in vacancies)
    counts = {f: sum(c.values()) for f, c in by_faction.items()}
    majority, largest = _majority(counts, filled)
    faction_counts = [
        FactionCount(faction=f, seats=counts[f], by_section=dict(sorted(by_faction[f].items())))
        for f in sorted(by_faction, key=faction_key)
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
        blocs=_bloc_counts(blocs_at(organization_id=council.organization_id, at=moment), counts, filled),
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
    # Each affiliation is one seat's faction over a period: the history of seats by faction.
    seat_q = Affiliation.objects.filter(council=council)
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


def affiliation_history(*, council: Council) -> QuerySet[Affiliation]:
    """Every seat the council has had, one row per period its deputy sat with one faction, with the
    seat, its deputy and its part: oldest seats first (one query; iterate it to stream)."""
    return (
        Affiliation.objects.filter(council=council)
        .select_related("faction", "seat__holder", "seat__constituency", "seat__child_council")
        .order_by("seat__start", "seat_id", "start")
    )


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
    blocs: list[BlocCount] = field(default_factory=list)

    @property
    def bloc_majority(self) -> BlocCount | None:
        """The bloc holding a majority of the council, if one does."""
        return next((b for b in self.blocs if b.majority), None)


def majority_map(*, organization: Organization, at: datetime | None = None) -> list[CouncilMajority]:
    """Which faction, and which bloc, holds the majority of which council at ``at``, in tree order
    (five queries)."""
    moment = moment_of(at)
    tree = council_tree(organization=organization)
    blocs = blocs_at(organization_id=organization.pk, at=moment)
    faction_by_id = {f.pk: f for f in Faction.objects.filter(organization=organization)}
    per_council: dict[int, dict[Faction | None, int]] = defaultdict(dict)
    for council_id, faction_id, n in (
        Affiliation.objects.filter(open_at(moment), organization=organization)
        .values_list("council_id", "faction_id")
        .annotate(n=Count("id"))
        .values_list("council_id", "faction_id", "n")
    ):
        per_council[council_id][faction_by_id.get(faction_id) if faction_id else None] = n
    totals: Counter[int] = Counter()
    for council_id, n in SeatAllocation.objects.filter(
        open_at(moment), council__organization=organization
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
                counts=dict(sorted(counts.items(), key=lambda kv: faction_key(kv[0]))),
                blocs=_bloc_counts(blocs, counts, filled),
            )
        )
    return out


def seat_holders(
    *, organization: Organization, at: datetime | None = None
) -> dict[int, dict[int | None, list[str]]]:
    """Who holds the seats of every council of ``organization`` at ``at``: names by council id and
    faction id (None for independents), in the order the seats sit (one query)."""
    out: dict[int, dict[int | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for council_id, faction_id, name in (
        Affiliation.objects.filter(open_at(moment_of(at)), organization=organization)
        .order_by("council_id", "faction__position", "faction__name", "seat__section", "seat__holder__name")
        .values_list("council_id", "faction_id", "seat__holder__name")
    ):
        out[council_id][faction_id].append(name)
    return {council_id: dict(by_faction) for council_id, by_faction in out.items()}


def last_change(*, organization: Organization) -> datetime | None:
    """When the composition of one of the organization's councils last changed (a seat filled or
    ended, a deputy changing faction), up to now; None if no seat was ever filled (two queries)."""
    now = timezone.now()
    moments = Affiliation.objects.filter(organization=organization).aggregate(
        start=Max("start"), end=Max("end", filter=Q(end__lte=now))
    )
    allocation = SeatAllocation.objects.filter(council__organization=organization).aggregate(
        start=Max("start", filter=Q(start__lte=now))
    )
    found = [m for m in (moments["start"], moments["end"], allocation["start"]) if m is not None]
    return max(found) if found else None
