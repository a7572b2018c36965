"""The receiving end of live updates: one listener per server process, fanned out to open streams.

``councils.audit.notify`` publishes one message per committed audit event. Here each server
process (each event loop) keeps ONE upstream subscription, started lazily by the first stream:

- Redis: one pub/sub connection, subscribed to the channels of the organizations with open
  streams in this process;
- PostgreSQL: one dedicated psycopg async connection in autocommit mode (not an ORM connection),
  ``LISTEN``-ing to the same channels;
- in-process (the embedded default): a callback registered with ``notify.local_subscribe``, which
  hands each message from the publishing thread to the loop with ``call_soon_threadsafe``.

Each open stream owns an ``asyncio.Queue``; the hub puts every message of its organization in it.
A stream holds no database connection while it waits (STACK-NOTES).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from councils.audit import notify

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# A stream that cannot keep up loses messages beyond this; one is enough to make a page re-read.
QUEUE_SIZE = 32
# Sent to every stream after the upstream connection was lost and made again: messages may have
# been missed meanwhile, so pages re-read what they show.
RESYNC = json.dumps({"kind": "resync"})
MAX_BACKOFF_SECONDS = 30.0


class Hub:
    """The open streams of one event loop, by organization, and the loop's one upstream listener."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # Weak: a stream whose generator was dropped without running its ``finally`` (a client gone
        # before the body started) must not stay subscribed for the life of the process.
        self._queues: dict[int, weakref.WeakSet[asyncio.Queue[str]]] = {}
        self._listening: dict[int, asyncio.Future[None]] = {}
        self.upstream = _make_upstream(self)

    async def subscribe(self, organization_id: int) -> asyncio.Queue[str]:
        """A queue that receives the organization's messages from now on (the upstream listens to
        the organization's channel before this returns)."""
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues.setdefault(organization_id, weakref.WeakSet()).add(queue)
        ready = self._listening.get(organization_id)
        if ready is None:
            ready = self._listening[organization_id] = asyncio.ensure_future(
                self.upstream.listen(organization_id)
            )
        # Shielded: one stream going away must not cancel the LISTEN another stream waits for.
        await asyncio.shield(ready)
        return queue

    def unsubscribe(self, organization_id: int, queue: asyncio.Queue[str]) -> None:
        """Stop delivering to ``queue``; the last stream of an organization ends the upstream listen."""
        queues = self._queues.get(organization_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[organization_id]
                self._listening.pop(organization_id, None)
                # Not awaited: this runs in a stream's ``finally``, possibly while it is cancelled.
                self.loop.create_task(self.upstream.unlisten(organization_id))

    def deliver(self, organization_id: int, payload: str) -> None:
        """Put ``payload`` in the queue of every open stream of the organization (on the loop)."""
        for queue in list(self._queues.get(organization_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(payload)

    def deliver_all(self, payload: str) -> None:
        """Put ``payload`` in every open stream's queue."""
        for organization_id in list(self._queues):
            self.deliver(organization_id, payload)

    def subscribers(self, organization_id: int) -> int:
        """How many streams of the organization are open in this loop."""
        return len(self._queues.get(organization_id, ()))

    async def close(self) -> None:
        """Close the upstream connection (tests; a server process simply exits)."""
        await self.upstream.close()


# --- upstream listeners --------------------------------------------------------------------------


class _LocalUpstream:
    """In-process messages, from whichever thread commits, onto this hub's loop."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._unsubscribe = notify.local_subscribe(self._receive)

    def _receive(self, organization_id: int, payload: str) -> None:
        # Runs in the publishing thread (a sync view's or the tests' thread).
        with contextlib.suppress(RuntimeError):  # the loop was closed: nobody is listening
            self.hub.loop.call_soon_threadsafe(self.hub.deliver, organization_id, payload)

    async def listen(self, organization_id: int) -> None:
        return None

    async def unlisten(self, organization_id: int) -> None:
        return None

    async def close(self) -> None:
        self._unsubscribe()


class _ConnectionUpstream(ABC):
    """One connection that subscribes to channels and reads messages in a background task.

    Subscribing needs the connection the reader is waiting on, so the reader is cancelled around
    each ``LISTEN``/``SUBSCRIBE`` and started again (both drivers keep what arrives meanwhile). A lost
    connection is made again with back-off, re-subscribing every channel, and every stream is told to
    re-read."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.channels: set[int] = set()
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._connected = False
        self._was_connected = False
        self._closed = False

    # Driver-specific parts.
    @abstractmethod
    async def _connect(self) -> None:
        """Driver-specific: see the subclasses."""

    @abstractmethod
    async def _disconnect(self) -> None:
        """Driver-specific: see the subclasses."""

    @abstractmethod
    async def _subscribe(self, organization_id: int) -> None:
        """Driver-specific: see the subclasses."""

    @abstractmethod
    async def _unsubscribe(self, organization_id: int) -> None:
        """Driver-specific: see the subclasses."""

    @abstractmethod
    def _messages(self) -> AsyncGenerator[tuple[int, str], None]:
        """Driver-specific: see the subclasses."""

    # Shared machinery.
    async def listen(self, organization_id: int) -> None:
        async with self._lock:
            self.channels.add(organization_id)
            await self._stop_reader()
            try:
                if self._connected:
                    await self._subscribe(organization_id)
                else:
                    await self._open()
            except Exception:
                logger.warning("Live updates: could not listen; retrying in the background", exc_info=True)
                await self._drop()
            finally:
                self._start_reader()

    async def unlisten(self, organization_id: int) -> None:
        async with self._lock:
            if organization_id not in self.channels or self.hub.subscribers(organization_id):
                return  # a new stream of the organization came meanwhile
            self.channels.discard(organization_id)
            await self._stop_reader()
            try:
                if self._connected:
                    await self._unsubscribe(organization_id)
            except Exception:
                logger.warning("Live updates: could not stop listening", exc_info=True)
                await self._drop()
            finally:
                self._start_reader()

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            await self._stop_reader()
            await self._drop()

    async def _open(self) -> None:
        await self._connect()  # connects and subscribes to every channel in self.channels
        self._connected = True
        if self._was_connected:
            self.hub.deliver_all(RESYNC)
        self._was_connected = True

    async def _drop(self) -> None:
        self._connected = False
        with contextlib.suppress(Exception):
            await self._disconnect()

    async def _stop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    def _start_reader(self) -> None:
        if not self._closed and self.channels:
            self._reader = self.hub.loop.create_task(self._read())

    async def _read(self) -> None:
        backoff = 0.5
        while True:
            try:
                if not self._connected:
                    await self._open()
                    backoff = 0.5
                # aclosing: a cancelled reader closes the driver's generator, releasing its lock.
                async with contextlib.aclosing(self._messages()) as messages:
                    async for organization_id, payload in messages:
                        self.hub.deliver(organization_id, payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Live updates: connection lost; reconnecting", exc_info=True)
                await self._drop()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


class _PostgresUpstream(_ConnectionUpstream):
    """``LISTEN`` on one dedicated psycopg async connection (autocommit), not an ORM connection."""

    def __init__(self, hub: Hub, using: str = DEFAULT_DB_ALIAS) -> None:
        super().__init__(hub)
        self.using = using
        self._conn: Any = None
        self._by_channel: dict[str, int] = {}

    def _conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        # The settings of the database the ORM uses now (in tests: the test database).
        db = connections[self.using].settings_dict
        params = {
            "dbname": db.get("NAME"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
            "host": db.get("HOST"),
            "port": str(db.get("PORT") or ""),
        }
        return make_conninfo("", **{k: v for k, v in params.items() if v})

    async def _connect(self) -> None:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._conninfo(), autocommit=True)
        try:
            self._conn = conn
            for organization_id in sorted(self.channels):
                await self._subscribe(organization_id)
        except BaseException:
            self._conn = None
            await conn.close()
            raise

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _subscribe(self, organization_id: int) -> None:
        from psycopg import sql

        name = notify.postgres_channel(organization_id)
        self._by_channel[name] = organization_id
        await self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))

    async def _unsubscribe(self, organization_id: int) -> None:
        from psycopg import sql

        name = notify.postgres_channel(organization_id)
        self._by_channel.pop(name, None)
        await self._conn.execute(sql.SQL("UNLISTEN {}").format(sql.Identifier(name)))

    async def _messages(self) -> AsyncGenerator[tuple[int, str], None]:
        async for note in self._conn.notifies():
            organization_id = self._by_channel.get(note.channel)
            if organization_id is not None:
                yield organization_id, note.payload


class _RedisUpstream(_ConnectionUpstream):
    """One Redis pub/sub connection, subscribed to the channels of the organizations with streams."""

    SUBSCRIBE_TIMEOUT = 5.0

    def __init__(self, hub: Hub, url: str) -> None:
        super().__init__(hub)
        self.url = url
        self._client: Any = None
        self._pubsub: Any = None
        self._by_channel: dict[str, int] = {}

    async def _connect(self) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.Redis.from_url(self.url)
        self._pubsub = self._client.pubsub()
        try:
            for organization_id in sorted(self.channels):
                await self._subscribe(organization_id)
        except BaseException:
            await self._disconnect()
            raise

    async def _disconnect(self) -> None:
        pubsub, client, self._pubsub, self._client = self._pubsub, self._client, None, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        if client is not None:
            await client.aclose()

    async def _subscribe(self, organization_id: int) -> None:
        name = notify.channel(organization_id)
        self._by_channel[name] = organization_id
        await self._pubsub.subscribe(name)
        # SUBSCRIBE is confirmed by a message: wait for it, so a change published after this
        # returns is heard; messages of other channels arriving meanwhile are delivered.
        async with asyncio.timeout(self.SUBSCRIBE_TIMEOUT):
            while True:
                message = await self._pubsub.get_message(timeout=None)
                if message is None:
                    continue
                if message["type"] == "subscribe" and _text(message["channel"]) == name:
                    return
                self._handle(message)

    async def _unsubscribe(self, organization_id: int) -> None:
        name = notify.channel(organization_id)
        self._by_channel.pop(name, None)
        await self._pubsub.unsubscribe(name)

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message":
            return
        organization_id = self._by_channel.get(_text(message["channel"]))
        if organization_id is not None:
            self.hub.deliver(organization_id, _text(message["data"]))

    async def _messages(self) -> AsyncGenerator[tuple[int, str], None]:
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is None or message.get("type") != "message":
                continue
            organization_id = self._by_channel.get(_text(message["channel"]))
            if organization_id is not None:
                yield organization_id, _text(message["data"])


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _make_upstream(hub: Hub) -> _LocalUpstream | _ConnectionUpstream:
    from django.conf import settings

    chosen = notify.backend()
    if chosen == notify.REDIS:
        return _RedisUpstream(hub, settings.REDIS_URL)
    if chosen == notify.POSTGRESQL:
        return _PostgresUpstream(hub)
    return _LocalUpstream(hub)


# --- one hub per event loop ----------------------------------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The running loop's hub, made on first use (a uvicorn worker has one loop: one hub)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub(loop)
    return found


async def shutdown() -> None:
    """Close the running loop's hub and its upstream connection, if it has one."""
    found = _hubs.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.close()


def _event(payload: str) -> str:
    return "event: change\ndata: " + payload.replace("\n", "\ndata: ") + "\n\n"


async def stream(
    hub: Hub, organization_id: int, queue: asyncio.Queue[str], *, heartbeat: float = HEARTBEAT_SECONDS
) -> AsyncIterator[str]:
    """The body of a server-sent events response: ``event: change`` per message of the organization
    and a comment every ``heartbeat`` seconds (proxies close silent connections). ``queue`` comes from
    ``hub.subscribe``; the ``finally`` unsubscribes it when the client goes (``CancelledError``)."""
    try:
        # The reconnection delay for the browser, and a first chunk so the stream opens at once.
        yield "retry: 2000\n: connected\n\n"
        while True:
            try:
                payload = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            yield _event(payload)
    finally:
        hub.unsubscribe(organization_id, queue)
