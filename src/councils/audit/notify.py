"""Telling open pages that an organization changed: one small message per audit event, after commit.

Every change of state writes exactly one audit event (ARCHITECTURE), so the event is the one place
where "something changed in organization N" can be announced. ``event_record`` registers
:func:`publish_on_commit`; once the service's transaction commits, a message

    {"organization": id, "kind": ..., "sequence": n, "object_type": ..., "object_id": ...}

goes out on the channel ``councils.org.<id>`` by one of three backends, chosen from the settings:

- Redis pub/sub when ``REDIS_URL`` is set (several machines);
- PostgreSQL ``NOTIFY`` when the database is PostgreSQL (several processes on one database); the
  channel name is sanitized to an unquoted identifier (``councils_org_<id>``);
- in-process otherwise (the embedded SQLite default: one server process), to the callbacks that
  :func:`local_subscribe` registered.

The message carries no actor and no content: a page that hears it re-reads what it shows, with its
own permission checks. Publishing never fails the request: a broken backend is logged and skipped.
``councils.web.live`` is the receiving end.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

if TYPE_CHECKING:
    from councils.audit.models import Event

logger = logging.getLogger(__name__)

REDIS = "redis"
POSTGRESQL = "postgresql"
LOCAL = "local"

# Publishing happens inside a request: a Redis that does not answer must not hold it up for long.
REDIS_TIMEOUT = 0.5

LocalCallback = Callable[[int, str], None]

_local_lock = threading.Lock()
_local_callbacks: list[LocalCallback] = []
_redis_lock = threading.Lock()
_redis_clients: dict[str, Any] = {}


def channel_prefix() -> str:
    """The first part of every channel name; ``councils`` unless the settings say otherwise (two
    installations sharing one Redis, or parallel test runs, must not hear each other)."""
    return str(getattr(settings, "COUNCILS_LIVE_CHANNEL_PREFIX", "") or "councils")


def channel(organization_id: int) -> str:
    """The channel of one organization's changes: ``councils.org.<id>``."""
    return f"{channel_prefix()}.org.{int(organization_id)}"


def postgres_channel(organization_id: int) -> str:
    """The same channel as a PostgreSQL identifier: lower case letters, digits and ``_``, at most 63
    characters, so ``LISTEN`` needs no quoting."""
    return re.sub(r"[^a-z0-9_]", "_", channel(organization_id).lower())[:63]


def backend(using: str = DEFAULT_DB_ALIAS) -> str:
    """Which backend carries the messages: ``redis``, ``postgresql`` or ``local``."""
    if getattr(settings, "REDIS_URL", ""):
        return REDIS
    if connections[using].vendor == "postgresql":
        return POSTGRESQL
    return LOCAL


def message_for(event: Event) -> dict[str, Any]:
    """The message announcing ``event``: what changed, never who changed it or how."""
    return {
        "organization": event.organization_id,
        "kind": event.kind,
        "sequence": event.sequence,
        "object_type": event.object_type,
        "object_id": event.object_id,
    }


def publish_on_commit(event: Event, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Publish ``event``'s message once the transaction that wrote it commits (never on rollback)."""
    transaction.on_commit(partial(publish, message_for(event), using=using), using=using)


def publish(message: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send ``message`` on its organization's channel now. Logs and returns on any failure."""
    try:
        organization_id = int(message["organization"])
        payload = json.dumps(message, separators=(",", ":"), sort_keys=True)
        chosen = backend(using)
        if chosen == REDIS:
            _redis_client(settings.REDIS_URL).publish(channel(organization_id), payload)
        elif chosen == POSTGRESQL:
            # Called after commit, in autocommit mode: the notification is delivered at once.
            with connections[using].cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [postgres_channel(organization_id), payload])
        else:
            _publish_local(organization_id, payload)
    except Exception:
        # A live update is a courtesy: the change itself is committed and must stand.
        logger.warning("Could not publish the live update %r", message, exc_info=True)


def _redis_client(url: str) -> Any:
    # One client (and its connection pool) per URL for the process; redis-py's client is thread-safe.
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
            )
            _redis_clients[url] = client
        return client


def local_subscribe(callback: LocalCallback) -> Callable[[], None]:
    """Call ``callback(organization_id, payload)`` for every in-process message, from the thread that
    published it (the callback must hand over to its own thread or loop). Returns the unsubscriber."""
    with _local_lock:
        _local_callbacks.append(callback)

    def unsubscribe() -> None:
        with _local_lock:
            if callback in _local_callbacks:
                _local_callbacks.remove(callback)

    return unsubscribe


def _publish_local(organization_id: int, payload: str) -> None:
    with _local_lock:
        callbacks = list(_local_callbacks)
    for callback in callbacks:
        try:
            callback(organization_id, payload)
        except Exception:
            logger.warning("A live-update subscriber failed", exc_info=True)
