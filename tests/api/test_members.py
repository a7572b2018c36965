"""Members over the API: an organizer moves a member; a member leaves."""

from __future__ import annotations

from councils.audit.models import Event
from councils.federation.models import Member, Seat
from tests.api.conftest import token_client
from tests.factories import ConstituencyFactory


def test_an_organizer_moves_a_deputy_over_the_api(world):
    other = ConstituencyFactory(council=world.council, organization=world.organization, slug="obukhov")
    client = token_client(world.organizer)
    response = client.post(
        world.url(f"/members/{world.seat.holder_id}/move"),
        {"constituency": "obukhov"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["constituency"] == "obukhov" and body["moved_from"] == world.seat.holder_id
    world.seat.refresh_from_db()
    assert world.seat.end_reason == Seat.EndReason.MOVED
    assert Event.objects.filter(kind="member.moved").count() == 1
    assert Member.objects.get(pk=body["id"]).constituency == other


def test_an_unknown_constituency_is_named_and_nothing_changes(world):
    client = token_client(world.organizer)
    response = client.post(
        world.url(f"/members/{world.member.pk}/move"),
        {"constituency": "nowhere"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["constituency"]
    world.member.refresh_from_db()
    assert world.member.left_at is None


def test_a_member_leaves_and_another_may_not_make_them(world):
    assert (
        token_client(world.outsider).post(world.url(f"/members/{world.member.pk}/leave")).status_code == 403
    )
    response = token_client(world.member.user).post(world.url(f"/members/{world.member.pk}/leave"))
    assert response.status_code == 200
    assert response.json()["left_reason"] == "left"
