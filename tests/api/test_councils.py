"""Reading an organization's structure: councils, composition at a moment, seats, majorities,
constituencies, factions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.federation import services
from councils.federation.models import Officer
from tests.api.conftest import session_client
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
)


def test_the_list_of_organizations_holds_those_the_caller_belongs_to(world, member_client):
    OrganizationFactory(name="Kronstadt Soviet", slug="kronstadt")
    response = member_client.get("/api/organizations")
    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "petrograd",
            "name": "Petrograd Soviet",
            "description": "",
            "created_at": response.json()[0]["created_at"],
        }
    ]


def test_an_officer_sees_the_organizations_they_serve(world):
    officer = OfficerFactory(organization=world.organization, role=Officer.Role.RETURNING_OFFICER).user
    slugs = [o["slug"] for o in session_client(officer).get("/api/organizations").json()]
    assert slugs == ["petrograd"]


def test_an_unknown_organization_is_not_found(world, member_client):
    response = member_client.get("/api/organizations/atlantis")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_organization(world, member_client):
    assert member_client.get(world.url()).json()["name"] == "Petrograd Soviet"


def test_the_council_tree_is_depth_first(world, member_client):
    district = CouncilFactory(
        organization=world.organization, parent=world.council, name="Vyborg", slug="vyborg"
    )
    response = member_client.get(world.url("/councils"))
    assert response.status_code == 200
    nodes = [
        (n["council"]["slug"], n["depth"], n["children"], n["council"]["parent"]) for n in response.json()
    ]
    assert nodes == [("soviet", 0, 1, None), ("vyborg", 1, 0, world.council.pk)]
    assert district.pk == response.json()[1]["council"]["id"]


def test_a_council_and_its_rules(world, member_client):
    response = member_client.get(world.url("/councils/soviet"))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Petrograd Soviet"
    assert body["seat_rule"] == "ratio"
    assert body["members_per_seat"] == 10
    assert body["recall_mode"] == "immediate"
    assert body["recall_threshold"] == "0.500"


def test_a_council_of_another_organization_is_not_found_under_this_one(world, member_client):
    CouncilFactory(slug="foreign")
    assert member_client.get(world.url("/councils/foreign")).status_code == 404


def test_the_composition_now(world, member_client):
    response = member_client.get(world.url("/councils/soviet/composition"))
    assert response.status_code == 200
    body = response.json()
    assert body["council"] == "soviet"
    assert (body["allocated"], body["filled"], body["vacant"]) == (2, 1, 1)
    assert body["majority"]["name"] == "Bolsheviks"
    assert body["largest"]["name"] == "Bolsheviks"
    assert body["majority_needed"] == 1
    assert body["vacancies"] == [{"part": "Putilov Works", "count": 1}]
    assert body["factions"] == [
        {"faction": body["majority"], "seats": 1, "by_section": {"workers": 1}},
    ]
    [seat] = body["seats"]
    assert seat["id"] == world.seat.pk
    assert seat["holder"] == "Deputy Ivanova"
    assert seat["part"] == "Putilov Works"
    assert seat["faction"]["colour"] == world.faction.colour
    assert seat["end"] is None


def test_the_composition_at_a_past_date(world, member_client):
    # The seat started 200 days ago, the allocation 300: 250 days ago both seats stood empty.
    day = (timezone.now() - timedelta(days=250)).date().isoformat()
    body = member_client.get(world.url(f"/councils/soviet/composition?at={day}")).json()
    assert (body["filled"], body["vacant"], body["majority"]) == (0, 2, None)
    assert body["at"].startswith(day)


def test_the_composition_at_a_moment_with_an_offset(world, member_client):
    moment = (world.seat.start + timedelta(minutes=1)).isoformat()
    response = member_client.get(world.url("/councils/soviet/composition"), {"at": moment})
    assert response.json()["filled"] == 1


@pytest.mark.parametrize("value", ["yesterday", "1917-13-01", "1917-02-30", "25/10/1917"])
def test_a_malformed_moment_is_refused_naming_the_parameter(world, member_client, value):
    response = member_client.get(world.url("/councils/soviet/composition"), {"at": value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "at"]
    assert "ISO 8601" in error["msg"]


def _council_with_seats(organization, count: int):
    council = CouncilFactory(organization=organization, slug=f"council-of-{count}")
    factions = [FactionFactory(organization=organization) for _ in range(3)]
    for i in range(count):
        constituency = ConstituencyFactory(council=council, section="soldiers" if i % 2 else "workers")
        SeatAllocationFactory(council=council, constituency=constituency, seats=2)
        SeatFactory(constituency=constituency, faction=factions[i % 3] if i % 4 else None, slot=1)
    return council


@pytest.mark.parametrize("size", [3, 40])
def test_the_composition_costs_the_same_queries_however_many_seats(
    world, member_client, django_assert_max_num_queries, size
):
    council = _council_with_seats(world.organization, size)
    # Session, user, organization, permission, council, the stream's head (the read cache's key),
    # seats with their factions, their terms, allocations, the blocs in force: the same at 3 and 40.
    with django_assert_max_num_queries(10):
        response = member_client.get(world.url(f"/councils/{council.slug}/composition"))
    assert response.status_code == 200
    assert response.json()["filled"] == size
    assert response.json()["vacant"] == size
    assert len({s["part"] for s in response.json()["seats"]}) == size


@pytest.mark.parametrize("size", [3, 40])
def test_the_seats_cost_the_same_queries_however_many(
    world, member_client, django_assert_max_num_queries, size
):
    council = _council_with_seats(world.organization, size)
    # Session, user, organization, permission, council, seats with their factions, their terms.
    with django_assert_max_num_queries(7):
        response = member_client.get(world.url(f"/councils/{council.slug}/seats"))
    assert len(response.json()["items"]) == response.json()["count"] == size


def test_the_seats_now_and_then(world, member_client):
    later = SeatFactory(
        constituency=world.constituency,
        slot=2,
        start=timezone.now() - timedelta(days=10),
        holder__name="Deputy Orlov",
    )
    now = member_client.get(world.url("/councils/soviet/seats")).json()["items"]
    assert sorted(s["holder"] for s in now) == ["Deputy Ivanova", "Deputy Orlov"]
    day = (timezone.now() - timedelta(days=100)).date().isoformat()
    then = member_client.get(world.url(f"/councils/soviet/seats?at={day}")).json()["items"]
    assert [s["id"] for s in then] == [world.seat.pk]
    assert later.pk not in [s["id"] for s in then]


def test_an_ended_seat_shows_its_end_when_asked_about_its_time(world, member_client):
    ended = timezone.now() - timedelta(days=5)
    services.seat_resign(actor=SYSTEM, seat=world.seat, at=ended)
    assert member_client.get(world.url("/councils/soviet/seats")).json()["items"] == []
    day = (timezone.now() - timedelta(days=50)).date().isoformat()
    [seat] = member_client.get(world.url(f"/councils/soviet/seats?at={day}")).json()["items"]
    assert seat["end_reason"] == "resignation"


def test_the_majority_map(world, member_client):
    CouncilFactory(organization=world.organization, parent=world.council, name="Vyborg", slug="vyborg")
    response = member_client.get(world.url("/majority-map"))
    assert response.status_code == 200
    rows = {r["council"]["slug"]: r for r in response.json()}
    assert rows["soviet"]["majority"]["name"] == "Bolsheviks"
    assert (rows["soviet"]["filled"], rows["soviet"]["allocated"]) == (1, 2)
    assert rows["vyborg"]["majority"] is None
    assert rows["vyborg"]["depth"] == 1


def test_the_majority_map_at_a_past_date(world, member_client):
    day = (timezone.now() - timedelta(days=250)).date().isoformat()
    [row] = member_client.get(world.url(f"/majority-map?at={day}")).json()
    assert row["majority"] is None and row["filled"] == 0


def test_the_constituencies(world, member_client):
    response = member_client.get(world.url("/constituencies"))
    assert response.json()["count"] == 1
    assert response.json()["items"] == [
        {
            "id": world.constituency.pk,
            "slug": "putilov",
            "name": "Putilov Works",
            "section": "workers",
            "council": world.council.pk,
        }
    ]


def test_a_constituency_with_its_deputies(world, member_client):
    response = member_client.get(world.url("/constituencies/putilov"))
    assert response.status_code == 200
    body = response.json()
    assert body["constituency"]["slug"] == "putilov"
    # The deputy, the member and one more.
    assert body["members"] == 3
    [deputy] = body["deputies"]
    assert (deputy["seat"], deputy["holder"], deputy["council"]) == (
        world.seat.pk,
        "Deputy Ivanova",
        "soviet",
    )
    assert deputy["faction"]["short_name"] == "B"
    assert body["petitions"] == []


def test_an_unknown_constituency_is_not_found(world, member_client):
    assert member_client.get(world.url("/constituencies/nowhere")).status_code == 404


def test_the_factions_left_to_right(world, member_client):
    FactionFactory(organization=world.organization, name="Mensheviks", short_name="M", position=2)
    FactionFactory(organization=world.organization, name="Left SRs", short_name="LSR", position=0)
    names = [f["name"] for f in member_client.get(world.url("/factions")).json()]
    assert names == ["Left SRs", "Bolsheviks", "Mensheviks"]


def test_a_former_member_is_refused(world):
    client = session_client(world.member.user)
    services.member_leave(actor=world.member.user, member=world.member)
    assert client.get(world.url()).status_code == 403


def test_a_member_of_two_organizations_sees_both(world):
    MemberFactory(
        user=world.member.user,
        constituency=ConstituencyFactory(
            council=CouncilFactory(organization=OrganizationFactory(slug="kronstadt"))
        ),
    )
    slugs = [o["slug"] for o in session_client(world.member.user).get("/api/organizations").json()]
    assert sorted(slugs) == ["kronstadt", "petrograd"]


def test_a_constituency_costs_the_same_queries_however_many_deputies(world, member_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(world.url("/constituencies/putilov")).status_code == 200
        return len(ctx.captured_queries)

    count()  # a session's first request reads its user apart; later ones with the session
    one = count()
    for _ in range(4):
        SeatFactory(constituency=world.constituency, council=world.council, faction=world.faction)
    assert count() == one
