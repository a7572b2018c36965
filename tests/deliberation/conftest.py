"""A council with deputies in two factions, an organizer, a chair and a congress above it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.deliberation import services
from councils.deliberation.models import Sitting
from councils.federation.models import Council, Faction, Officer, Organization, Seat
from tests.api.conftest import TokenClient, token_client
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatFactory,
    UserFactory,
)

NAMES = ["Anna Ivanova", "Boris Petrov", "Vera Smirnova", "Grigory Orlov", "Daria Volkova", "Yakov Sokolov"]


@dataclass
class Hall:
    organization: Organization
    council: Council
    reds: Faction
    greens: Faction
    seats: list[Seat]
    organizer: User
    chair: User
    outsider: User
    sitting: Sitting

    def user(self, i: int) -> User:
        return self.seats[i].holder.user


def build_hall(deputies: int = 5) -> Hall:
    organization = OrganizationFactory()
    council = CouncilFactory(organization=organization)
    constituency = ConstituencyFactory(council=council)
    reds = FactionFactory(organization=organization, name="Reds")
    greens = FactionFactory(organization=organization, name="Greens")
    # Names without apostrophes, so that tests can find them in escaped HTML.
    seats = [
        SeatFactory(
            constituency=constituency,
            faction=reds if i % 2 == 0 else greens,
            holder__name=NAMES[i] if i < len(NAMES) else f"Deputy {i:03d}",
        )
        for i in range(deputies)
    ]
    organizer = OfficerFactory(organization=organization, role=Officer.Role.ORGANIZER).user
    # The chair is a member of the organization (they see its pages) who holds no seat here.
    chair = MemberFactory(constituency=constituency).user
    sitting = services.sitting_create(
        actor=SYSTEM,
        council=council,
        title="First sitting",
        starts_at=timezone.now() + timedelta(hours=1),
        place="Smolny, hall 36",
        chair=chair,
    )
    return Hall(organization, council, reds, greens, seats, organizer, chair, UserFactory(), sitting)


@pytest.fixture
def hall(db) -> Hall:
    return build_hall()


def open_sitting(hall: Hall, present: int | None = None) -> Sitting:
    """Check in ``present`` deputies (default all) and open the sitting."""
    seats = hall.seats if present is None else hall.seats[:present]
    services.attendance_record(actor=hall.chair, sitting=hall.sitting, seats=seats, present=True)
    return services.sitting_open(actor=hall.chair, sitting=hall.sitting)


@pytest.fixture
def federation(hall):
    """The hall's council under a congress, with two delegates from it."""
    congress = CouncilFactory(organization=hall.organization, name="Congress")
    hall.council.parent = congress
    hall.council.save()
    delegates = [delegate_seat(congress, below, slot) for slot, below in enumerate(hall.seats[:2], start=1)]
    return congress, delegates


def delegate_seat(council: Council, below: Seat, slot: int) -> Seat:
    """A delegate's seat in ``council``, given by the council ``below`` sits in and deriving from it
    (a recall below ends it too)."""
    return Seat.objects.create(
        organization=council.organization,
        council=council,
        child_council=below.council,
        slot=slot,
        holder=below.holder,
        derives_from=below,
        start=below.start,
    )


_TOKENS = itertools.count()


def api_client(user: User) -> TokenClient:
    """A script's client for ``user``, with a personal API token of its own (a test may ask for the
    same person's twice)."""
    return token_client(user, name=f"script {next(_TOKENS)}")


def post_json(client: TokenClient, url: str, data: dict | None = None):
    """POST ``data`` (nothing by default) as JSON."""
    return client.post(url, data or {}, content_type="application/json")
