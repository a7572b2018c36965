"""A constituency's members, a page at a time: names for members, addresses for officers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.federation import services
from councils.web.views.constituencies import MEMBERS_PER_PAGE
from tests.factories import MemberFactory, UserFactory
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


def _url(pg: Petrograd, **query: object) -> str:
    url = reverse("constituency_members", args=[pg.org.slug, pg.putilov.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_constituency_page_links_its_members_and_each_deputy(client, pg):
    client.force_login(pg.dora.user)
    page = client.get(reverse("constituency", args=[pg.org.slug, pg.putilov.slug])).content.decode()
    assert f'href="{_url(pg)}"' in page
    assert f'href="{reverse("member", args=[pg.org.slug, pg.viktor.pk])}"' in page


def test_a_member_sees_the_names_by_name_without_addresses(client, pg):
    client.force_login(pg.dora.user)
    page = client.get(_url(pg)).content.decode()
    names = ["Anna Petrova", "Boris Ivanov", "Dora Kaplan", "Viktor Orlov"]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "4 members" in page
    assert f'href="{reverse("member", args=[pg.org.slug, pg.boris.pk])}"' in page
    assert pg.boris.user.email not in page
    assert "Elena Stasova" not in page  # another constituency's member


def test_an_organizer_sees_addresses_and_who_has_not_set_a_password(client, pg):
    user = UserFactory(username="nina", email="nina@putilov.example")
    user.set_unusable_password()
    user.save()
    services.member_add(
        actor=pg.organizer, organization=pg.org, user=user, constituency=pg.putilov, name="Nina Kuzmina"
    )
    client.force_login(pg.organizer)
    page = client.get(_url(pg)).content.decode()
    row = page.split("Nina Kuzmina")[1].split("</tr>")[0]
    assert "nina@putilov.example" in row
    assert "has not set a password yet" in row


def test_a_member_who_left_is_not_listed(client, pg):
    services.member_leave(actor=pg.organizer, member=pg.boris)
    client.force_login(pg.dora.user)
    assert "Boris Ivanov" not in client.get(_url(pg)).content.decode()


def test_the_members_come_a_page_at_a_time(client, pg):
    MemberFactory.create_batch(MEMBERS_PER_PAGE + 3, constituency=pg.putilov)
    client.force_login(pg.dora.user)
    first = client.get(_url(pg)).content.decode()
    assert f"{MEMBERS_PER_PAGE + 7} members" in first
    assert "Page 1 of 2" in first and '?page=2" rel="next"' in first
    assert first.count("<tr>") - 1 == MEMBERS_PER_PAGE  # the header row aside
    second = client.get(_url(pg, page=2)).content.decode()
    assert second.count("<tr>") - 1 == 7


@pytest.mark.parametrize("page", ["3", "0", "two", "184467440737095518"])
def test_a_page_that_does_not_exist_says_so(client, pg, page):
    client.force_login(pg.dora.user)
    response = client.get(_url(pg, page=page))
    assert response.status_code == 404
    assert "There is no page" in response.content.decode()


def test_a_page_costs_the_same_queries_however_many_members(client, pg):
    client.force_login(pg.organizer)
    client.get(_url(pg))  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(_url(pg))
    MemberFactory.create_batch(40, constituency=pg.putilov)
    with CaptureQueriesContext(connection) as many:
        client.get(_url(pg))
    assert len(many) == len(few)


def test_outsiders_are_refused(client, pg):
    client.force_login(UserFactory())
    assert client.get(_url(pg)).status_code == 403
