"""One open live page (:class:`Stream`) and the body of its server-sent events response.

The hub (``councils.live.hub``) routes messages to streams; this module holds what a stream is,
how it queues what it is sent, and how its response body hands the queue to the client. Both
names stay importable from ``councils.live.hub``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from councils.live.sse import BYE, retry_ms

if TYPE_CHECKING:
    from councils.live.hub import Hub

# A stream that cannot keep up loses messages beyond this; the next fragment replaces what it lost.
QUEUE_SIZE = 32


T = TypeVar("T")


def default_language() -> str:
    """The site's language (``LANGUAGE_CODE``): a stream's when none is given."""
    return str(settings.LANGUAGE_CODE)


@dataclass(eq=False)
class Stream:
    """One open page: who follows what. ``topics`` holds topic names of ``organization_id``."""

    organization_id: int
    topics: frozenset[str]
    user_id: int
    session_key: str
    since: int = 0  # the version the page was rendered at: a newer change is sent at once
    # The page's language: shared fragments reach it rendered in this language.
    language: str = field(default_factory=default_language)
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE))
    closed: bool = False

    def put(self, chunk: bytes) -> None:
        """Queue ``chunk``; a stream that cannot keep up drops it (a later fragment replaces it)."""
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(chunk)

    def close(self) -> None:
        """End the stream: its generator sends ``bye`` and returns."""
        self.closed = True
        self.put(BYE)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in a worker thread and close that thread's database connections after, so
    no connection is held across a stream's wait."""

    def run() -> T:
        try:
            return function(*args)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()

    return await sync_to_async(run, thread_sensitive=False)()


async def stream(hub: Hub, opened: Stream) -> AsyncIterator[bytes]:
    """The body of a server-sent events response: the queued events of ``opened`` (subscribed with
    ``hub.subscribe``), the hub's heartbeats, and ``bye`` when its access ended. The ``finally``
    unsubscribes it when the client goes (``CancelledError``)."""
    try:
        # A reconnection delay of this stream's own, and a first chunk so the stream opens at once.
        yield f"retry: {retry_ms()}\n: connected\n\n".encode()
        while not opened.closed:
            # A plain get, no timeout: a timer per stream would cost thousands of wake-ups; the hub
            # sends every stream its heartbeat from one task.
            chunk = await opened.queue.get()
            if opened.closed:
                break
            yield chunk
        yield BYE
    finally:
        hub.unsubscribe(opened)
