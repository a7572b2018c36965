"""Load the demonstration "Petrograd 1917" through the services, at past dates.

The story: the soviets of Petrograd, Moscow and Kronstadt elect their deputies in March 1917 with
a Menshevik–SR majority in both capitals (the two factions form a bloc, which ends at the Second
Congress); the First All-Russian Congress of Soviets meets in June
with delegates sent by them; through August and September factories recall their deputies and
re-elect others, by-elections are won by Bolsheviks, and by the middle of September the Bolsheviks
hold "a majority in the soviets of the two capital cities"; SR deputies go over to the Left SRs;
the Second Congress meets in October with delegates who follow their soviets. Today, a recall
petition in the Putilov Works lacks one signature: the demonstration's ``worker`` can sign it and
see the seat become vacant.

The figures (members, deputies, shares of each faction, who is recalled when) are illustrative,
not historical: they are chosen to show how recall and re-election move a council's majority.
The names are generated from lists of Russian given names and surnames and belong to no one.

Every change goes through ``councils.federation.services`` (the loader acts as the system, or as
the members who open and sign petitions), so the audit chain records the whole history. The loader
reads with the selectors, and with a few plain queries where no selector answers its question
(who the members of a constituency are, who has ever sat for it).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from councils.accounts import mail
from councils.accounts.actors import SYSTEM
from councils.demo import data
from councils.federation import selectors, services
from councils.federation.models import (
    Bloc,
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Officer,
    Organization,
    Seat,
    Term,
)

# The soviets set no fixed term: a deputy sat until recalled or re-elected. Terms of two hundred
# years keep ``councils tick`` run today from calling 1917's councils to new elections.
TERM_DAYS = 200 * 365

# How many factories in each capital recall a deputy in August.
RECALLS_PER_CAPITAL = 3

Log = Callable[[str], None]


def load_demo(*, log: Log | None = None) -> Organization | None:
    """Load the demonstration; return its organization, or None if it is already loaded.

    Everything is written in one transaction: an interrupted load leaves nothing behind, and a
    second run (or one racing this one) finds the organization and changes nothing.
    """
    if Organization.objects.filter(slug=data.ORGANIZATION_SLUG).exists():
        return None
    try:
        # The demonstration's people do not exist: no invitation or notification goes to them.
        with transaction.atomic(), mail.quiet():
            return _Loader(log or (lambda message: None)).run()
    except ValidationError as e:
        # Another loader committed the organization between our check and our insert.
        if (
            "slug" in getattr(e, "message_dict", {})
            and Organization.objects.filter(slug=data.ORGANIZATION_SLUG).exists()
        ):
            return None
        raise


class _Clock:
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


class _Shares:
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
class _City:
    row: data.CouncilRow
    council: Council
    constituencies: list[Constituency] = field(default_factory=list)


class _Loader:
    def __init__(self, log: Log) -> None:
        self.log = log
        self.clock = _Clock()
        self.factions: dict[str, Faction] = {}
        self.faction_key: dict[int, str] = {}
        self.cities: list[_City] = []
        self.members: dict[int, list[Member]] = {}  # by constituency id, in roll order
        self.demo_users: set[int] = set()

    # --- the whole story ---------------------------------------------------------------------

    def run(self) -> Organization:
        d = data.DATES
        self.found(self.clock.on(d.founded))
        self.log("Organization, factions, councils and constituencies created.")
        self.enrol(self.clock.on(d.founded, 12))
        self.log(f"{sum(len(m) for m in self.members.values())} members enrolled.")
        for city in self.cities:
            self.march_elections(city, self.clock.on(d.march_elections))
        self.log("March elections declared.")
        bloc = self.menshevik_sr_bloc(self.clock.on(d.bloc_formed))
        self.a_resignation(self.clock.on(date(1917, 4, 20)))
        for city in self.cities:
            if city.row.slug == data.KRONSTADT.slug:
                for constituency in city.constituencies:
                    self.reelect(city, constituency, self.clock.on(d.kronstadt_reelections))
        self.congress_regular(self.clock.on(d.first_congress))
        self.log("First Congress of Soviets elected.")
        self.a_petition_that_expires(self.clock.on(date(1917, 7, 5)))
        # The petition's expiry is derived when read; tick writes it down.
        services.tick(at=self.clock.on(date(1917, 8, 5)))
        self.autumn_recalls()
        self.autumn_reelections(self.city(data.PETROGRAD.slug), d.petrograd_reelections)
        self.autumn_reelections(self.city(data.MOSCOW.slug), d.moscow_reelections)
        self.log("Recalls, by-elections and re-elections of August and September played.")
        self.left_sr_split(self.clock.on(d.left_sr_split))
        # The deliberation of October (councils.deliberation.demo): the all-city conference first.
        from councils.deliberation import demo as deliberation

        petrograd = self.city(data.PETROGRAD.slug).council
        conference = deliberation.load_conference(
            organization=self.organization,
            congress=self.congress,
            petrograd=petrograd,
            on=self.clock.on,
            log=self.log,
        )
        # Before the Congress's own first minute (9:00): the moments of the rest do not move.
        services.bloc_end(actor=SYSTEM, bloc=bloc, at=self.clock.on(d.second_congress, 8))
        self.log("The Menshevik–SR bloc formed in March and ended at the Second Congress.")
        self.congress_regular(self.clock.on(d.second_congress))
        self.log("Second Congress of Soviets elected.")
        deliberation.load_second_congress(
            conference=conference, congress=self.congress, petrograd=petrograd, on=self.clock.on, log=self.log
        )
        # The polls of October to December (councils.voting.demo): what the voting app decides.
        from councils.voting import demo as voting

        voters = data.ConstituencyRow(
            voting.DISTRICT_SLUG, voting.DISTRICT_NAME, data.WORKERS, voting.DISTRICT_VOTERS
        )
        enrolled = sum(c.members for row in data.CITY_SOVIETS for c in row.constituencies)
        voting.load_polls(
            organization=self.organization,
            congress=self.congress,
            kronstadt=self.city(data.KRONSTADT.slug).council,
            factions=self.factions,
            names=data.member_names(voters, enrolled),
            on=self.clock.on,
            tick=self.clock.tick,
            log=self.log,
        )
        self.open_petitions_now()
        return self.organization

    # --- structure ---------------------------------------------------------------------------

    def found(self, at: datetime) -> None:
        User = get_user_model()
        organizer = User.objects.create_user(
            username=data.ORGANIZER_USERNAME,
            email="organizer@soviets-1917.example",
            password=data.DEMO_PASSWORD,
            first_name="Organizer",
            # Staff status lets the organizer into the admin, which shows only their organization.
            is_staff=True,
        )
        self.organization = services.organization_create(
            actor=SYSTEM,
            name=data.ORGANIZATION_NAME,
            slug=data.ORGANIZATION_SLUG,
            description=data.ORGANIZATION_DESCRIPTION,
            at=at,
        )
        org = self.organization
        services.officer_appoint(
            actor=SYSTEM, organization=org, user=organizer, role=Officer.Role.ORGANIZER, at=at
        )
        for faction_row in data.FACTIONS:
            faction = services.faction_create(
                actor=SYSTEM,
                organization=org,
                name=faction_row.name,
                short_name=faction_row.short_name,
                colour=faction_row.colour,
                position=faction_row.position,
                at=self.clock.tick(),
            )
            self.factions[faction_row.key] = faction
            self.faction_key[faction.pk] = faction_row.key
        self.congress = services.council_create(
            actor=SYSTEM,
            organization=org,
            name=data.CONGRESS_NAME,
            slug=data.CONGRESS_SLUG,
            seat_rule=Council.SeatRule.FIXED,
            total_seats=data.CONGRESS_SEATS,
            apportionment_method=Council.Apportionment.SAINTE_LAGUE,
            term_days=TERM_DAYS,
            at=self.clock.tick(),
        )
        for row in data.CITY_SOVIETS:
            council = services.council_create(
                actor=SYSTEM,
                organization=org,
                name=row.name,
                slug=row.slug,
                parent=self.congress,
                seat_rule=Council.SeatRule.RATIO,
                members_per_seat=row.members_per_seat,
                minimum_seats=1,
                term_days=TERM_DAYS,
                at=self.clock.tick(),
            )
            city = _City(row=row, council=council)
            for c in row.constituencies:
                city.constituencies.append(
                    services.constituency_create(
                        actor=SYSTEM,
                        organization=org,
                        council=council,
                        name=c.name,
                        slug=c.slug,
                        section=c.section,
                        at=self.clock.tick(),
                    )
                )
            self.cities.append(city)

    def enrol(self, at: datetime) -> None:
        """Import the generated members in one go, then add the two demonstration accounts."""
        rows: list[tuple[str, str, str]] = []
        offset = 0
        for row in data.CITY_SOVIETS:
            for c in row.constituencies:
                rows += [(name, email, c.slug) for name, email in data.member_names(c, offset)]
                offset += c.members
        services.members_import(actor=SYSTEM, organization=self.organization, rows=rows, at=at)
        User = get_user_model()
        by_slug = {c.slug: c for city in self.cities for c in city.constituencies}
        for username, name, slug in (
            (data.WORKER_USERNAME, "Pyotr Kuzmin", data.WORKER_CONSTITUENCY),
            (data.SOLDIER_USERNAME, "Semyon Rodionov", data.SOLDIER_CONSTITUENCY),
        ):
            given, surname = name.split()
            user = User.objects.create_user(
                username=username,
                email=f"{username}@soviets-1917.example",
                password=data.DEMO_PASSWORD,
                first_name=given,
                last_name=surname,
            )
            self.demo_users.add(user.pk)
            services.member_add(
                actor=SYSTEM,
                organization=self.organization,
                user=user,
                constituency=by_slug[slug],
                name=name,
                at=self.clock.tick(),
            )
        self.members = defaultdict(list)
        for member in (
            Member.objects.filter(organization=self.organization).select_related("user").order_by("pk")
        ):
            self.members[member.constituency_id].append(member)

    def menshevik_sr_bloc(self, at: datetime) -> Bloc:
        """The Mensheviks and the SRs lead the soviets together from March: the spring majority
        of both capitals is theirs as a bloc, not any one faction's."""
        return services.bloc_form(
            actor=SYSTEM,
            organization=self.organization,
            name=data.MENSHEVIK_SR_BLOC,
            factions=[self.factions[key] for key in data.MENSHEVIK_SR_BLOC_FACTIONS],
            at=at,
        )

    # --- elections ---------------------------------------------------------------------------

    def march_elections(self, city: _City, at: datetime) -> None:
        services.council_apportion(actor=SYSTEM, council=city.council, at=at)
        shares = {section: _Shares(s) for section, s in city.row.march.items()}
        for constituency in city.constituencies:
            election = services.election_open(
                actor=SYSTEM, council=city.council, constituency=constituency, at=self.clock.tick()
            )
            keys = shares[constituency.section].take(election.seats)
            candidates = self.candidates(constituency, exclude=set())
            elected = [(candidates[i], self.factions[key]) for i, key in enumerate(keys)]
            services.election_declare(actor=SYSTEM, election=election, elected=elected, at=self.clock.tick())

    def reelect(
        self, city: _City, constituency: Constituency, at: datetime, shares: _Shares | None = None
    ) -> None:
        """A factory or regiment re-elects its deputies: sitting deputies of a faction still
        chosen keep their seat (and their delegate seats above), the others make way."""
        shares = shares or _Shares(city.row.reelection[constituency.section])
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

    def by_election(self, city: _City, constituency: Constituency, key: str, at: datetime) -> None:
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
            shares = _Shares(Counter(self.key_of(s) for s in seats))
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

    def fill_congress(self, city: _City) -> None:
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

    # --- recall ------------------------------------------------------------------------------

    def recall(self, city: _City, seat: Seat, at: datetime, *, reason: str) -> None:
        """Constituents open a petition against ``seat`` and sign it until the seat ends."""
        assert seat.constituency_id is not None  # a city soviet's seats are held for constituencies
        signers = iter(self.signers(seat.constituency_id, exclude={seat.holder_id}))
        petition = services.petition_open(actor=next(signers).user, seat=seat, reason=reason, at=at)
        recalled = petition.status != petition.Status.OPEN
        while not recalled:
            outcome = services.petition_sign(
                actor=next(signers).user, petition=petition, at=self.clock.tick()
            )
            recalled = outcome.recalled

    def a_resignation(self, at: datetime) -> None:
        """A non-party deputy of the Petrograd Soviet resigns in April; a Menshevik succeeds."""
        city = self.city(data.PETROGRAD.slug)
        seat = next(s for s in self.open_seats(city.council, at) if self.key_of(s) == data.OTHERS)
        services.seat_resign(actor=SYSTEM, seat=seat, at=at)
        constituency = next(c for c in city.constituencies if c.pk == seat.constituency_id)
        self.by_election(city, constituency, data.MENSHEVIKS, self.clock.on(date(1917, 5, 3)))

    def a_petition_that_expires(self, at: datetime) -> None:
        """After the July Days a petition against a Bolshevik deputy gathers a few signatures and
        lapses: not every petition succeeds."""
        city = self.city(data.PETROGRAD.slug)
        seat = next(
            s
            for s in self.open_seats(city.council, at)
            if self.key_of(s) == data.BOLSHEVIKS
            and s.constituency is not None
            and s.constituency.slug not in data.KEPT
        )
        assert seat.constituency_id is not None  # a city soviet's seats are held for constituencies
        signers = iter(self.signers(seat.constituency_id, exclude={seat.holder_id}))
        petition = services.petition_open(
            actor=next(signers).user, seat=seat, reason="For the armed demonstration of 3-4 July.", at=at
        )
        for _ in range(5):
            services.petition_sign(actor=next(signers).user, petition=petition, at=self.clock.tick())

    def autumn_recalls(self) -> None:
        """August: three factories in each capital recall a Menshevik or SR deputy; Bolsheviks win
        the by-elections two days later, and the soviet sends a new delegate to the Congress.

        The smaller factories recall (fewer signatures to play: the load stays quick); the larger
        ones re-elect their deputies in September.
        """
        plans = []
        for n, slug in enumerate((data.PETROGRAD.slug, data.MOSCOW.slug)):
            city = self.city(slug)
            factories = sorted(
                (c for c in city.constituencies if c.section == data.WORKERS and c.slug not in data.KEPT),
                key=lambda c: len(self.members[c.pk]),
            )
            for i, constituency in enumerate(factories[:RECALLS_PER_CAPITAL]):
                # The two cities alternate, every three days from the first.
                plans.append((data.DATES.recalls_from + timedelta(days=6 * i + 3 * n), city, constituency))
        for day, city, constituency in sorted(plans, key=lambda p: p[0]):
            at = self.clock.on(day)
            targets = [
                s
                for s in self.open_seats(city.council, at)
                if s.constituency_id == constituency.pk and self.key_of(s) in (data.MENSHEVIKS, data.SRS)
            ]
            if not targets:
                continue
            self.recall(city, targets[0], at, reason="For supporting the coalition with the bourgeoisie.")
            self.by_election(city, constituency, data.BOLSHEVIKS, self.clock.on(day + timedelta(days=2), 12))
            self.fill_congress(city)

    def autumn_reelections(self, city: _City, start: date) -> None:
        """From ``start``, factories and then regiments re-elect their deputies, two a day, until
        the Bolsheviks hold more than half of the soviet's seats."""
        assert city.row.majority_by is not None
        shares = {section: _Shares(s) for section, s in city.row.reelection.items()}
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

    def left_sr_split(self, at: datetime) -> None:
        """Half the SR deputies of each soviet's regiments go over to the Left SRs."""
        for city in self.cities:
            srs = [
                s
                for s in self.open_seats(city.council, at)
                if self.key_of(s) == data.SRS and s.section == data.SOLDIERS
            ]
            for seat in srs[: math.ceil(len(srs) / 2)]:
                services.deputy_change_faction(
                    actor=SYSTEM,
                    member=seat.holder,
                    faction=self.factions[data.LEFT_SRS],
                    at=self.clock.tick(),
                )

    def open_petitions_now(self) -> None:
        """Today: a petition in the worker's factory one signature short, one in the soldier's
        regiment a quarter signed. Their period runs from today."""
        for slug, reason, share in (
            (data.WORKER_CONSTITUENCY, "For voting against the transfer of power to the soviets.", None),
            (data.SOLDIER_CONSTITUENCY, "For not reporting back to the regiment.", 0.25),
        ):
            constituency = Constituency.objects.get(organization=self.organization, slug=slug)
            city = next(c for c in self.cities if c.council.pk == constituency.council_id)
            now = timezone.now()
            seats = [s for s in self.open_seats(city.council, now) if s.constituency_id == constituency.pk]
            # Against a Menshevik or SR if there is one, as the worker's petition is.
            seats.sort(key=lambda s: self.key_of(s) not in (data.MENSHEVIKS, data.SRS))
            seat = seats[0]
            signers = iter(self.signers(constituency.pk, exclude={seat.holder_id}))
            petition = services.petition_open(actor=next(signers).user, seat=seat, reason=reason)
            goal = petition.required - 1 if share is None else math.ceil(petition.required * share)
            for _ in range(goal - 1):
                services.petition_sign(actor=next(signers).user, petition=petition)

    # --- reading -----------------------------------------------------------------------------

    def city(self, slug: str) -> _City:
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
