"""The read cache: what a read computes "now" is reused until the organization's chain moves."""

from __future__ import annotations

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
