"""Shared test set-up: fast password hashing and the personas most tests need."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(autouse=True)
def _site_language_after_each_test(request):
    """Django's LocaleMiddleware leaves a request's language active in its thread, and nothing
    resets it: after a test that asked for a Russian page, a command run by the next test in the
    same worker printed Russian. Each test ends in the site's language."""
    yield
    if request.config.pluginmanager.hasplugin("django"):
        from django.utils import translation

        translation.deactivate()


@pytest.fixture(autouse=True)
def _token_cache_emptied(request):
    """The process's cache of authenticated API tokens (councils.accounts.tokencache) outlives a
    test's database rows: each test starts and ends with it empty, so none sees another's tokens;
    the same for the uses of tokens waiting to be written (councils.accounts.tokenuse)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from councils.accounts.tokencache import CACHE
    from councils.accounts.tokenuse import USES

    CACHE.clear()
    USES.clear()
    yield
    CACHE.clear()
    USES.clear()


def bench_env(out: Path, *drop: str) -> dict[str, str]:
    """The environment of a benchmark that a smoke test runs: without the test run's database (the
    benchmark chooses its own) and with ``out`` as its folder, so that two test runs at once (the
    SQLite and the PostgreSQL pass) do not wipe each other's files."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "COUNCILS_DATA_DIR", *drop}}
    env["BENCH_OUT"] = str(out)
    return env


def on_ci() -> bool:
    """True when running under CI, where a missing service is a failure, not a skip."""
    return os.environ.get("CI", "").lower() == "true"
