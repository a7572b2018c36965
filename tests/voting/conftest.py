"""A council of deputies and a constituency of members to vote, and an officer to run the polls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.client import ClientHandler

from councils import apiserving
from councils.accounts.services import token_create
from councils.apiserving import LightHandlerMixin
from councils.federation.models import Constituency, Council, Member, Officer, Organization
from councils.voting import services
from councils.voting.models import Poll
from tests.api.conftest import TokenClient
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    MemberFactory,
    OfficerFactory,
    SeatFactory,
    UserFactory,
)


@dataclass
class Body:
    organization: Organization
    council: Council
    constituency: Constituency
    deputies: list[Member]
    officer: User
    outsider: User

    def poll(self, **kwargs) -> Poll:
        """A poll of the council's deputies (a motion unless told otherwise), opened unless told."""
        open_it = kwargs.pop("open", True)
        kwargs.setdefault("kind", Poll.Kind.MOTION)
        kwargs.setdefault("title", "Motion on the land decree")
        if "electorate_constituency" not in kwargs:
            kwargs.setdefault("electorate_council", self.council)
        poll = services.poll_create(actor=self.officer, organization=self.organization, **kwargs)
        if open_it:
            poll = services.poll_open(actor=self.officer, poll=poll)
        return poll


def make_body(deputies: int = 5) -> Body:
    council = CouncilFactory()
    organization = council.organization
    constituency = ConstituencyFactory(council=council)
    seats = [SeatFactory(constituency=constituency, council=council) for _ in range(deputies)]
    officer = UserFactory()
    OfficerFactory(organization=organization, user=officer, role=Officer.Role.RETURNING_OFFICER)
    # Members who hold no seat: the constituency has more members than deputies.
    for _ in range(3):
        MemberFactory(constituency=constituency)
    return Body(
        organization=organization,
        council=council,
        constituency=constituency,
        deputies=[s.holder for s in seats],
        officer=officer,
        outsider=UserFactory(),
    )


@pytest.fixture
def body(db) -> Body:
    return make_body()


@pytest.fixture(autouse=True)
def _fresh_poll_cache():
    # Rolled-back tests may give a poll id again (SQLite): the process cache of polls must not
    # carry one test's poll into the next.
    from councils.voting import selectors

    selectors._poll_cache.clear()
    yield
    selectors._poll_cache.clear()


class LightClientHandler(LightHandlerMixin, ClientHandler):
    """The test client's handler with the lighter path's middleware and routing (councils.apiserving)."""


class _Dispatching:
    """Hands each request to the lighter handler when ``councils serve`` would, else to the full one."""

    def __init__(self, full: ClientHandler) -> None:
        self.full = full
        self.light = LightClientHandler(enforce_csrf_checks=full.enforce_csrf_checks)

    def __call__(self, environ: dict[str, Any]) -> Any:
        return (self.light if apiserving.environ_is_token_request(environ) else self.full)(environ)


class LightTokenClient(TokenClient):
    """A token client whose casts take the lighter path (``councils.apiserving``), as under the server."""

    def __init__(self, secret: str, **kwargs: Any) -> None:
        super().__init__(secret, **kwargs)
        self.handler = _Dispatching(self.handler)  # type: ignore[assignment]


@pytest.fixture(params=["session", "token"])
def client_of(request) -> Callable[[User], Client]:
    """A client acting as a user: signed in by session, or by a personal API token (casts then take
    the lighter path)."""

    made: dict[int, Client] = {}

    def make(user: User) -> Client:
        if request.param == "token":
            if user.pk not in made:  # a token's name is unique per person
                _token, secret = token_create(actor=user, name="test script")
                made[user.pk] = LightTokenClient(secret)
            return made[user.pk]
        client = Client()
        client.force_login(user)
        return client

    return make
