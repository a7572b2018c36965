"""The audit log through the API: newest first, filtered by kind, a page at a time."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from councils.accounts.actors import SYSTEM
from councils.audit.services import chain_verify, stream_for
from councils.federation.api.audit import PAGE_SIZE
from councils.federation.services import faction_create
from tests.api.conftest import token_client


def _factions(world, count: int) -> None:
    for i in range(count):
        faction_create(actor=world.organizer, organization=world.organization, name=f"Group {i:03d}")


def test_the_log_newest_first_with_its_chain(world, member_client):
    _factions(world, 3)
    response = member_client.get(world.url("/events"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [e["sequence"] for e in body["items"]] == [3, 2, 1]
    newest, middle = body["items"][0], body["items"][1]
    assert newest["kind"] == "faction.created"
    # A member reads the organizer's name, not their user name (privacy: tests/api/test_privacy.py).
    assert newest["actor"] == world.organizer.first_name
    assert newest["previous_hash"] == middle["hash"]
    assert "Group 002" in newest["summary"]
    assert chain_verify(organization=world.organization).ok


def test_the_log_filtered_by_kind(world, member_client):
    _factions(world, 2)
    member_client.post(world.url("/petitions"), {"seat": world.seat.pk}, content_type="application/json")
    body = member_client.get(world.url("/events?kind=petition.opened")).json()
    assert body["count"] == 1
    [event] = body["items"]
    assert event["actor"] == "Member Petrov"
    assert event["object_type"] == "federation.recallpetition"
    assert event["data"]["seat"] == world.seat.pk
    assert member_client.get(world.url("/events?kind=no.such.kind")).json() == {"items": [], "count": 0}


def test_the_log_a_page_at_a_time(world):
    _factions(world, PAGE_SIZE + 3)
    client = token_client(world.member.user)
    first = client.get(world.url("/events")).json()
    second = client.get(world.url("/events?page=2")).json()
    assert first["count"] == second["count"] == PAGE_SIZE + 3
    assert len(first["items"]) == PAGE_SIZE
    assert [e["sequence"] for e in second["items"]] == [3, 2, 1]
    past = client.get(world.url("/events?page=3"))
    assert past.status_code == 404
    assert past.json()["detail"] == "There is no page 3: the list has 2 pages of 50."


def test_a_page_number_below_one_is_refused_naming_it(world, member_client):
    response = member_client.get(world.url("/events?page=0"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page"]


def test_system_events_have_no_actor(world, member_client):
    faction_create(actor=SYSTEM, organization=world.organization, name="Mezhraiontsy")
    [event] = member_client.get(world.url("/events")).json()["items"]
    assert event["actor"] is None


def test_officers_read_the_log(world, organizer_client):
    _factions(world, 1)
    assert organizer_client.get(world.url("/events")).json()["count"] == 1


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_others_may_not_read_the_log(world, outsider_client, who):
    _factions(world, 1)
    client = outsider_client if who == "outsider" else Client()
    response = client.get(world.url("/events"))
    assert response.status_code == (403 if who == "outsider" else 401)
    assert "Group" not in json.dumps(response.json())


def test_the_log_of_an_unknown_organization_is_not_found(world, member_client):
    assert member_client.get("/api/organizations/atlantis/events").status_code == 404


def test_the_heads_of_the_streams_to_write_down(world, member_client):
    _factions(world, 2)
    stream = stream_for(organization=world.organization)
    response = member_client.get(world.url("/audit/heads"))
    assert response.status_code == 200
    assert response.json() == [{"stream": "organization", "length": stream.length, "head": stream.head}]
    assert member_client.get(world.url("/events")).json()["items"][0]["stream"] == "organization"


def test_others_may_not_read_the_heads(world, outsider_client):
    assert outsider_client.get(world.url("/audit/heads")).status_code == 403
