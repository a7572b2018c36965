"""Who may call the API: a signed-in session (with CSRF for writes) or a personal API token, for
members and officers of the organization only."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from councils.accounts import tokenuse
from councils.accounts.services import token_create, token_revoke
from tests.api.conftest import TokenClient, session_client, token_client

READ_TAILS = [
    "",
    "/councils",
    "/councils/soviet",
    "/councils/soviet/composition",
    "/councils/soviet/seats",
    "/majority-map",
    "/constituencies",
    "/constituencies/putilov",
    "/factions",
    "/petitions",
    "/events",
]


@pytest.mark.parametrize("tail", READ_TAILS)
def test_anonymous_callers_are_asked_to_sign_in(world, anonymous_client, tail):
    response = anonymous_client.get(world.url(tail))
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_callers_get_no_list_of_organizations(anonymous_client, db):
    assert Client().get("/api/organizations").status_code == 401


@pytest.mark.parametrize("tail", READ_TAILS)
def test_members_of_another_organization_are_refused(world, outsider_client, tail):
    response = outsider_client.get(world.url(tail))
    assert response.status_code == 403
    assert "Petrograd Soviet" in response.json()["detail"]


@pytest.mark.parametrize("tail", READ_TAILS)
def test_members_read_by_session(world, member_client, tail):
    assert member_client.get(world.url(tail)).status_code == 200


@pytest.mark.parametrize("tail", READ_TAILS)
def test_officers_who_are_not_members_read_too(world, organizer_client, tail):
    assert organizer_client.get(world.url(tail)).status_code == 200


def test_a_personal_token_reads_as_its_owner(world):
    client = token_client(world.member.user)
    response = client.get("/api/organizations")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == ["petrograd"]


def test_a_token_does_not_open_other_organizations(world):
    assert token_client(world.outsider).get(world.url("/councils")).status_code == 403


def test_a_revoked_token_is_refused(world):
    token, secret = token_create(actor=world.member.user, name="laptop")
    client = TokenClient(secret)
    assert client.get(world.url()).status_code == 200
    token_revoke(actor=world.member.user, token=token)
    assert client.get(world.url()).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer cnc_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 100],
)
def test_unknown_or_malformed_tokens_are_refused(world, header):
    assert Client(HTTP_AUTHORIZATION=header).get(world.url()).status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(world):
    client = token_client(world.member.user)
    world.member.user.is_active = False
    world.member.user.save()
    assert client.get(world.url()).status_code == 401


def test_using_a_token_records_when_it_was_last_used(world):
    token, secret = token_create(actor=world.member.user, name="cron")
    assert token.last_used_at is None
    before = timezone.now()
    TokenClient(secret).get(world.url())
    tokenuse.write_all()  # what the next request a second later, or the process's exit, writes
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


def test_a_token_records_its_use_at_most_once_a_minute(world):
    from datetime import timedelta

    from councils.accounts.models import ApiToken
    from councils.accounts.services import token_authenticate

    token, secret = token_create(actor=world.member.user, name="cron")
    first = timezone.now()
    assert token_authenticate(secret=secret, at=first).last_used_at == first
    soon = token_authenticate(secret=secret, at=first + timedelta(seconds=30))
    assert soon.last_used_at == first
    tokenuse.write_all()
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    later = first + timedelta(minutes=2)
    assert token_authenticate(secret=secret, at=later).user == world.member.user
    tokenuse.write_all()
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_a_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member.user)
    body = json.dumps({"seat": world.seat.pk, "reason": "Voted for the war credits"})

    refused = client.post(world.url("/petitions"), body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get("/admin/login/")  # any page that sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        world.url("/petitions"), body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201


def test_a_token_write_needs_no_csrf_token(world):
    client = TokenClient(token_create(actor=world.member.user, name="bot")[1], enforce_csrf_checks=True)
    response = client.post(world.url("/petitions"), {"seat": world.seat.pk}, content_type="application/json")
    assert response.status_code == 201


def test_safe_methods_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member.user)
    assert client.get(world.url()).status_code == 200


def test_the_openapi_document_lists_every_path(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    expected = {
        "/api/organizations",
        "/api/organizations/{slug}",
        "/api/organizations/{slug}/councils",
        "/api/organizations/{slug}/councils/{council}",
        "/api/organizations/{slug}/councils/{council}/composition",
        "/api/organizations/{slug}/councils/{council}/seats",
        "/api/organizations/{slug}/majority-map",
        "/api/organizations/{slug}/constituencies",
        "/api/organizations/{slug}/constituencies/{constituency}",
        "/api/organizations/{slug}/factions",
        "/api/organizations/{slug}/petitions",
        "/api/organizations/{slug}/petitions/{petition_id}/sign",
        "/api/organizations/{slug}/petitions/{petition_id}/withdraw",
        "/api/organizations/{slug}/events",
    }
    assert expected <= set(document["paths"])
    assert set(document["paths"]["/api/organizations/{slug}/petitions"]) == {"get", "post"}
    # Both ways in are documented, and the error shapes are described.
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert '{"errors"' in document["info"]["description"]
    assert "400" in document["paths"]["/api/organizations/{slug}/petitions"]["post"]["responses"]


def test_session_helper_signs_in(world):
    # A guard for the other tests: the session helper really signs the user in.
    assert session_client(world.member.user).get("/api/organizations").status_code == 200
