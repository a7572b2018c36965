"""Live updates by topic: what each change names, where it goes, one render per version shared by
every stream, streams that end when access ends, and randomized reconnection."""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import AsyncClient
from django.urls import reverse

from councils.federation import services
from councils.federation.models import Officer
from councils.live import access, publish, sse
from councils.live import hub as live
from councils.live.topics import Topic, parse
from councils.web import fragments
from tests.factories import UserFactory
from tests.federation.test_services import days, open_seat
from tests.threads import off_loop
from tests.web.scenario import build_petrograd

WAIT = 10.0  # a ceiling so a broken path fails instead of hanging; no test asserts a duration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_process(settings, monkeypatch) -> list[dict[str, Any]]:
    """The in-process backend, whatever the database; collects every message published."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(publish, "backend", lambda using="default": publish.LOCAL)
    heard: list[dict[str, Any]] = []
    unsubscribe = publish.local_subscribe(lambda _org, payload: heard.append(json.loads(payload)))
    yield heard
    unsubscribe()


# --- what a change names -------------------------------------------------------------------------


def test_a_recall_below_names_every_council_above(
    fed, in_process, django_capture_on_commit_callbacks
) -> None:
    red = fed.deputies[0]
    with django_capture_on_commit_callbacks(execute=True):
        petition = services.petition_open(
            actor=fed.constituents[0].user, seat=open_seat(red, fed.district), at=days(10)
        )
        services.petition_sign(actor=fed.constituents[1].user, petition=petition, at=days(11))
    assert in_process[-1]["topics"] == [f"constituency.{fed.works.pk}"], "a signature short of recall"
    in_process.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.petition_sign(actor=fed.constituents[2].user, petition=petition, at=days(12))
    assert outcome.recalled
    [message] = in_process
    assert message["organization"] == fed.org.pk
    assert set(message["topics"]) == {
        f"council.{fed.district.pk}",
        f"council.{fed.city.pk}",
        f"council.{fed.congress.pk}",
        f"constituency.{fed.works.pk}",
        f"organization.{fed.org.pk}",
    }
    assert isinstance(message["version"], int)


def test_nothing_is_published_before_commit_or_on_rollback(fed, in_process) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.seat_resign(actor=fed.organizer, seat=open_seat(fed.deputies[0], fed.district), at=days(10))
        raise RuntimeError("the request failed after the service")
    assert in_process == []


def test_topic_names_a_page_may_follow() -> None:
    assert parse(1, "council.3") == Topic(1, "council.3")
    assert parse(1, "organization.1") == Topic(1, "organization.1")
    assert parse(1, "constituency.12") == Topic(1, "constituency.12")
    assert parse(1, "poll.3") == Topic(1, "poll.3")
    assert parse(1, "sitting.3") == Topic(1, "sitting.3")
    for wrong in ("user.3", "council", "council.x", "motion.3", "", "council.-1"):
        assert parse(1, wrong) is None, wrong


# --- routing and rendering in the hub ------------------------------------------------------------


def _follow(organization_id: int, *names: str, since: int | None = None) -> live.Stream:
    """A stream of a page rendered now (or at ``since``)."""
    return live.Stream(
        organization_id=organization_id,
        topics=frozenset(names),
        user_id=0,
        session_key="",
        since=publish.version_now() if since is None else since,
    )


def _message(organization_id: int, version: int, *names: str) -> str:
    return json.dumps({"organization": organization_id, "topics": list(names), "version": version})


def test_one_render_per_version_shared_by_every_stream_of_the_topic(monkeypatch, in_process) -> None:
    rendered: list[str] = []

    def render(topic: Topic) -> str:
        rendered.append(topic.name)
        return f'<section id="composition">{topic.name} #{len(rendered)}</section>'

    monkeypatch.setitem(fragments.FRAGMENTS, "council", fragments.Fragment("composition", render))

    async def scenario() -> tuple[list[list[bytes]], list[bytes], list[bytes], int, int]:
        hub = live.hub()
        try:
            council_a = [_follow(1, "council.10") for _ in range(50)]
            council_b = _follow(1, "council.20")
            elsewhere = _follow(2, "council.10")  # the same name in another organization
            for stream in [*council_a, council_b, elsewhere]:
                await hub.subscribe(stream)
            # The first stream of a topic warms its render up once; pages rendered now lack nothing.
            await asyncio.sleep(0.05)
            warm = hub.renders[(1, "council.10", "en")]
            version = publish.version_now()
            hub.deliver(1, _message(1, version, "council.10"))
            hub.deliver(1, _message(1, version, "council.10"))  # the same version again: no new render
            got = [[await asyncio.wait_for(s.queue.get(), WAIT)] for s in council_a]
            hub.deliver(1, _message(1, version + 1, "council.10"))
            for s, chunks in zip(council_a, got, strict=True):
                chunks.append(await asyncio.wait_for(s.queue.get(), WAIT))
            await asyncio.sleep(0.05)
            leftovers = [s.queue.get_nowait() for s in council_a if not s.queue.empty()]
            others = [s.queue.get_nowait() for s in (council_b, elsewhere) if not s.queue.empty()]
            return got, leftovers, others, warm, hub.renders[(1, "council.10", "en")] - warm
        finally:
            await live.shutdown()

    got, leftovers, others, warm, renders = off_loop(asyncio.run, scenario())
    assert warm == 1
    assert renders == 2, "one render per version for 50 streams"
    first, second = got[0]
    assert all(chunks[0] is first and chunks[1] is second for chunks in got), "the very same bytes"
    assert re.match(rb"event: composition\nid: \d+\ndata: <section", first)
    assert int(second.split(b"\n")[1][4:]) == int(first.split(b"\n")[1][4:]) + 1
    assert leftovers == []
    assert others == [], "a change in council A reached a stream of council B or another organization"


def test_a_topic_without_a_shared_fragment_gets_one_change_event(in_process) -> None:
    async def scenario() -> tuple[bytes, bool]:
        hub = live.hub()
        try:
            stream = _follow(1, "constituency.5", "user.9")
            await hub.subscribe(stream)
            hub.deliver(1, _message(1, stream.since + 7, "constituency.5", "constituency.6"))
            chunk = await asyncio.wait_for(stream.queue.get(), WAIT)
            await asyncio.sleep(0.01)
            return chunk, stream.queue.empty()
        finally:
            await live.shutdown()

    chunk, then_empty = off_loop(asyncio.run, scenario())
    assert re.fullmatch(
        rb'event: change\nid: (\d+)\ndata: \{"topic": "constituency.5", "version": \1\}\n\n', chunk
    )
    assert then_empty


def test_a_stream_opened_after_a_change_it_missed_gets_it_at_once(monkeypatch, in_process) -> None:
    monkeypatch.setitem(
        fragments.FRAGMENTS, "council", fragments.Fragment("composition", lambda topic: "<p>new</p>")
    )

    async def scenario() -> tuple[bytes, bool, bytes]:
        hub = live.hub()
        try:
            early = _follow(1, "council.10")
            await hub.subscribe(early)
            version = publish.version_now()
            hub.deliver(1, _message(1, version, "council.10"))
            await asyncio.wait_for(early.queue.get(), WAIT)
            # Rendered before the change, its stream opened after it: it gets the render at once.
            late = _follow(1, "council.10", since=version - 1)
            current = _follow(1, "council.10", since=version + 1)
            await hub.subscribe(late)
            await hub.subscribe(current)
            # A page older than this process (a reconnect after a restart) may have missed anything.
            older = _follow(1, "council.20", since=hub.started - 1)
            await hub.subscribe(older)
            restarted = await asyncio.wait_for(older.queue.get(), WAIT)
            return late.queue.get_nowait(), current.queue.empty(), restarted
        finally:
            await live.shutdown()

    chunk, current_empty, restarted = off_loop(asyncio.run, scenario())
    assert re.fullmatch(rb"event: composition\nid: \d+\ndata: <p>new</p>\n\n", chunk)
    assert current_empty
    assert restarted.startswith(b"event: composition")


# --- access ends, the stream ends ----------------------------------------------------------------


def _stream_until_end(pg, user, end_access: Callable[[], None]) -> list[str]:
    """Open ``user``'s stream of the soviet, run ``end_access`` in another thread, and read the
    stream until it ends; returns the chunks after the opening."""
    client = AsyncClient()
    client.force_login(user)

    def in_thread() -> None:
        try:
            end_access()
        finally:
            connections.close_all()

    async def scenario() -> list[str]:
        try:
            response = await client.get(
                reverse("live", args=[pg.org.slug]), {"topic": f"council.{pg.soviet.pk}"}
            )
            body = aiter(response.streaming_content)
            await asyncio.wait_for(anext(body), WAIT)
            await asyncio.to_thread(in_thread)
            chunks = []
            async for chunk in body:  # ends when the server ends the stream
                chunks.append(chunk.decode())
                assert len(chunks) < 10
            return chunks
        finally:
            await live.shutdown()

    return off_loop(asyncio.run, asyncio.wait_for(scenario(), WAIT))


@pytest.mark.django_db(transaction=True)
def test_a_removed_members_stream_stops_and_closes() -> None:
    pg = build_petrograd()

    def remove_elena() -> None:
        # The organizer removes her (the service publishes her topic), then a change she must not see.
        services.member_leave(actor=pg.organizer, member=pg.elena)
        services.petition_sign(actor=pg.dora.user, petition=pg.petition)

    chunks = _stream_until_end(pg, pg.elena.user, remove_elena)
    assert chunks[0].startswith("event: bye")
    assert not any("event: composition" in c for c in chunks)


@pytest.mark.django_db(transaction=True)
def test_a_removed_officers_stream_closes() -> None:
    pg = build_petrograd()

    # Another organizer first: an organization keeps at least one.
    services.officer_appoint(
        actor=pg.organizer, organization=pg.org, user=UserFactory(), role=Officer.Role.ORGANIZER
    )

    def remove_office() -> None:
        office = Officer.objects.current().get(organization=pg.org, user=pg.organizer)
        services.officer_remove(actor=pg.organizer, officer=office)

    assert _stream_until_end(pg, pg.organizer, remove_office)[0].startswith("event: bye")


@pytest.mark.django_db(transaction=True)
def test_a_member_who_keeps_access_keeps_the_stream() -> None:
    pg = build_petrograd()
    client = AsyncClient()
    client.force_login(pg.elena.user)

    def check_then_recall() -> None:
        try:
            with transaction.atomic():  # a check that finds her still a member
                access.access_ended(organization_id=pg.org.pk, user_id=pg.elena.user_id)
            services.petition_sign(actor=pg.dora.user, petition=pg.petition)
        finally:
            connections.close_all()

    async def scenario() -> tuple[str, bool]:
        try:
            url = reverse("live", args=[pg.org.slug])
            response = await client.get(url, {"topic": f"council.{pg.soviet.pk}"})
            body = aiter(response.streaming_content)
            await asyncio.wait_for(anext(body), WAIT)
            await asyncio.to_thread(check_then_recall)
            chunk = (await asyncio.wait_for(anext(body), WAIT)).decode()
            [opened] = live.hub().followers(pg.org.pk, f"council.{pg.soviet.pk}")
            await body.aclose()
            return chunk, opened.closed
        finally:
            await live.shutdown()

    chunk, closed = off_loop(asyncio.run, scenario())
    assert chunk.startswith("event: composition")
    assert not closed


@pytest.mark.django_db(transaction=True)
def test_the_periodic_check_ends_the_stream_of_a_signed_out_session() -> None:
    pg = build_petrograd()
    client = AsyncClient()
    client.force_login(pg.elena.user)

    async def scenario() -> tuple[bool, bool]:
        try:
            response = await client.get(
                reverse("live", args=[pg.org.slug]), {"topic": f"council.{pg.soviet.pk}"}
            )
            body = aiter(response.streaming_content)
            await asyncio.wait_for(anext(body), WAIT)
            hub = live.hub()
            [opened] = hub.followers(pg.org.pk, f"council.{pg.soviet.pk}")
            await hub.check_access([opened])
            still_open = not opened.closed
            await asyncio.to_thread(lambda: Session.objects.all().delete())  # signed out everywhere
            await hub.check_access([opened])
            assert (await asyncio.wait_for(anext(body), WAIT)).startswith(b"event: bye")
            return still_open, opened.closed
        finally:
            await live.shutdown()

    assert off_loop(asyncio.run, scenario()) == (True, True)


@pytest.mark.django_db(transaction=True)
def test_accepting_a_stream_costs_three_queries(client, django_assert_max_num_queries) -> None:
    pg = build_petrograd()
    client.force_login(pg.elena.user)
    with django_assert_max_num_queries(3):  # the session, the user, the organization with access
        response = off_loop(
            client.get, reverse("live", args=[pg.org.slug]), {"topic": f"council.{pg.soviet.pk}"}
        )
    assert response.status_code == 204  # the test client is WSGI: the gate passed, no stream
    client.force_login(UserFactory())
    assert off_loop(client.get, reverse("live", args=[pg.org.slug])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_live_access_rule_is_the_organization_access_rule() -> None:
    from councils.federation.access import may_view
    from tests.factories import OfficerFactory

    pg = build_petrograd()
    admin = UserFactory(is_superuser=True)
    officer = OfficerFactory(organization=pg.org, user=UserFactory()).user
    inactive = UserFactory(is_active=False)
    OfficerFactory(organization=pg.org, user=inactive)
    left = pg.viktor
    services.member_leave(actor=pg.organizer, member=left)
    users = [pg.elena.user, left.user, admin, officer, inactive, UserFactory()]
    sessions = {u.pk: f"s{u.pk}" for u in users}
    with patch.object(access, "_live_sessions", lambda keys: {f"s{u.pk}": u.pk for u in users}):
        bulk = access.still_allowed({(pg.org.pk, u.pk, sessions[u.pk]) for u in users})
    for user in users:
        expected = may_view(user, pg.org)
        assert access.gate(user, pg.org.slug)[2] is expected, user
        assert ((pg.org.pk, user.pk, sessions[user.pk]) in bulk) is expected, user
    assert [may_view(u, pg.org) for u in users] == [True, False, True, True, False, False]


# --- reconnection --------------------------------------------------------------------------------


def test_reconnection_delays_are_random_within_doubling_bounds() -> None:
    rng = random.Random(7)
    for failures in range(1, 12):
        ceiling = min(sse.RETRY_CAP_MS, sse.RETRY_BASE_MS * 2 ** (failures - 1))
        draws = [sse.retry_ms(failures, rng) for _ in range(200)]
        assert all(sse.RETRY_MIN_MS <= d <= sse.RETRY_MIN_MS + ceiling for d in draws)
        assert len(set(draws)) > 150, "delays must differ from stream to stream"
    assert max(sse.retry_ms(50, rng) for _ in range(100)) <= sse.RETRY_MIN_MS + sse.RETRY_CAP_MS


def test_each_stream_gets_its_own_retry_field(in_process) -> None:
    async def scenario() -> list[int]:
        hub = live.hub()
        try:
            values = []
            for _ in range(40):
                body = live.stream(hub, _follow(1, "council.1"))
                values.append(int(re.match(rb"retry: (\d+)\n", await anext(body)).group(1)))
                await body.aclose()
            return values
        finally:
            await live.shutdown()

    values = off_loop(asyncio.run, scenario())
    assert all(sse.RETRY_MIN_MS <= v <= sse.RETRY_MIN_MS + sse.RETRY_BASE_MS for v in values)
    assert len(set(values)) > 30


def test_the_browser_extension_uses_the_same_reconnection_policy() -> None:
    script = (ROOT / "src/councils/web/static/web/htmx-ext-sse.js").read_text()
    for name in ("RETRY_MIN_MS", "RETRY_BASE_MS", "RETRY_CAP_MS"):
        assert re.search(rf"var {name} = (\d+)", script).group(1) == str(getattr(sse, name)), name
    assert "Math.random()" in script
