"""The one upstream listener of each server process: in-process callbacks, one PostgreSQL
connection that LISTENs, or one Redis subscription, feeding the process's hub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections

from councils.live import publish

logger = logging.getLogger(__name__)


if TYPE_CHECKING:
    from councils.live.hub import Hub

# Sent to every stream after the upstream connection was lost and made again: messages may have
# been missed meanwhile, so every followed topic counts as changed.
RESYNC = json.dumps({"kind": "resync"})
MAX_BACKOFF_SECONDS = 30.0


class _LocalUpstream:
    """In-process messages, from whichever thread commits, onto this hub's loop."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._unsubscribe = publish.local_subscribe(self._receive)

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

        name = publish.postgres_channel(organization_id)
        self._by_channel[name] = organization_id
        await self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))

    async def _unsubscribe(self, organization_id: int) -> None:
        from psycopg import sql

        name = publish.postgres_channel(organization_id)
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
        name = publish.channel(organization_id)
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
        name = publish.channel(organization_id)
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


def make_upstream(hub: Hub) -> _LocalUpstream | _ConnectionUpstream:
    from django.conf import settings

    chosen = publish.backend()
    if chosen == publish.REDIS:
        return _RedisUpstream(hub, settings.REDIS_URL)
    if chosen == publish.POSTGRESQL:
        return _PostgresUpstream(hub)
    return _LocalUpstream(hub)
