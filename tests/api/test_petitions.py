"""Recall petitions through the API: listing, opening, signing to the threshold, withdrawing, and
refusals that name the field and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event, Stream
from councils.federation import services
from councils.federation.models import Organization, RecallPetition, Seat, Signature
from councils.federation.services import NOT_CONSTITUENT
from tests.api.conftest import session_client, token_client
from tests.factories import ConstituencyFactory, MemberFactory, PetitionFactory, SeatFactory


def _post(client: Client, url: str, body: object = None):
    return client.post(url, body if body is not None else {}, content_type="application/json")


def _state(organization: Organization) -> tuple[object, ...]:
    """Everything a petition service could write: a bad request must leave all of it unchanged."""
    organization.refresh_from_db()
    return (
        RecallPetition.objects.count(),
        Signature.objects.count(),
        Event.objects.count(),
        # The heads of its streams: a refused change moves none.
        tuple(Stream.objects.filter(organization=organization).values_list("length", flat=True)),
        Seat.objects.filter(end__isnull=True).count(),
    )


@pytest.fixture
def sidorov(world):
    return world.constituency.members.get(name="Member Sidorov")


def test_a_constituent_opens_a_petition(world, member_client):
    response = _post(
        member_client, world.url("/petitions"), {"seat": world.seat.pk, "reason": "Broke the mandate"}
    )
    assert response.status_code == 201
    body = response.json()
    # Three constituents and a threshold of one half: two signatures recall; the opener signed.
    assert body["seat"] == world.seat.pk
    assert body["deputy"] == "Deputy Ivanova"
    assert (body["council"], body["constituency"]) == ("soviet", "putilov")
    assert (body["status"], body["signatures"], body["required"], body["progress"]) == ("open", 1, 2, 0.5)
    assert body["reason"] == "Broke the mandate"
    assert body["expired"] is False
    petition = RecallPetition.objects.get(pk=body["id"])
    assert petition.opened_by == world.member
    assert Event.objects.filter(organization=world.organization, kind="petition.opened").count() == 1


def test_the_petitions_of_an_organization_by_status(world, member_client):
    _post(member_client, world.url("/petitions"), {"seat": world.seat.pk})
    open_ = member_client.get(world.url("/petitions?status=open")).json()["items"]
    assert [(p["deputy"], p["signatures"], p["required"]) for p in open_] == [("Deputy Ivanova", 1, 2)]
    assert member_client.get(world.url("/petitions?status=succeeded")).json()["items"] == []
    assert len(member_client.get(world.url("/petitions")).json()["items"]) == 1


def test_an_unknown_status_is_refused_naming_it(world, member_client):
    response = member_client.get(world.url("/petitions?status=won"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_an_open_petition_past_its_expiry_is_shown_expired(world, member_client):
    PetitionFactory(
        seat=world.seat,
        opened_at=timezone.now() - timedelta(days=31),
        expires_at=timezone.now() - timedelta(days=1),
    )
    [petition] = member_client.get(world.url("/petitions?status=open")).json()["items"]
    assert petition["expired"] is True


def test_signing_to_the_threshold_recalls_the_deputy(world, member_client, sidorov):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    response = _post(session_client(sidorov.user), world.url(f"/petitions/{petition['id']}/sign"))
    assert response.status_code == 200
    assert response.json()["petition"] == petition["id"]
    assert (response.json()["signatures"], response.json()["required"]) == (2, 2)
    assert response.json()["recalled"] is True
    world.seat.refresh_from_db()
    assert world.seat.end_reason == Seat.EndReason.RECALL
    composition = member_client.get(world.url("/councils/soviet/composition")).json()
    assert (composition["filled"], composition["vacant"]) == (0, 2)
    [succeeded] = member_client.get(world.url("/petitions?status=succeeded")).json()["items"]
    assert succeeded["progress"] == 1.0


def test_a_signature_below_the_threshold_leaves_the_deputy_seated(world, sidorov):
    MemberFactory.create_batch(3, constituency=world.constituency)  # six constituents: three recall
    petition = _post(
        session_client(world.member.user), world.url("/petitions"), {"seat": world.seat.pk}
    ).json()
    response = _post(token_client(sidorov.user), world.url(f"/petitions/{petition['id']}/sign"))
    assert response.json()["recalled"] is False
    assert (response.json()["signatures"], response.json()["required"]) == (2, 3)
    world.seat.refresh_from_db()
    assert world.seat.end is None


def test_signing_twice_is_refused_naming_the_petition(world, member_client):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    before = _state(world.organization)
    response = _post(member_client, world.url(f"/petitions/{petition['id']}/sign"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["petition"]
    assert "already signed" in response.json()["errors"]["petition"][0]
    assert _state(world.organization) == before


def test_withdrawing_a_signature(world, member_client, sidorov):
    MemberFactory.create_batch(3, constituency=world.constituency)
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    response = _post(member_client, world.url(f"/petitions/{petition['id']}/withdraw"))
    assert response.status_code == 200
    assert response.json()["petition"] == petition["id"]
    assert response.json()["withdrawn_at"] is not None
    [listed] = member_client.get(world.url("/petitions?status=open")).json()["items"]
    assert listed["signatures"] == 0
    assert Event.objects.filter(kind="petition.withdrawn").count() == 1


def test_withdrawing_without_a_signature_is_refused(world, member_client, sidorov):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    response = _post(session_client(sidorov.user), world.url(f"/petitions/{petition['id']}/withdraw"))
    assert response.status_code == 400
    assert "petition" in response.json()["errors"]


def test_a_member_of_another_constituency_may_not_sign(world, member_client):
    elsewhere = MemberFactory(constituency=ConstituencyFactory(council=world.council, slug="obukhov"))
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    before = _state(world.organization)
    response = _post(session_client(elsewhere.user), world.url(f"/petitions/{petition['id']}/sign"))
    assert response.status_code == 403
    assert response.json() == {"detail": NOT_CONSTITUENT}
    assert _state(world.organization) == before


def test_a_member_of_another_constituency_may_not_open_one(world):
    elsewhere = MemberFactory(constituency=ConstituencyFactory(council=world.council, slug="obukhov"))
    before = _state(world.organization)
    response = _post(session_client(elsewhere.user), world.url("/petitions"), {"seat": world.seat.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == NOT_CONSTITUENT
    assert _state(world.organization) == before


def test_an_officer_who_is_not_a_constituent_may_not_sign(world, member_client, organizer_client):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    assert _post(organizer_client, world.url(f"/petitions/{petition['id']}/sign")).status_code == 403


@pytest.mark.parametrize("action", ["sign", "withdraw"])
def test_outsiders_and_anonymous_callers_are_refused(world, member_client, outsider_client, action):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    url = world.url(f"/petitions/{petition['id']}/{action}")
    before = _state(world.organization)
    assert _post(outsider_client, url).status_code == 403
    assert _post(Client(), url).status_code == 401
    assert _post(outsider_client, world.url("/petitions"), {"seat": world.seat.pk}).status_code == 403
    assert _post(Client(), world.url("/petitions"), {"seat": world.seat.pk}).status_code == 401
    assert _state(world.organization) == before


@pytest.mark.parametrize("action", ["sign", "withdraw"])
def test_an_unknown_petition_is_not_found(world, member_client, action):
    before = _state(world.organization)
    assert _post(member_client, world.url(f"/petitions/999999/{action}")).status_code == 404
    assert _state(world.organization) == before


@pytest.mark.parametrize("action", ["sign", "withdraw"])
def test_a_petition_of_another_organization_is_not_found_here(world, member_client, action):
    foreign = PetitionFactory()
    signatures = foreign.signatures.count()
    before = _state(world.organization)
    assert _post(member_client, world.url(f"/petitions/{foreign.pk}/{action}")).status_code == 404
    assert _state(world.organization) == before
    assert foreign.signatures.count() == signatures


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "seat"]),
        ({"seat": "the deputy"}, ["body", "seat"]),
        ({"seat": None}, ["body", "seat"]),
        ({"seat": 1, "reason": "x" * 2001}, ["body", "reason"]),
    ],
)
def test_a_malformed_body_is_refused_naming_the_field(world, member_client, body, loc):
    before = _state(world.organization)
    response = _post(member_client, world.url("/petitions"), body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
    assert _state(world.organization) == before


def test_a_body_that_is_not_json_is_refused(world, member_client):
    response = member_client.post(world.url("/petitions"), "seat=1", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_a_seat_that_does_not_exist_here_is_refused_naming_the_seat(world, member_client):
    foreign = SeatFactory()
    for seat_id in (foreign.pk, 999999):
        response = _post(member_client, world.url("/petitions"), {"seat": seat_id})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["seat"]


def test_a_seat_no_longer_held_is_refused_and_nothing_is_written(world, member_client):
    """The proof that a refused request is not half-written: the petition, the opener's signature,
    the audit event and the chain head all stay as they were."""
    services.seat_resign(actor=SYSTEM, seat=world.seat, at=timezone.now() - timedelta(days=1))
    before = _state(world.organization)
    response = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk, "reason": "Too late"})
    assert response.status_code == 400
    assert response.json() == {"errors": {"seat": ["This seat is not held now."]}}
    assert _state(world.organization) == before


def test_a_second_petition_against_the_same_deputy_is_refused(world, member_client, sidorov):
    MemberFactory.create_batch(3, constituency=world.constituency)
    assert _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).status_code == 201
    before = _state(world.organization)
    response = _post(session_client(sidorov.user), world.url("/petitions"), {"seat": world.seat.pk})
    assert response.status_code == 400
    assert "sign that one" in response.json()["errors"]["seat"][0]
    assert _state(world.organization) == before
