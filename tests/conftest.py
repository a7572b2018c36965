"""Shared test set-up: fast password hashing and the personas most tests need."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is safe (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    # Argon2 is right for people and far too slow for hundreds of test users. The counting
    # library's tests can run without Django (-p no:django), so ask for its settings only if loaded.
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def on_ci() -> bool:
    """True when running under CI, where a missing service is a failure, not a skip."""
    return os.environ.get("CI", "").lower() == "true"
