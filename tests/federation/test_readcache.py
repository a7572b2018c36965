"""The read cache: what a read computes "now" is reused until the organization's chain moves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from councils.federation import readcache, services
from councils.federation.models import Organization
from tests.factories import OrganizationFactory
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db


def test_a_value_is_reused_until_a_service_records_a_change() -> None:
    pg = build_petrograd()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    org = Organization.objects.get(pk=pg.org.pk)
    assert readcache.now(org, "k", compute) == 1
    assert readcache.now(Organization.objects.get(pk=pg.org.pk), "k", compute) == 1
    services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    assert readcache.now(Organization.objects.get(pk=pg.org.pk), "k", compute) == 2


def test_an_organization_without_recorded_changes_is_not_cached() -> None:
    org = OrganizationFactory()
    first, second = readcache.now(org, "k", object), readcache.now(org, "k", object)
    assert first is not second


def test_the_composition_api_and_page_show_a_recall_at_once(django_assert_max_num_queries) -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.elena.user)
    url = f"/api/organizations/{pg.org.slug}/councils/{pg.soviet.slug}/composition"
    page = f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/"
    before = client.get(url).json()
    assert client.get(page).status_code == 200
    assert before["filled"] == 3
    # Cached: session, user, organization, permission, council, the stream's head; no seats or
    # allocations read.
    with django_assert_max_num_queries(6):
        assert client.get(url).json() == before

    outcome = services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    assert outcome.recalled

    after = client.get(url).json()
    assert after["filled"] == 2
    assert after["majority"] is None
    assert "Anna" not in client.get(page).content.decode()


def _at_once(count: int, ask: Callable[[], object]) -> list[object]:
    """``ask()`` in ``count`` threads started together; their answers."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _i: ask(), range(count)))


def test_requests_in_flight_for_a_missing_entry_wait_for_one_computation() -> None:
    readcache.clear()
    calls = []
    release = threading.Event()

    def slow() -> str:
        calls.append(1)
        release.wait(5)
        return "composition"

    threading.Timer(0.2, release.set).start()
    answers = _at_once(6, lambda: readcache.cached(("org", 1, "head", "en", "k"), slow))
    assert answers == ["composition"] * 6
    assert len(calls) == 1


def test_an_expired_entry_is_served_while_one_request_computes_the_new_one(monkeypatch) -> None:
    readcache.clear()
    key = ("org", 1, "head", "en", "k")
    monkeypatch.setattr(readcache, "TTL_SECONDS", 0.0)
    assert readcache.cached(key, lambda: "old") == "old"  # stored, expiring at once
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "new"

    with ThreadPoolExecutor(max_workers=1) as pool:
        computing = pool.submit(readcache.cached, key, slow)
        assert started.wait(5)
        assert readcache.cached(key, lambda: "unexpected") == "old"
        release.set()
        assert computing.result() == "new"


def test_a_failed_computation_lets_the_next_request_compute() -> None:
    readcache.clear()
    key = ("org", 1, "head", "en", "k")

    def broken() -> str:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        readcache.cached(key, broken)
    assert readcache.cached(key, lambda: "fine") == "fine"
