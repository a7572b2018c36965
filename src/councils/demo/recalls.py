"""The demonstration's recalls: petitions opened and signed by constituents, a resignation, a
petition that lapses, the recalls of August, and today's open petitions."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.demo import data
from councils.demo.elections import Elections
from councils.demo.story import City
from councils.federation import services
from councils.federation.models import Constituency, Seat

# How many factories in each capital recall a deputy in August.
RECALLS_PER_CAPITAL = 3


class Recalls(Elections):
    """The loader's recalls: petitions opened and signed by the members who would sign them."""

    def recall(self, city: City, seat: Seat, at: datetime, *, reason: str) -> None:
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
