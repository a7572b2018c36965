"""The live-update stream of an organization and the pages that follow it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from councils.audit.services import stream_for
from councils.federation import services
from councils.web import live
from tests.factories import UserFactory
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10.0  # a ceiling so a broken stream fails instead of hanging; no test asserts a duration

T = TypeVar("T")


def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``function`` in a thread of its own. Playwright's sync API leaves an event loop running
    in the main thread once a browser test has run, and neither ``asyncio.run`` nor the test
    client's call of an async view (``async_to_sync``) works in a thread with a running loop."""

    def run() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()  # this thread's, so none outlives the test

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _get(client, *args: Any, **kwargs: Any):
    return off_loop(client.get, *args, **kwargs)


@pytest.fixture
def pg():
    return build_petrograd()


def _live_url(pg) -> str:
    return reverse("live", args=[pg.org.slug])


def test_the_stream_refuses_an_outsider(client, pg) -> None:
    client.force_login(UserFactory(username="okhrana-agent"))
    response = _get(client, _live_url(pg))
    assert response.status_code == 403
    assert "Only members and officers of Petrograd" in response.content.decode()


def test_the_stream_sends_a_visitor_to_sign_in(client, pg) -> None:
    response = _get(client, _live_url(pg))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_stream_of_an_unknown_organization_is_not_found(client, pg) -> None:
    client.force_login(pg.dora.user)
    assert _get(client, reverse("live", args=["atlantis"])).status_code == 404


def test_under_a_wsgi_server_the_stream_has_nothing_to_follow(client, pg) -> None:
    # A WSGI server would buffer the endless stream: the page is told there is nothing to follow.
    client.force_login(pg.organizer)
    assert _get(client, _live_url(pg)).status_code == 204


def test_a_members_stream_hears_of_a_change(pg) -> None:
    client = AsyncClient()
    client.force_login(pg.elena.user)

    def recall() -> None:
        try:
            services.petition_sign(actor=pg.dora.user, petition=pg.petition)
        finally:
            connections.close_all()

    async def scenario() -> tuple[dict[str, str], str, dict]:
        try:
            response = await client.get(_live_url(pg))
            headers = {k: response[k] for k in ("Content-Type", "Cache-Control", "X-Accel-Buffering")}
            body = aiter(response.streaming_content)
            opening = (await asyncio.wait_for(anext(body), WAIT)).decode()
            await asyncio.to_thread(recall)
            chunk = (await asyncio.wait_for(anext(body), WAIT)).decode()
            await body.aclose()
            return headers, opening, _parse_event(chunk)
        finally:
            await live.shutdown()

    headers, opening, event = off_loop(asyncio.run, scenario())
    assert headers == {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
    }
    assert opening.startswith("retry:")
    assert event["event"] == "change"
    data = json.loads(event["data"])
    pg.org.refresh_from_db()
    assert data["organization"] == pg.org.pk
    assert data["sequence"] == stream_for(organization=pg.org).length
    assert data["kind"]


def test_a_closed_stream_unsubscribes() -> None:
    async def scenario() -> tuple[int, int]:
        hub = live.hub()
        try:
            queue = await hub.subscribe(42)
            body = live.stream(hub, 42, queue)
            await anext(body)
            during = hub.subscribers(42)
            await body.aclose()
            return during, hub.subscribers(42)
        finally:
            await live.shutdown()

    assert off_loop(asyncio.run, scenario()) == (1, 0)


def test_the_council_page_follows_changes_only_when_it_shows_now(client, pg) -> None:
    client.force_login(pg.dora.user)
    url = reverse("council", args=[pg.org.slug, pg.soviet.slug])
    now = client.get(url).content.decode()
    assert f'sse-connect="{_live_url(pg)}"' in now
    assert 'hx-trigger="sse:change"' in now
    assert "htmx-ext-sse.js" in now

    past = (pg.elected_at - timedelta(days=1)).date().isoformat()
    then = client.get(url, {"at": past}, headers={"HX-Request": "true", "HX-Target": "composition"})
    assert 'id="composition"' in then.content.decode()
    assert "sse:change" not in then.content.decode()

    today = timezone.localdate().isoformat()
    again = client.get(url, {"at": today}, headers={"HX-Request": "true", "HX-Target": "composition"})
    assert 'hx-trigger="sse:change"' in again.content.decode()


def test_the_majority_map_and_the_petitions_follow_changes(client, pg) -> None:
    client.force_login(pg.dora.user)
    organization_page = client.get(reverse("organization", args=[pg.org.slug])).content.decode()
    assert f'sse-connect="{_live_url(pg)}"' in organization_page
    assert 'hx-trigger="sse:change"' in organization_page

    constituency_page = client.get(reverse("constituency", args=[pg.org.slug, pg.putilov.slug])).content
    assert f'sse-connect="{_live_url(pg)}"'.encode() in constituency_page
    assert b'hx-select="#petitions-list"' in constituency_page
    assert b'aria-live="polite"' in constituency_page


def test_pages_without_live_updates_do_not_load_the_extension(client, pg) -> None:
    client.force_login(pg.dora.user)
    assert b"htmx-ext-sse.js" not in client.get(reverse("audit", args=[pg.org.slug])).content


def _parse_event(chunk: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in chunk.strip().splitlines():
        if line.startswith(":"):
            continue
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields
