"""What a request reads once (councils.requestmemo): fewer queries, never a stale answer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from councils import requestmemo
from councils.accounts.services import token_create
from councils.federation import readcache, services
from councils.federation.models import Signature
from councils.web.templatetags import chrome
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    readcache.clear()
    chrome.clear()
    yield
    readcache.clear()
    chrome.clear()
    # A request in Russian leaves Russian active in this thread (LocaleMiddleware): later tests
    # of this worker expect the default language.
    translation.deactivate()


def test_the_council_page_asks_who_the_viewer_is_and_where_the_log_stands_once(
    django_assert_max_num_queries,
) -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.elena.user)
    page = f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/"
    assert client.get(page).status_code == 200
    # Session, user, organization with the viewer's membership and offices, council with its
    # parent, the stream's head: the membership, the offices and the head are not asked again.
    with django_assert_max_num_queries(5):
        response = client.get(page)
    assert response.status_code == 200
    assert "Apportion seats" not in response.content.decode()


def test_an_organizer_is_offered_what_organizers_may_do() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.organizer)
    response = client.get(f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/")
    assert "Apportion seats" in response.content.decode()


def test_a_member_who_has_left_is_refused_at_the_next_request() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    page = f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/"
    assert client.get(page).status_code == 200
    services.member_leave(actor=pg.organizer, member=pg.dora)
    assert client.get(page).status_code == 403


def test_a_signature_over_the_api_is_written_once_and_the_page_shows_it(
    django_assert_max_num_queries,
) -> None:
    pg = build_petrograd()
    _token, secret = token_create(actor=pg.dora.user, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/organizations/{pg.org.slug}/petitions/{pg.petition.pk}/sign"
    # Token, its last use, organization with the viewer, petition, its lock, membership, the
    # signature with the count, the event, the recall's own writes (this signature ends the seat).
    first = api.post(url)
    assert first.status_code == 200, first.content
    assert first.json()["signatures"] == 2
    assert first.json()["recalled"] is True
    second = api.post(url)
    assert second.status_code == 400
    assert Signature.objects.filter(petition=pg.petition, member=pg.dora).count() == 1
    page = Client()
    page.force_login(pg.elena.user)
    assert "Anna" not in page.get(f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/").content.decode()


def test_nothing_is_kept_outside_a_request() -> None:
    requestmemo.put("k", 1)
    assert requestmemo.get("k") is None


def test_the_navigation_marks_the_current_page_and_names_the_organization() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.elena.user)
    council = client.get(f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/").content.decode()
    audit = client.get(f"/o/{pg.org.slug}/audit/").content.decode()
    assert f'href="/o/{pg.org.slug}/audit/" aria-current="page"' in audit
    assert f'href="/o/{pg.org.slug}/audit/" aria-current="page"' not in council
    assert pg.org.name in council
    russian = client.get(
        f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Выборы" in russian  # "Elections": the kept navigation is kept per language
