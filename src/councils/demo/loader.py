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

The story is told in four modules: ``story`` (the clock, the shares, the reading), ``elections``,
``recalls``, and this one (the structure, the members, and the whole story in order).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from councils.accounts import mail
from councils.accounts.actors import SYSTEM
from councils.demo import data
from councils.demo.recalls import Recalls
from councils.demo.story import City, Log
from councils.federation import services
from councils.federation.models import Bloc, Council, Member, Officer, Organization

# The soviets set no fixed term: a deputy sat until recalled or re-elected. Terms of two hundred
# years keep ``councils tick`` run today from calling 1917's councils to new elections.
TERM_DAYS = 200 * 365


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


class _Loader(Recalls):
    """The whole story, in order: the structure first, then 1917 move by move."""

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
            city = City(row=row, council=council)
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
