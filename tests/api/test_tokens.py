"""Personal API tokens: the secret is shown once and only its hash is kept; revoked tokens stop
working; `councils createtoken` prints one."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from councils.accounts.models import ApiToken
from councils.accounts.services import token_authenticate, token_create, token_revoke
from councils.federation.errors import NotAllowed
from tests.api.conftest import TokenClient
from tests.factories import UserFactory


def test_the_secret_is_returned_once_and_only_its_hash_is_stored(user):
    token, secret = token_create(actor=user, name="results script")
    assert secret.startswith("cnc_") and len(secret) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored["key_prefix"])
    assert token_authenticate(secret=secret).user == user


def test_two_tokens_have_different_secrets(user):
    assert token_create(actor=user, name="a")[1] != token_create(actor=user, name="b")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(user, name):
    with pytest.raises(ValidationError) as error:
        token_create(actor=user, name=name)
    assert list(error.value.message_dict) == ["name"]
    assert not ApiToken.objects.exists()


def test_a_name_is_used_once_among_live_tokens_and_freed_by_revoking(user):
    token, _secret = token_create(actor=user, name="laptop")
    with pytest.raises(ValidationError) as error:
        token_create(actor=user, name="laptop")
    assert "already" in error.value.message_dict["name"][0]
    token_revoke(actor=user, token=token)
    token_create(actor=user, name="laptop")
    # Another person's token may share the name.
    token_create(actor=UserFactory(), name="laptop")


def test_anonymous_or_inactive_people_may_not_create_tokens(db):
    with pytest.raises(NotAllowed):
        token_create(actor=AnonymousUser(), name="x")
    with pytest.raises(NotAllowed):
        token_create(actor=UserFactory(is_active=False), name="x")


def test_only_the_owner_or_a_superuser_revokes_a_token(user):
    token, secret = token_create(actor=user, name="laptop")
    with pytest.raises(NotAllowed):
        token_revoke(actor=UserFactory(), token=token)
    assert token_authenticate(secret=secret) is not None
    token_revoke(actor=UserFactory(is_superuser=True), token=token)
    assert token_authenticate(secret=secret) is None


def test_revoking_twice_is_refused(user):
    token, _secret = token_create(actor=user, name="laptop")
    token_revoke(actor=user, token=token)
    with pytest.raises(ValidationError):
        token_revoke(actor=user, token=token)


def test_a_revoked_token_is_refused_by_the_api(world):
    token, secret = token_create(actor=world.member.user, name="cron")
    client = TokenClient(secret)
    assert client.get("/api/organizations").status_code == 200
    token_revoke(actor=world.member.user, token=token)
    response = client.get("/api/organizations")
    assert response.status_code == 401
    # Nor does the revoked token fall back to anything else.
    assert client.get(world.url("/councils")).status_code == 401


def test_the_command_prints_a_working_token_once(world):
    stdout, stderr = StringIO(), StringIO()
    call_command("createtoken", world.member.user.username, "nightly export", stdout=stdout, stderr=stderr)
    secret = stdout.getvalue().strip()
    assert "\n" not in secret and secret.startswith("cnc_")
    assert "not be shown again" in stderr.getvalue()
    assert ApiToken.objects.get(user=world.member.user).name == "nightly export"
    assert TokenClient(secret).get(world.url()).status_code == 200


def test_the_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("createtoken", "nobody", "x", stdout=StringIO())


def test_the_command_reports_a_taken_name(user):
    token_create(actor=user, name="dup")
    with pytest.raises(CommandError, match="already"):
        call_command("createtoken", user.username, "dup", stdout=StringIO())


def test_the_admin_lists_tokens_without_their_hash_and_revokes_them(user):
    admin_user = User.objects.create_superuser("root", "root@example.org", "pw")
    token, secret = token_create(actor=user, name="laptop")
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert token.key_prefix in listing.content.decode()
    assert token.key_hash not in listing.content.decode()
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert token.key_hash not in detail.content.decode()
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert token_authenticate(secret=secret) is None
    assert ApiToken.objects.filter(pk=token.pk).exists()  # revoked, not deleted
