"""The demonstration's bookkeeping: its clock, its faction shares, and what the loader reads.

``Story`` holds what the loader knows as it plays 1917 (factions by key, the cities and their
constituencies, the members in roll order) and answers its questions with the selectors, and with
a few plain queries where no selector answers them (who the members of a constituency are, who has
ever sat for it). ``councils.demo.elections``, ``councils.demo.recalls`` and
``councils.demo.loader`` add the story's moves on top of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from councils.demo import data
from councils.federation import selectors
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    Seat,
    Term,
)

Log = Callable[[str], None]


class Clock:
    """Moments on the demonstration's dates, one minute apart, so every change has its own time."""

    def __init__(self) -> None:
        self.last: datetime | None = None

    def on(self, day: date, hour: int = 9) -> datetime:
        """The next free minute on ``day``, from ``hour`` o'clock (UTC)."""
        moment = datetime.combine(day, time(hour), tzinfo=UTC)
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=1)
        self.last = moment
        return moment

    def tick(self) -> datetime:
        """The minute after the last moment given."""
        assert self.last is not None
        self.last += timedelta(minutes=1)
        return self.last


class Shares:
    """Hands out factions seat after seat in proportion to shares, in Sainte-Laguë order.

    The same shares give the same sequence on every run; over many seats each faction gets its
    share, whatever the sizes of the constituencies the seats fall in.
    """

    def __init__(self, shares: Mapping[str, float]) -> None:
        self.shares = shares
        self.given: Counter[str] = Counter()

    def next(self) -> str:
        # max() keeps the first of equal quotients: the order of the table breaks ties.
        key = max(self.shares, key=lambda k: self.shares[k] / (2 * self.given[k] + 1))
        self.given[key] += 1
        return key

    def take(self, n: int) -> list[str]:
        return [self.next() for _ in range(n)]


@dataclass
class City:
    row: data.CouncilRow
    council: Council
    constituencies: list[Constituency] = field(default_factory=list)


class Story:
    """The loader's state, and its reading of the seats, elections and members it has made."""

    # Set when the organization is founded (``_Loader.found``).
    organization: Organization
    congress: Council

    def __init__(self, log: Log) -> None:
        self.log = log
        self.clock = Clock()
        self.factions: dict[str, Faction] = {}
        self.faction_key: dict[int, str] = {}
        self.cities: list[City] = []
        self.members: dict[int, list[Member]] = {}  # by constituency id, in roll order
        self.demo_users: set[int] = set()

    def city(self, slug: str) -> City:
        return next(c for c in self.cities if c.row.slug == slug)

    def key_of(self, seat: Seat) -> str:
        return self.faction_key.get(seat.faction_id or 0, data.OTHERS)

    def open_elections(self, council: Council, **part: Any) -> QuerySet[Election]:
        """The council's open elections for one part, oldest first."""
        return (
            selectors.elections(organization=self.organization, status=Election.Status.OPEN)
            .filter(council=council, **part)
            .order_by("pk")
        )

    def open_seats(self, council: Council, at: datetime) -> list[Seat]:
        """The council's seats at ``at``, the longest unchanged first: by the last time each was
        given (a term) or changed faction, so the story reads the same however mandates are stored."""
        seats = selectors.seats(council=council, at=at)
        last_term: dict[int, tuple[datetime, int]] = {}
        for seat_id, start, pk in (
            Term.objects.filter(seat__in=seats, start__lte=at)
            .order_by("start", "pk")
            .values_list("seat_id", "start", "pk")
        ):
            last_term[seat_id] = (start, pk)

        def version(seat: Seat) -> tuple[datetime, int]:
            start, pk = last_term.get(seat.pk, (seat.start, 0))
            return max(start, seat.affiliations_at[0].start), pk

        return sorted(seats, key=version)

    def candidates(self, constituency: Constituency, exclude: Iterable[int]) -> list[Member]:
        """Members who may stand: not already deputies, not the demonstration's own accounts."""
        excluded = set(exclude) | self.deputies_ever(constituency)
        return [
            m
            for m in self.members[constituency.pk]
            if m.pk not in excluded and m.user_id not in self.demo_users
        ]

    def deputies_ever(self, constituency: Constituency) -> set[int]:
        # A recalled or replaced deputy does not stand again in this story.
        return set(Seat.objects.filter(constituency=constituency).values_list("holder_id", flat=True))

    def signers(self, constituency_id: int, exclude: set[int]) -> Iterable[Member]:
        """Members who sign petitions, from the end of the roll (the candidates come from its start)."""
        return [
            m
            for m in reversed(self.members[constituency_id])
            if m.pk not in exclude and m.user_id not in self.demo_users
        ]
