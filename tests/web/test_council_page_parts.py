"""The council page's parts that read the same for every viewer are rendered once and shared:
never another viewer's own parts, never a stale day or language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from councils.federation import readcache
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
    translation.deactivate()


def _page(pg) -> str:
    return f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/"


def _csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_a_viewer_never_sees_the_parts_of_the_viewer_before() -> None:
    pg = build_petrograd()
    organizer, member = Client(), Client()
    organizer.force_login(pg.organizer)
    member.force_login(pg.dora.user)
    first = organizer.get(_page(pg)).content.decode()
    second = member.get(_page(pg)).content.decode()
    assert "Apportion seats" in first
    assert "Apportion seats" not in second
    assert f">{pg.organizer.get_username()}</a>" in first
    assert f">{pg.organizer.get_username()}</a>" not in second
    assert f">{pg.dora.user.get_username()}</a>" in second
    # Each form carries its reader's own CSRF token.
    assert _csrf_tokens(first) and _csrf_tokens(second)
    assert not _csrf_tokens(first) & _csrf_tokens(second)
    # The shared parts are the same for both.
    assert f"<h1>{pg.soviet.name}</h1>" in first and f"<h1>{pg.soviet.name}</h1>" in second
    assert "Elections to" in first and "Elections to" in second


def test_a_day_typed_by_one_reader_is_not_shown_to_the_next() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    typed = client.get(_page(pg), {"at": "not a day"}).content.decode()
    assert 'value="not a day"' in typed
    assert 'aria-invalid="true"' in typed
    plain = client.get(_page(pg)).content.decode()
    assert 'value="not a day"' not in plain
    assert 'aria-invalid="true"' not in plain


def test_each_language_reads_its_own_parts_at_once() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    english = client.get(_page(pg)).content.decode()
    russian = client.get(_page(pg), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Elections to" in english and "Show the state on" in english
    assert "Elections to" not in russian and "Show the state on" not in russian
    # The language switcher marks the language read, in each.
    assert 'class="current-language" lang="en"' in english
    assert 'class="current-language" lang="ru"' in russian
    assert 'class="current-language" lang="en"' in client.get(_page(pg)).content.decode()


def test_a_recall_shows_at_once_on_the_next_page_load() -> None:
    from councils.federation import services

    pg = build_petrograd()
    client = Client()
    client.force_login(pg.organizer)
    before = client.get(_page(pg)).content.decode()
    assert "Anna Petrova" in before
    # Dora's signature completes the petition: Anna's seat ends.
    services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    after = client.get(_page(pg)).content.decode()
    assert "Anna Petrova" not in after
    assert "Viktor Orlov" in after


def test_a_council_created_after_its_address_was_asked_for_shows_at_once() -> None:
    from councils.federation import services

    pg = build_petrograd()
    client = Client()
    client.force_login(pg.organizer)
    address = f"/o/{pg.org.slug}/councils/moscow/"
    assert client.get(address).status_code == 404
    services.council_create(
        actor=pg.organizer, organization=pg.org, name="Moscow Soviet", slug="moscow", members_per_seat=2
    )
    page = client.get(address)
    assert page.status_code == 200
    assert "<h1>Moscow Soviet</h1>" in page.content.decode()


def _without_own_strings(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', html)
    return re.sub(r"since=\d+", "since=", html)


def test_the_shared_page_reads_as_the_page_rendered_whole(monkeypatch) -> None:
    from councils.web import pageshell

    pg = build_petrograd()
    client = Client()
    client.force_login(pg.organizer)
    client.get(_page(pg))
    shared = client.get(_page(pg)).content.decode()
    monkeypatch.setattr(pageshell, "has_messages", lambda request: True)
    whole = client.get(_page(pg)).content.decode()
    assert pageshell.CSRF not in shared and pageshell.NAME not in shared and pageshell.SINCE not in shared
    assert _without_own_strings(shared) == _without_own_strings(whole)


def test_a_reader_with_an_odd_name_sees_it_escaped() -> None:
    from tests.factories import MemberFactory, UserFactory

    pg = build_petrograd()
    odd = MemberFactory(constituency=pg.putilov, user=UserFactory(username="<b>&dora"))
    client = Client()
    client.force_login(odd.user)
    page = client.get(_page(pg)).content.decode()
    assert "&lt;b&gt;&amp;dora" in page
    assert "<b>&dora" not in page


def test_the_shared_page_carries_a_csrf_token_that_works() -> None:
    pg = build_petrograd()
    client = Client(enforce_csrf_checks=True)
    client.force_login(pg.organizer)
    client.get(_page(pg))
    page = client.get(_page(pg)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    refused = client.post(f"{_page(pg)}apportion/")
    assert refused.status_code == 403
    done = client.post(f"{_page(pg)}apportion/", {"csrfmiddlewaretoken": token.group(1)}, follow=True)
    assert done.status_code == 200
    # The outcome's message is shown once, on the page it leads to, then no more.
    assert "apportioned" in done.content.decode()
    assert "apportioned" not in client.get(_page(pg)).content.decode()
