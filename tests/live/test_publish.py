"""Live-update messages: one per committed change, naming its topics, none on rollback, by the
backend the settings choose (in-process, Redis pub/sub, PostgreSQL NOTIFY), heard by the
per-process listener."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from councils.federation import services
from councils.federation.errors import NotAllowed
from councils.federation.models import Faction, Organization
from councils.live import hub as live
from councils.live import publish, upstream
from tests.conftest import on_ci
from tests.factories import CouncilFactory, OfficerFactory, OrganizationFactory, UserFactory
from tests.threads import off_loop

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT = 10.0  # a ceiling so a broken path fails instead of hanging; no test asserts a duration


@pytest.fixture
def org() -> tuple[Organization, Any]:
    organizer = UserFactory()
    organization = OrganizationFactory()
    OfficerFactory(organization=organization, user=organizer)
    return organization, organizer


@pytest.fixture
def in_process(settings, monkeypatch) -> list[tuple[int, dict[str, Any]]]:
    """Force the in-process backend (whatever the database) and collect what it publishes."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(publish, "backend", lambda using="default": publish.LOCAL)
    heard: list[tuple[int, dict[str, Any]]] = []
    unsubscribe = publish.local_subscribe(lambda org_id, payload: heard.append((org_id, json.loads(payload))))
    yield heard
    unsubscribe()


@pytest.fixture
def channel_prefix(settings) -> str:
    """A prefix of our own: parallel test runs share one Redis and must not hear each other."""
    settings.COUNCILS_LIVE_CHANNEL_PREFIX = prefix = f"councils-test-{uuid.uuid4().hex[:12]}"
    return prefix


@pytest.fixture
def redis_url(settings, channel_prefix) -> str:
    """Redis at 127.0.0.1:6379 as the backend; skipped when it does not answer (failed in CI)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis does not answer at 127.0.0.1:6379 ({exc}): start redis-server to test this backend"
        if on_ci():
            pytest.fail(message)
        pytest.skip(message)
    settings.REDIS_URL = REDIS_URL
    return REDIS_URL


@pytest.fixture
def postgres(settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL NOTIFY backend: the test database is not PostgreSQL (set DATABASE_URL)")
    settings.REDIS_URL = ""


def _faction(org: tuple[Organization, Any], name: str = "Bolsheviks") -> Faction:
    organization, organizer = org
    return services.faction_create(actor=organizer, organization=organization, name=name)


def _expected(org: tuple[Organization, Any], faction: Faction) -> dict[str, Any]:
    """The message of ``faction_create`` without its version (the commit's time)."""
    organization = org[0]
    return {"organization": organization.pk, "topics": [f"organization.{organization.pk}"]}


def _unversioned(message: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(message.pop("version"), int)
    return message


def _follow(hub: live.Hub, organization_id: int, *names: str) -> live.Stream:
    """A stream following ``names`` of the organization, as the live view opens one."""
    return live.Stream(
        organization_id=organization_id,
        topics=frozenset(names),
        user_id=0,
        session_key="",
        since=publish.version_now(),  # a page rendered now: it hears changes from now on
    )


def _heard(chunk: bytes) -> dict[str, str]:
    """The fields of one server-sent event."""
    fields: dict[str, str] = {}
    for line in chunk.decode().splitlines():
        key, _, value = line.partition(": ")
        fields[key] = fields[key] + "\n" + value if key in fields else value
    return fields


def _in_thread(change: Callable[[], Any]) -> Any:
    """Run ``change`` in another thread, as a request of another client would, closing its connection."""

    def run() -> Any:
        try:
            return change()
        finally:
            connections.close_all()

    return asyncio.to_thread(run)


# --- publishing ----------------------------------------------------------------------------------


def test_a_change_publishes_one_message_once_committed(org, in_process) -> None:
    with transaction.atomic():
        faction = _faction(org)
        assert in_process == [], "nothing may be announced before the change commits"
    assert [(org_id, _unversioned(m)) for org_id, m in in_process] == [(org[0].pk, _expected(org, faction))]


def test_a_rolled_back_change_publishes_nothing(org, in_process) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _faction(org)
        raise RuntimeError("the request failed after the service")
    assert in_process == []
    assert not Faction.objects.exists()


def test_a_refused_change_publishes_nothing(org, in_process) -> None:
    organization, _ = org
    with pytest.raises(NotAllowed):
        services.faction_create(actor=UserFactory(), organization=organization, name="Intruders")
    assert in_process == []


def test_a_broken_backend_does_not_fail_the_change(org, settings, caplog) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    with caplog.at_level(logging.WARNING, logger="councils.live.publish"):
        faction = _faction(org)
    assert Faction.objects.filter(pk=faction.pk).exists()
    assert "Could not publish the live update" in caplog.text


def test_channel_names() -> None:
    assert publish.channel(7) == "councils.org.7"
    assert publish.postgres_channel(7) == "councils_org_7"


# --- in-process delivery -------------------------------------------------------------------------


def test_in_process_delivery_reaches_the_subscribers_of_the_organization(org, settings, monkeypatch) -> None:
    settings.REDIS_URL = ""
    monkeypatch.setattr(publish, "backend", lambda using="default": publish.LOCAL)
    other = OrganizationFactory()

    async def scenario() -> tuple[dict[str, str], bool]:
        hub = live.hub()
        try:
            here = _follow(hub, org[0].pk, f"organization.{org[0].pk}")
            elsewhere = _follow(hub, other.pk, f"organization.{other.pk}")
            await hub.subscribe(here)
            await hub.subscribe(elsewhere)
            await _in_thread(lambda: _faction(org))
            chunk = await asyncio.wait_for(here.queue.get(), WAIT)
            return _heard(chunk), elsewhere.queue.empty()
        finally:
            await live.shutdown()

    event, other_empty = off_loop(asyncio.run, scenario())
    # The organization's topic carries its majority map, rendered by the hub.
    assert event["event"] == "majority-map"
    assert 'id="majority-map"' in event["data"]
    assert other_empty, "another organization's stream heard of this change"


# --- Redis ---------------------------------------------------------------------------------------


def test_redis_backend_publishes_exactly_one_message(org, redis_url) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    channel = publish.channel(org[0].pk)
    pubsub.subscribe(channel)
    assert pubsub.get_message(timeout=WAIT)["type"] == "subscribe"
    try:
        faction = _faction(org)
        # A marker published after the change: the next message after the change's must be it.
        client.publish(channel, "marker")
        received = [pubsub.get_message(ignore_subscribe_messages=True, timeout=WAIT) for _ in range(2)]
    finally:
        pubsub.close()
        client.close()
    assert _unversioned(json.loads(received[0]["data"])) == _expected(org, faction)
    assert received[1]["data"] == b"marker"


def _heard_by_a_stream(org, kind: type) -> dict[str, str]:
    """What a stream following the organization hears of a faction change, through an upstream of
    ``kind`` (the backend the test configured)."""

    async def scenario() -> dict[str, str]:
        hub = live.hub()
        try:
            assert isinstance(hub.upstream, kind)
            stream = _follow(hub, org[0].pk, f"organization.{org[0].pk}")
            await hub.subscribe(stream)
            await _in_thread(lambda: _faction(org))
            return _heard(await asyncio.wait_for(stream.queue.get(), WAIT))
        finally:
            await live.shutdown()

    return off_loop(asyncio.run, scenario())


def test_redis_backend_reaches_a_listening_stream(org, redis_url) -> None:
    assert _heard_by_a_stream(org, upstream._RedisUpstream)["event"] == "majority-map"


# --- PostgreSQL ----------------------------------------------------------------------------------


def _conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db.get("PORT") or ""),
    }
    return make_conninfo("", **{k: v for k, v in params.items() if v})


def test_postgres_backend_notifies_exactly_once(org, postgres) -> None:
    import psycopg

    channel = publish.postgres_channel(org[0].pk)
    with psycopg.connect(_conninfo(), autocommit=True) as listener:
        listener.execute(f"LISTEN {channel}")
        faction = _faction(org)
        with psycopg.connect(_conninfo(), autocommit=True) as other:
            other.execute("SELECT pg_notify(%s, 'marker')", [channel])
        received = list(listener.notifies(timeout=WAIT, stop_after=2))
    assert [n.channel for n in received] == [channel, channel]
    assert _unversioned(json.loads(received[0].payload)) == _expected(org, faction)
    assert received[1].payload == "marker"


def test_postgres_backend_reaches_a_listening_stream(org, postgres) -> None:
    assert _heard_by_a_stream(org, upstream._PostgresUpstream)["event"] == "majority-map"


def test_a_bloc_change_tells_every_council_and_the_majority_map(org, in_process) -> None:
    organization, organizer = org
    reds, blues = _faction(org, "Reds"), _faction(org, "Blues")
    councils = [CouncilFactory(organization=organization) for _ in range(2)]
    in_process.clear()

    with transaction.atomic():
        services.bloc_form(actor=organizer, organization=organization, name="Left", factions=[reds, blues])

    [(org_id, message)] = in_process
    assert org_id == organization.pk
    assert sorted(message["topics"]) == sorted(
        [f"organization.{organization.pk}", *(f"council.{c.pk}" for c in councils)]
    )
