"""Privacy in the API: members read each other's names, never their e-mail addresses; organizers and
returning officers, whose work needs them, read the addresses too."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from councils.audit.services import event_record
from councils.federation.models import Member, Officer
from councils.federation.services import officer_appoint, petition_open
from tests.api.conftest import session_client, token_client
from tests.factories import MemberFactory, OfficerFactory


def _signer(world) -> Member:
    """A constituent whose user name is their e-mail address, as imported members' are."""
    user = get_user_model().objects.create_user(
        username="vera.signer@putilov.example", email="vera.signer@putilov.example"
    )
    return MemberFactory(constituency=world.constituency, user=user, name="Vera Signer")


def test_members_read_signers_by_name_and_no_address_anywhere(world, member_client):
    vera = _signer(world)
    petition_open(actor=vera.user, seat=world.seat)
    response = member_client.get(world.url("/events"))
    [event] = response.json()["items"]
    assert event["actor"] == "Vera Signer"
    assert "@" not in response.content.decode()


@pytest.mark.parametrize("role", [Officer.Role.ORGANIZER, Officer.Role.RETURNING_OFFICER])
def test_officers_read_the_address_too(world, role):
    vera = _signer(world)
    petition_open(actor=vera.user, seat=world.seat)
    officer = OfficerFactory(organization=world.organization, role=role).user
    [event] = token_client(officer).get(world.url("/events")).json()["items"]
    assert event["actor"] == "Vera Signer <vera.signer@putilov.example>"


def test_an_address_recorded_in_an_old_event_is_hidden_from_members(world, member_client, organizer_client):
    # Before names were recorded, appointing an officer stored their user name: often an address.
    event_record(
        organization=world.organization,
        kind="officer.appointed",
        actor=world.organizer,
        target=world.organization,
        data={
            "user": world.member.user.pk,
            "role": "returning_officer",
            "username": "petrov@putilov.example",
        },
    )
    seen = member_client.get(world.url("/events")).json()["items"][0]
    assert "petrov@putilov.example" not in json.dumps(seen)
    assert seen["summary"] == "[address hidden] appointed returning officer"
    assert seen["data"]["username"] == "[address hidden]"
    official = organizer_client.get(world.url("/events")).json()["items"][0]
    assert official["summary"] == "petrov@putilov.example appointed returning officer"


def test_an_appointment_now_records_the_name_not_the_address(world, member_client):
    user = get_user_model().objects.create_user(username="olga@putilov.example", email="olga@putilov.example")
    MemberFactory(constituency=world.constituency, user=user, name="Olga Officer")
    officer_appoint(
        actor=world.organizer, organization=world.organization, user=user, role=Officer.Role.RETURNING_OFFICER
    )
    [event] = member_client.get(world.url("/events")).json()["items"][:1]
    assert event["summary"] == "Olga Officer appointed returning officer"
    assert event["data"] == {
        "user": user.pk,
        "role": "returning_officer",
        "name": "Olga Officer",
        "username": "",
    }


def test_a_membership_shows_the_address_to_organizers_only(world, member_client, organizer_client):
    url = world.url(f"/members/{world.member.pk}")
    as_member = member_client.get(url).json()
    assert as_member["email"] is None and as_member["can_sign_in"] is None
    as_organizer = organizer_client.get(url).json()
    assert as_organizer["email"] == world.member.user.email
    assert as_organizer["can_sign_in"] is True


def test_the_events_cost_the_same_queries_for_one_actor_or_many(world, django_assert_max_num_queries):
    client = session_client(world.member.user)
    for i in range(30):
        m = MemberFactory(constituency=world.constituency, name=f"Signer {i}")
        event_record(
            organization=world.organization,
            kind="faction.created",
            actor=m.user,
            target=world.organization,
            data={"name": f"F{i}", "colour": "#000000"},
        )
    with django_assert_max_num_queries(12):
        body = client.get(world.url("/events")).json()
    assert {e["actor"] for e in body["items"]} == {f"Signer {i}" for i in range(30)}


def test_an_organizer_resends_an_invitation(
    transactional_db, world, organizer_client, member_client, mailoutbox
):
    # Real commits: the answer says whether the mail server took the message, sent after the commit.
    newcomer = MemberFactory(constituency=world.constituency, name="New Comer")
    newcomer.user.set_unusable_password()
    newcomer.user.save()
    url = world.url(f"/members/{newcomer.pk}/invite")
    assert member_client.post(url).status_code == 403
    response = organizer_client.post(url)
    assert response.status_code == 200
    assert response.json() == {"member": newcomer.pk, "sent": True}
    [message] = mailoutbox
    assert message.to == [newcomer.user.email]
    assert "/accounts/invitation/" in message.body
    # Someone who can sign in already needs no invitation: refused, naming the member.
    refused = organizer_client.post(world.url(f"/members/{world.member.pk}/invite"))
    assert refused.status_code == 400
    assert "has already set a password" in refused.content.decode()


def test_an_organizer_invites_everyone_waiting_through_the_api(
    transactional_db, world, organizer_client, member_client, mailoutbox
):
    for name in ("Waiting One", "Waiting Two"):
        waiting = MemberFactory(constituency=world.constituency, name=name)
        waiting.user.set_unusable_password()
        waiting.user.save()
    url = world.url("/invitations")
    assert member_client.post(url).status_code == 403
    assert organizer_client.post(url).json() == {"members": 2, "sent": 2, "failed": 0}
    assert len(mailoutbox) == 2
