"""The live-update stream of an organization's topics and the pages that follow it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from councils.federation import services
from councils.live import hub as live
from tests.factories import UserFactory
from tests.threads import off_loop
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10.0  # a ceiling so a broken stream fails instead of hanging; no test asserts a duration


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


def test_a_members_stream_receives_the_new_composition(pg) -> None:
    client = AsyncClient()
    client.force_login(pg.elena.user)

    def recall() -> None:
        try:
            services.petition_sign(actor=pg.dora.user, petition=pg.petition)
        finally:
            connections.close_all()

    async def scenario() -> tuple[dict[str, str], str, dict]:
        try:
            response = await client.get(_live_url(pg), {"topic": f"council.{pg.soviet.pk}"})
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
    # The stream carries the council's new composition itself: the page swaps it in, no re-read.
    assert event["event"] == "composition"
    assert int(event["id"]) > 0
    assert 'id="composition"' in event["data"]
    assert "No majority" in event["data"]
    assert 'sse-swap="composition"' in event["data"]


def test_a_stream_of_an_unknown_topic_is_refused(pg) -> None:
    client = AsyncClient()
    client.force_login(pg.elena.user)

    async def scenario() -> int:
        try:
            return (await client.get(_live_url(pg), {"topic": "user.1"})).status_code
        finally:
            await live.shutdown()

    assert off_loop(asyncio.run, scenario()) == 400


def test_a_closed_stream_unsubscribes() -> None:
    async def scenario() -> tuple[int, int]:
        hub = live.hub()
        try:
            opened = live.Stream(
                organization_id=42, topics=frozenset({"council.1"}), user_id=1, session_key=""
            )
            await hub.subscribe(opened)
            body = live.stream(hub, opened)
            await anext(body)
            during = hub.subscribers(42)
            await body.aclose()
            return during, hub.subscribers(42)
        finally:
            await live.shutdown()

    assert off_loop(asyncio.run, scenario()) == (1, 0)


def test_the_council_page_follows_its_council_only_when_it_shows_now(client, pg) -> None:
    client.force_login(pg.dora.user)
    url = reverse("council", args=[pg.org.slug, pg.soviet.slug])
    now = client.get(url).content.decode()
    assert f'sse-connect="{_live_url(pg)}?topic=council.{pg.soviet.pk}&amp;since=' in now
    assert 'sse-swap="composition"' in now
    assert 'sse-close="bye"' in now
    assert "htmx-ext-sse.js" in now

    past = (pg.elected_at - timedelta(days=1)).date().isoformat()
    then = client.get(url, {"at": past}, headers={"HX-Request": "true", "HX-Target": "composition"})
    assert 'id="composition"' in then.content.decode()
    assert "sse-swap" not in then.content.decode()

    today = timezone.localdate().isoformat()
    again = client.get(url, {"at": today}, headers={"HX-Request": "true", "HX-Target": "composition"})
    assert 'sse-swap="composition"' in again.content.decode()


def test_the_majority_map_and_the_petitions_follow_their_topics(client, pg) -> None:
    client.force_login(pg.dora.user)
    organization_page = client.get(reverse("organization", args=[pg.org.slug])).content.decode()
    assert f'sse-connect="{_live_url(pg)}?topic=organization.{pg.org.pk}&amp;since=' in organization_page
    assert 'sse-swap="majority-map"' in organization_page

    constituency_page = client.get(reverse("constituency", args=[pg.org.slug, pg.putilov.slug])).content
    assert (
        f'sse-connect="{_live_url(pg)}?topic=constituency.{pg.putilov.pk}&amp;since='.encode()
        in constituency_page
    )
    # Petition cards differ per viewer ("you signed"): this page re-reads itself on a change.
    assert b"sse:change" in constituency_page
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
        value = value.removeprefix(" ")
        # Several data lines make one value, joined by newlines (as a browser does).
        fields[key] = fields[key] + "\n" + value if key == "data" and key in fields else value
    return fields
