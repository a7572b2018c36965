"""The membership page: an organizer moves a member, a member ends their own membership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.federation.models import Member, Seat
from tests.factories import ConstituencyFactory, MemberFactory, OfficerFactory, SeatFactory

pytestmark = pytest.mark.django_db


def test_an_organizer_moves_a_deputy_and_the_seat_ends(client):
    seat = SeatFactory()
    deputy = seat.holder
    organizer = OfficerFactory(organization=deputy.organization).user
    other = ConstituencyFactory(organization=deputy.organization, council=seat.council, name="Obukhov Works")
    url = reverse("member", args=[deputy.organization.slug, deputy.pk])
    client.force_login(organizer)

    page = client.get(url)
    assert page.status_code == 200 and "Move to another constituency" in page.content.decode()
    response = client.post(url, {"action": "move", "constituency": other.pk}, follow=True)

    assert response.status_code == 200
    assert "now belongs to Obukhov Works" in response.content.decode()
    assert Member.objects.get(user=deputy.user, left_at__isnull=True).constituency == other
    seat.refresh_from_db()
    assert seat.end_reason == Seat.EndReason.MOVED


def test_a_member_ends_their_own_membership_but_cannot_move(client):
    member = MemberFactory()
    other = ConstituencyFactory(organization=member.organization, council=member.constituency.council)
    url = reverse("member", args=[member.organization.slug, member.pk])
    client.force_login(member.user)

    assert "Move to another constituency" not in client.get(url).content.decode()
    refused = client.post(url, {"action": "move", "constituency": other.pk})
    assert refused.status_code == 403
    client.post(url, {"action": "leave"})
    member.refresh_from_db()
    assert member.left_reason == Member.LeftReason.LEFT


def test_another_member_may_not_end_a_membership(client):
    member = MemberFactory()
    other = MemberFactory(organization=member.organization, constituency=member.constituency)
    client.force_login(other.user)
    response = client.post(reverse("member", args=[member.organization.slug, member.pk]), {"action": "leave"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.left_at is None


def test_a_move_the_service_refuses_is_said_beside_the_constituency(client):
    member = MemberFactory(name="Nina Kuzmina")
    organizer = OfficerFactory(organization=member.organization).user
    url = reverse("member", args=[member.organization.slug, member.pk])
    client.force_login(organizer)

    response = client.post(url, {"action": "move", "constituency": member.constituency.pk})

    assert response.status_code == 400
    beside = response.content.decode().split('id="id_constituency-error"')[1].split("</ul>")[0]
    assert f"Nina Kuzmina is already a member of {member.constituency.name}." in beside
    member.refresh_from_db()
    assert member.left_at is None
