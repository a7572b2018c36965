"""A small organization built through the services, shared by the page and browser tests.

Petrograd has one council, the Petrograd Soviet, filled by two constituencies at one deputy per
two members. The Bolsheviks hold 2 of its 3 seats (a majority); recalling Anna, a Bolshevik
deputy of the Putilov Works, leaves 1 Bolshevik and 1 Menshevik: no majority. A petition to recall
her is open with one signature (Boris's) of the 2 required; Dora has not signed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from councils.federation import services
from councils.federation.models import (
    Constituency,
    Council,
    Faction,
    Member,
    Organization,
    RecallPetition,
    Seat,
)
from tests.factories import FactionFactory, MemberFactory, OfficerFactory, OrganizationFactory, UserFactory


@dataclass
class Petrograd:
    organizer: object
    org: Organization
    bolsheviks: Faction
    mensheviks: Faction
    soviet: Council
    putilov: Constituency
    obukhov: Constituency
    anna: Member  # Bolshevik deputy of the Putilov Works, facing recall
    viktor: Member  # Menshevik deputy of the Putilov Works
    boris: Member  # opened the petition
    dora: Member  # Putilov member who has not signed
    elena: Member  # Bolshevik deputy of the Obukhov Works
    petition: RecallPetition
    elected_at: datetime


def _member(constituency: Constituency, name: str, username: str) -> Member:
    return MemberFactory(
        constituency=constituency,
        name=name,
        user=UserFactory(username=username),
        joined_at=timezone.now() - timedelta(days=400),
    )


def build_petrograd(
    *, slug: str = "petrograd", congress: bool = False, start: datetime | None = None
) -> Petrograd:
    """Build the organization described in the module docstring, history starting 30 days ago (or
    at ``start``: a history long past, as the 1917 demonstration's); with ``congress``, under a
    "Congress of Soviets" (slug ``congress``) to which the soviet sends delegates. The petition
    opens yesterday, whenever the history started."""
    start = start if start is not None else timezone.now() - timedelta(days=30)
    organizer = UserFactory(username=f"{slug}-organizer")
    org = OrganizationFactory(name=slug.title(), slug=slug, description="Workers' and soldiers' deputies")
    OfficerFactory(organization=org, user=organizer)
    bolsheviks = FactionFactory(
        organization=org, name="Bolsheviks", short_name="B", colour="#b22222", position=0
    )
    mensheviks = FactionFactory(
        organization=org, name="Mensheviks", short_name="M", colour="#1f4e99", position=1
    )
    a = {"actor": organizer, "organization": org}
    above = (
        services.council_create(
            **a, name="Congress of Soviets", slug="congress", members_per_seat=6, at=start
        )
        if congress
        else None
    )
    soviet = services.council_create(
        **a,
        name="Petrograd Soviet",
        slug="soviet",
        parent=above,
        seat_rule="ratio",
        members_per_seat=2,
        at=start,
    )
    putilov = services.constituency_create(
        **a, council=soviet, name="Putilov Works", slug="putilov", section="workers", at=start
    )
    obukhov = services.constituency_create(
        **a, council=soviet, name="Obukhov Works", slug="obukhov", section="workers", at=start
    )
    anna = _member(putilov, "Anna Petrova", f"{slug}-anna")
    viktor = _member(putilov, "Viktor Orlov", f"{slug}-viktor")
    boris = _member(putilov, "Boris Ivanov", f"{slug}-boris")
    dora = _member(putilov, "Dora Kaplan", f"{slug}-dora")
    elena = _member(obukhov, "Elena Stasova", f"{slug}-elena")
    _member(obukhov, "Fyodor Sergeyev", f"{slug}-fyodor")

    services.council_apportion(actor=organizer, council=soviet, at=start + timedelta(days=1))
    elected_at = start + timedelta(days=2)
    for constituency, elected in (
        (putilov, [(anna, bolsheviks), (viktor, mensheviks)]),
        (obukhov, [(elena, bolsheviks)]),
    ):
        election = services.election_open(
            actor=organizer, council=soviet, constituency=constituency, at=start + timedelta(days=1)
        )
        services.election_declare(actor=organizer, election=election, elected=elected, at=elected_at)
    seat = Seat.objects.get(holder=anna, council=soviet, end__isnull=True)
    petition = services.petition_open(
        actor=boris.user, seat=seat, reason="Voted for the war credits", at=timezone.now() - timedelta(days=1)
    )
    return Petrograd(
        organizer,
        org,
        bolsheviks,
        mensheviks,
        soviet,
        putilov,
        obukhov,
        anna,
        viktor,
        boris,
        dora,
        elena,
        petition,
        elected_at,
    )
