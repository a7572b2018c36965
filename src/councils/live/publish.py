"""Telling open pages that something changed: one small message per change, after commit.

Each service names what its change touches (``councils.live.topics``) and calls
:func:`publish_on_commit` right after its audit event; once its transaction commits, one message

    {"organization": id, "topics": ["council.3", "organization.1"], "version": v}

goes out on the organization's channel ``councils.org.<id>`` by one of three backends, chosen from
the settings:

- Redis pub/sub when ``REDIS_URL`` is set (several machines);
- PostgreSQL ``NOTIFY`` when the database is PostgreSQL (several processes on one database); the
  channel name is sanitized to an unquoted identifier (``councils_org_<id>``);
- in-process otherwise (the embedded SQLite default: one server process), to the callbacks that
  :func:`local_subscribe` registered.

Channels are per organization, not per topic: a process listens to one channel per organization it
has streams of (not thousands of user and council channels) and routes by topic itself
(``councils.live.hub``). ``version`` is the commit time in microseconds: it orders the changes of a
topic and keys the fragment rendered for it (one render per topic and version in each process).
The message carries no actor and no content. Publishing never fails the request: a broken backend
is logged and skipped.

Through Redis or PostgreSQL, each server process sends at most one message per organization every
:data:`PUBLISH_INTERVAL` seconds (``councils.live.throttle``): a lone change at once, a burst (a
petition signed by hundreds a second) as one message at the window's end, naming every topic of
it. The in-process backend sends each at once: it costs no round trip.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from councils.live.throttle import Throttle
from councils.live.topics import Topic

logger = logging.getLogger(__name__)

REDIS = "redis"
POSTGRESQL = "postgresql"
LOCAL = "local"

# At most one message per organization and server process in this many seconds, through Redis or
# PostgreSQL: pages see a change well within a second all the same.
PUBLISH_INTERVAL = 0.05

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


def version_now() -> int:
    """A version for a change committed now: microseconds since the epoch."""
    return time.time_ns() // 1000


def publish_on_commit(*topics: Topic | Iterable[Topic], using: str = DEFAULT_DB_ALIAS) -> None:
    """Once the current transaction commits (never on rollback), tell the streams following any of
    ``topics`` (topics, or iterables of them) that they changed: one message per organization."""
    flat: set[Topic] = set()
    for item in topics:
        if isinstance(item, Topic):
            flat.add(item)
        else:
            flat.update(item)
    if flat:
        transaction.on_commit(lambda: _publish_topics(flat, using=using), using=using)


def _publish_topics(topics: set[Topic], *, using: str) -> None:
    version = version_now()
    by_organization: dict[int, list[str]] = defaultdict(list)
    for topic in sorted(topics):
        by_organization[topic.organization_id].append(topic.name)
    remote = backend(using) != LOCAL
    for organization_id, names in by_organization.items():
        if remote:
            _throttle((using, organization_id), names)
        else:
            publish({"organization": organization_id, "topics": names, "version": version}, using=using)


def _send_throttled(key: Any, names: list[str]) -> None:
    # Stamped when sent: after every commit the message speaks for.
    using, organization_id = key
    publish({"organization": organization_id, "topics": names, "version": version_now()}, using=using)


_throttle = Throttle(PUBLISH_INTERVAL, _send_throttled)


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
