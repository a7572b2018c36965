"""Numbers people type are bounded by what the part, the model and the machine allow: an election
for 99,999 seats of a part that has 4 is refused naming `seats`, on every interface."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from councils.federation import services
from councils.federation.models import MAX_ELECTION_SEATS, Election
from tests.factories import (
    ConstituencyFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
    UserFactory,
)


@pytest.fixture
def part(db):
    org = OrganizationFactory()
    officer = UserFactory()
    OfficerFactory(organization=org, user=officer)
    constituency = ConstituencyFactory(organization=org, council__organization=org)
    SeatAllocationFactory(council=constituency.council, constituency=constituency, seats=4)
    return officer, constituency


def open_(part, **kwargs):
    officer, constituency = part
    return services.election_open(
        actor=officer, council=constituency.council, constituency=constituency, **kwargs
    )


def test_an_election_for_more_seats_than_the_part_has_is_refused(part):
    with pytest.raises(ValidationError) as caught:
        open_(part, seats=99_999)
    assert caught.value.message_dict["seats"] == [
        "This part has 4 seats: an election fills at most that many."
    ]
    assert not Election.objects.exists()
    assert open_(part, seats=4).seats == 4


def test_a_by_election_fills_at_most_the_vacant_seats(part):
    _officer, constituency = part
    SeatFactory(council=constituency.council, constituency=constituency, slot=1)
    with pytest.raises(ValidationError) as caught:
        open_(part, kind=Election.Kind.BY_ELECTION, seats=4)
    assert "3 vacant seats (of 4)" in caught.value.message_dict["seats"][0]
    assert open_(part, kind=Election.Kind.BY_ELECTION).seats == 3


def test_a_part_without_allocation_is_bounded_by_the_largest_council(part):
    officer, _ = part
    other = ConstituencyFactory(organization=part[1].organization, council=part[1].council)
    with pytest.raises(ValidationError) as caught:
        services.election_open(
            actor=officer, council=other.council, constituency=other, seats=MAX_ELECTION_SEATS + 1
        )
    assert "at most 5,000 seats" in caught.value.message_dict["seats"][0]


def test_the_api_refuses_too_many_seats_naming_the_field(part):
    from tests.api.conftest import token_client

    officer, constituency = part
    api = token_client(officer)
    url = f"/api/organizations/{constituency.organization.slug}/elections"
    body = {"council": constituency.council.slug, "constituency": constituency.slug, "seats": 99_999}
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "seats"]
    body["seats"] = 5
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["seats"]
    assert not Election.objects.exists()
