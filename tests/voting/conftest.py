"""A council of deputies and a constituency of members to vote, and an officer to run the polls."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from councils.federation.models import Constituency, Council, Member, Officer, Organization
from councils.voting import services
from councils.voting.models import Poll
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
