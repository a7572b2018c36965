"""Personas for the API tests: a member, a deputy, an organizer, an outsider (a member of another
organization) and anonymous; clients signed in by session or by personal API token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from councils.accounts.services import token_create
from councils.federation.models import Officer
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
    UserFactory,
)


class TokenClient(Client):
    """A client that sends a personal API token with every request, as a script would."""

    def __init__(self, secret: str, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)


@dataclass
class World:
    """One organization with a council, a constituency, a faction and a deputy, and the people around it."""

    organization: Any
    council: Any
    constituency: Any
    faction: Any
    seat: Any
    member: Any
    organizer: Any
    outsider: Any

    def url(self, tail: str = "") -> str:
        return f"/api/organizations/{self.organization.slug}{tail}"


@pytest.fixture
def world(db, request: pytest.FixtureRequest) -> World:
    organization = OrganizationFactory(name="Petrograd Soviet", slug="petrograd")
    # Tests marked ``with_congress`` find the soviet under a congress, to which it sends delegates.
    congress = (
        CouncilFactory(organization=organization, name="Congress", slug="congress", members_per_seat=3)
        if request.node.get_closest_marker("with_congress")
        else None
    )
    council = CouncilFactory(
        organization=organization, name="Petrograd Soviet", slug="soviet", parent=congress
    )
    constituency = ConstituencyFactory(council=council, name="Putilov Works", slug="putilov")
    faction = FactionFactory(organization=organization, name="Bolsheviks", short_name="B", position=1)
    SeatAllocationFactory(council=council, constituency=constituency, seats=2)
    seat = SeatFactory(constituency=constituency, faction=faction, slot=1, holder__name="Deputy Ivanova")
    member = MemberFactory(constituency=constituency, name="Member Petrov")
    MemberFactory(constituency=constituency, name="Member Sidorov")
    organizer = OfficerFactory(organization=organization, role=Officer.Role.ORGANIZER).user
    other = OrganizationFactory(name="Moscow Soviet", slug="moscow")
    outsider = MemberFactory(
        constituency=ConstituencyFactory(council=CouncilFactory(organization=other))
    ).user
    return World(
        organization=organization,
        council=council,
        constituency=constituency,
        faction=faction,
        seat=seat,
        member=member,
        organizer=organizer,
        outsider=outsider,
    )


def session_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: Any, name: str = "script") -> TokenClient:
    _token, secret = token_create(actor=user, name=name)
    return TokenClient(secret)


@pytest.fixture
def member_client(world: World) -> Client:
    return session_client(world.member.user)


@pytest.fixture
def organizer_client(world: World) -> Client:
    return session_client(world.organizer)


@pytest.fixture
def outsider_client(world: World) -> Client:
    return session_client(world.outsider)


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


@pytest.fixture
def user(db) -> Any:
    return UserFactory()
