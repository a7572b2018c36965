"""The demonstration's elections: March, the re-elections of the autumn, by-elections, and the
delegates each soviet sends to the Congress."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from councils.accounts.actors import SYSTEM
from councils.demo import data
from councils.demo.story import City, Shares, Story
from councils.federation import selectors, services
from councils.federation.models import Constituency, Election, Member, Seat


class Elections(Story):
    """The loader's elections, declared through the federation's services as the system."""

    def march_elections(self, city: City, at: datetime) -> None:
        services.council_apportion(actor=SYSTEM, council=city.council, at=at)
        shares = {section: Shares(s) for section, s in city.row.march.items()}
        for constituency in city.constituencies:
            election = services.election_open(
                actor=SYSTEM, council=city.council, constituency=constituency, at=self.clock.tick()
            )
            keys = shares[constituency.section].take(election.seats)
            candidates = self.candidates(constituency, exclude=set())
            elected = [(candidates[i], self.factions[key]) for i, key in enumerate(keys)]
            services.election_declare(actor=SYSTEM, election=election, elected=elected, at=self.clock.tick())

    def reelect(
        self, city: City, constituency: Constituency, at: datetime, shares: Shares | None = None
    ) -> None:
        """A factory or regiment re-elects its deputies: sitting deputies of a faction still
        chosen keep their seat (and their delegate seats above), the others make way."""
        shares = shares or Shares(city.row.reelection[constituency.section])
        election = services.election_open(
            actor=SYSTEM, council=city.council, constituency=constituency, at=at
        )
        keys = shares.take(election.seats)
        sitting = [s for s in self.open_seats(city.council, at) if s.constituency_id == constituency.pk]
        by_faction: dict[str, list[Member]] = defaultdict(list)
        for seat in sitting:
            by_faction[self.key_of(seat)].append(seat.holder)
        newcomers = iter(self.candidates(constituency, exclude={s.holder_id for s in sitting}))
        elected = []
        for key in keys:
            member = by_faction[key].pop(0) if by_faction[key] else next(newcomers)
            elected.append((member, self.factions[key]))
        services.election_declare(actor=SYSTEM, election=election, elected=elected, at=self.clock.tick())
        self.fill_congress(city)

    def by_election(self, city: City, constituency: Constituency, key: str, at: datetime) -> None:
        """Declare the open by-elections of a constituency won by candidates of ``key``."""
        exclude = {s.holder_id for s in self.open_seats(city.council, at)}
        candidates = iter(self.candidates(constituency, exclude=exclude))
        for election in self.open_elections(city.council, constituency=constituency).filter(
            kind=Election.Kind.BY_ELECTION
        ):
            services.election_declare(
                actor=SYSTEM,
                election=election,
                elected=[(next(candidates), self.factions[key])],
                at=self.clock.tick(),
            )

    def congress_regular(self, at: datetime) -> None:
        """Each soviet sends delegates to the Congress in proportion to its own composition."""
        allocations = services.council_apportion(actor=SYSTEM, council=self.congress, at=at)
        allocated = {a.child_council_id: a.seats for a in allocations}
        delegates = {s.derives_from_id for s in self.open_seats(self.congress, at)}
        for city in self.cities:
            seats = self.open_seats(city.council, at)
            shares = Shares(Counter(self.key_of(s) for s in seats))
            pools: dict[str, list[Seat]] = defaultdict(list)
            # Sitting delegates first, so a re-elected delegate's seat carries on.
            for seat in sorted(seats, key=lambda s: s.pk not in delegates):
                pools[self.key_of(seat)].append(seat)
            elected = [(pools[key].pop(0).holder, None) for key in shares.take(allocated[city.council.pk])]
            election = services.election_open(
                actor=SYSTEM,
                council=self.congress,
                child_council=city.council,
                kind=Election.Kind.REGULAR,
                seats=len(elected),
                at=self.clock.tick(),
            )
            services.election_declare(actor=SYSTEM, election=election, elected=elected, at=self.clock.tick())

    def fill_congress(self, city: City) -> None:
        """Fill the Congress seats a soviet lost when its deputies' seats ended below.

        Each by-election goes to a deputy of the faction the delegation lacks most, measured
        against the soviet's composition now: the delegates follow their soviet.
        """
        open_elections = list(self.open_elections(self.congress, child_council=city.council))
        if not open_elections:
            return
        order = [row.key for row in data.FACTIONS]
        for election in open_elections:
            at = self.clock.tick()
            below = self.open_seats(city.council, at)
            upper = [s for s in self.open_seats(self.congress, at) if s.child_council_id == city.council.pk]
            sent = {s.derives_from_id for s in upper}
            below_counts = Counter(self.key_of(s) for s in below)
            upper_counts = Counter(self.key_of(s) for s in upper)
            size = len(upper) + election.seats
            free = [s for s in below if s.pk not in sent]
            # The first of equal claims in the table's order wins, so every run agrees.
            key = max(
                sorted({self.key_of(s) for s in free}, key=order.index),
                key=lambda k: (below_counts[k] * size / len(below) - upper_counts[k], below_counts[k]),
            )
            chosen = [s for s in free if self.key_of(s) == key][: election.seats]
            services.election_declare(
                actor=SYSTEM,
                election=election,
                elected=[(s.holder, None) for s in chosen],
                at=at,
            )

    def autumn_reelections(self, city: City, start: date) -> None:
        """From ``start``, factories and then regiments re-elect their deputies, two a day, until
        the Bolsheviks hold more than half of the soviet's seats."""
        assert city.row.majority_by is not None
        shares = {section: Shares(s) for section, s in city.row.reelection.items()}
        # Workers' constituencies re-elect first, the largest first; then the regiments.
        order = sorted(
            (c for c in city.constituencies if c.slug not in data.KEPT),
            key=lambda c: (c.section != data.WORKERS, -len(self.members[c.pk])),
        )
        bolsheviks = self.factions[data.BOLSHEVIKS]
        moment = self.clock.on(start)
        for constituency in order:
            if selectors.composition_at(council=city.council, at=moment).majority == bolsheviks:
                break
            self.reelect(
                city, constituency, self.clock.on(moment.date(), moment.hour), shares[constituency.section]
            )
            moment += timedelta(hours=12)
        if (
            selectors.composition_at(council=city.council, at=self.clock.tick()).majority != bolsheviks
            or self.clock.last.date() > city.row.majority_by  # type: ignore[union-attr]
        ):
            raise RuntimeError(
                f"The demonstration's tables give {city.row.name} no Bolshevik majority in time."
            )
