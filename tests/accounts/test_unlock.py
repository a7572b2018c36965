"""Unlocking an account that django-axes locked after failed sign-ins, as the README says:
``councils axes-reset-username NAME``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def test_the_readme_command_unlocks_a_locked_account(client, settings):
    settings.AXES_LOCKOUT_CALLABLE = "councils.web.views.locked_out"
    worker = UserFactory(username="worker")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "worker", "wrong")
    assert _sign_in(client, "worker", PASSWORD).status_code == 429

    # `councils axes-reset-username worker` runs this command (the CLI turns - into _); called
    # here in-process, since the CLI closes the database connection the test runs in.
    out = io.StringIO()
    call_command("axes_reset_username", "worker", stdout=out)
    assert "1 attempts removed" in out.getvalue()

    response = _sign_in(client, "worker", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == worker
