"""The receiving end of live updates: one listener per server process, routed by topic to open
streams, with each changed fragment rendered once per process and shared.

``councils.live.publish`` sends one message per committed change on the organization's channel,
naming the topics it touched. Each server process (each event loop) keeps ONE upstream
subscription, started lazily by the first stream:

- Redis: one pub/sub connection, subscribed to the channels of the organizations with open
  streams in this process;
- PostgreSQL: one dedicated psycopg async connection in autocommit mode (not an ORM connection),
  ``LISTEN``-ing to the same channels;
- in-process (the embedded default): a callback registered with ``publish.local_subscribe``, which
  hands each message from the publishing thread to the loop with ``call_soon_threadsafe``.

Each open stream (:class:`Stream`) follows a few topics: the one its page shows and its user's.
For a topic with a shared fragment (``councils.web.fragments``: a council's composition, the
organization's majority map) the hub renders the fragment ONCE per version and language, in a
worker thread, encodes the server-sent event once and puts the same bytes in every following
stream of that language; the pages swap it in (htmx ``sse-swap``, with ``settle:0ms``: htmx
listens to a swapped-in element only once it has settled, and a change arriving before that would
be lost, leaving the page on the one before). A stream's language is its page's
(``Stream.language``), so a Russian page receives Russian updates. Other topics (a
constituency's petitions, whose cards differ per viewer) get a small ``change`` event and their
pages re-read themselves. A message naming a user makes the hub check that user's streams again;
every few minutes it checks all of them (sessions expire, people sign out); a stream whose access
ended gets ``event: bye`` and closes.

A stream holds no database connection while it waits (STACK-NOTES): renders and checks run in
threads that close their connections.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation

from councils.live import access, publish
from councils.live.sse import HEARTBEAT, retry_ms, sse
from councils.live.streams import Stream, default_language, in_thread, stream
from councils.live.topics import Topic
from councils.live.upstream import make_upstream

# Stream, default_language and stream live in councils.live.streams, retry_ms in councils.live.sse;
# pages, tests and the live benchmark import them from here, with the hub.
__all__ = ["Hub", "Stream", "default_language", "hub", "retry_ms", "shutdown", "stream"]

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# How often every open stream's access is checked again (sessions expire, people sign out), with
# some jitter so that processes started together do not check together.
ACCESS_RECHECK_SECONDS = 300.0


# When this server process started (this module is imported as the URLs load).
PROCESS_STARTED = publish.version_now()

# A fragment rendered for one language: (organization id, topic name, language code).
FragmentKey = tuple[int, str, str]


class Hub:
    """The open streams of one event loop, by topic, and the loop's one upstream listener."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # Weak: a stream whose generator was dropped without running its ``finally`` (a client gone
        # before the body started) must not stay subscribed for the life of the process.
        self._by_topic: dict[tuple[int, str], weakref.WeakSet[Stream]] = {}
        self._by_organization: dict[int, weakref.WeakSet[Stream]] = {}
        self._listening: dict[int, asyncio.Future[None]] = {}
        # The newest version seen per topic, and the newest fragment rendered per topic and
        # language (version, event).
        self._versions: dict[tuple[int, str], int] = {}
        self._fragments: dict[FragmentKey, tuple[int, bytes]] = {}
        # Renders waiting: (topic, language) -> newest version asked for; one render task per
        # topic and language at a time.
        self._pending: dict[FragmentKey, int] = {}
        self._rendering: dict[FragmentKey, asyncio.Task[None]] = {}
        self._in_flight: dict[FragmentKey, int] = {}
        # How many renders per topic and language (tests).
        self.renders: Counter[FragmentKey] = Counter()
        # Pages rendered before this process started may have missed changes (see _catch_up).
        self.started = PROCESS_STARTED
        self._recheck: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self.upstream = make_upstream(self)

    # --- streams ---------------------------------------------------------------------------------

    async def subscribe(self, stream: Stream) -> None:
        """Deliver the stream's topics to it from now on (the upstream listens to the organization's
        channel before this returns). A change newer than ``stream.since`` that this process already
        knows of is queued at once: the page missed it between its render and its stream."""
        org = stream.organization_id
        self._by_organization.setdefault(org, weakref.WeakSet()).add(stream)
        for name in stream.topics:
            self._by_topic.setdefault((org, name), weakref.WeakSet()).add(stream)
        self._catch_up(stream)
        ready = self._listening.get(org)
        if ready is None:
            ready = self._listening[org] = asyncio.ensure_future(self.upstream.listen(org))
        if self._recheck is None or self._recheck.done():
            self._recheck = self.loop.create_task(self._recheck_periodically())
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = self.loop.create_task(self._beat(HEARTBEAT_SECONDS))
        # Shielded: one stream going away must not cancel the LISTEN another stream waits for.
        await asyncio.shield(ready)

    def unsubscribe(self, stream: Stream) -> None:
        """Stop delivering to ``stream``; the last stream of an organization ends the upstream listen."""
        org = stream.organization_id
        for name in stream.topics:
            followers = self._by_topic.get((org, name))
            if followers is not None:
                followers.discard(stream)
                if not followers:
                    del self._by_topic[(org, name)]
        streams = self._by_organization.get(org)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._by_organization[org]
                self._listening.pop(org, None)
                # Not awaited: this runs in a stream's ``finally``, possibly while it is cancelled.
                self.loop.create_task(self.upstream.unlisten(org))

    def subscribers(self, organization_id: int) -> int:
        """How many streams of the organization are open in this loop."""
        return len(self._by_organization.get(organization_id, ()))

    def followers(self, organization_id: int, name: str) -> list[Stream]:
        """The open streams following one topic."""
        return list(self._by_topic.get((organization_id, name), ()))

    def _catch_up(self, stream: Stream) -> None:
        for name in stream.topics:
            if name.startswith("user."):
                continue
            key = (stream.organization_id, name)
            # A page rendered before this process started (a reconnect after a restart) may have
            # missed any change meanwhile: for it, the topic changed when the process started.
            known = max(self._versions.get(key, 0), self.started if stream.since < self.started else 0)
            fragment = self._fragments.get((*key, stream.language))
            if _fragment_of(name) is None:
                if known > stream.since:
                    stream.put(_change(name, known))
            elif fragment is not None and fragment[0] >= known:
                if fragment[0] > stream.since:
                    stream.put(fragment[1])
            else:
                # Nothing rendered yet in this process: render now, once (which also warms the
                # templates and queries before the first change), for the streams that lack it.
                self._render_soon((*key, stream.language), max(known, self.started))

    # --- messages --------------------------------------------------------------------------------

    def deliver(self, organization_id: int, payload: str) -> None:
        """Route one upstream message (on the loop): fragments rendered once, ``change`` events,
        access checks."""
        try:
            message = json.loads(payload)
            names = [str(n) for n in message["topics"]]
            version = int(message["version"])
        except (ValueError, KeyError, TypeError):
            logger.warning("Live updates: ignored a message that is not ours: %r", payload[:200])
            return
        self._route(organization_id, names, version)

    def deliver_all(self, payload: str) -> None:
        """After the upstream reconnected (``payload`` is RESYNC): every followed topic changed."""
        version = publish.version_now()
        for organization_id in list(self._by_organization):
            names = sorted({n for (org, n) in self._by_topic if org == organization_id})
            self._route(organization_id, [n for n in names if not n.startswith("user.")], version)

    def _route(self, organization_id: int, names: Iterable[str], version: int) -> None:
        told: set[Stream] = set()
        for name in names:
            key = (organization_id, name)
            if version > self._versions.get(key, 0):
                self._versions[key] = version
            followers = self.followers(organization_id, name)
            if not followers:
                continue  # nobody here shows it: no render, no check
            if name.startswith("user."):
                self.loop.create_task(self.check_access(followers))
            elif _fragment_of(name) is not None:
                # One render per language that its followers read.
                for language in sorted({stream.language for stream in followers}):
                    self._render_soon((organization_id, name, language), version)
            else:
                chunk = _change(name, version)
                for stream in followers:
                    if stream not in told:  # one change event per stream per message
                        told.add(stream)
                        stream.put(chunk)

    # --- fragments: one render per topic, version and language, shared ---------------------------

    def _readers(self, key: FragmentKey) -> list[Stream]:
        """The open streams following a topic in one language."""
        organization_id, name, language = key
        return [s for s in self.followers(organization_id, name) if s.language == language]

    def _render_soon(self, key: FragmentKey, version: int) -> None:
        if version <= max(self._fragments.get(key, (0, b""))[0], self._in_flight.get(key, 0)):
            return  # rendered, or being rendered, at this version or a newer one
        self._pending[key] = max(version, self._pending.get(key, 0))
        task = self._rendering.get(key)
        if task is None or task.done():
            self._rendering[key] = self.loop.create_task(self._render_loop(key))

    async def _render_loop(self, key: FragmentKey) -> None:
        # Changes arriving during a render coalesce into one more render at the newest version.
        organization_id, name, language = key
        while key in self._pending:
            version = self._pending.pop(key)
            fragment = _fragment_of(name)
            if fragment is None or not self._readers(key):
                continue
            started = time.perf_counter()
            self._in_flight[key] = version
            try:
                self.renders[key] += 1
                html = await in_thread(_render_in, language, fragment.render, Topic(organization_id, name))
            except Exception:
                logger.warning("Live updates: could not render %s", key, exc_info=True)
                continue
            finally:
                self._in_flight.pop(key, None)
            if html is None:
                continue  # the object is gone
            rendered = time.perf_counter()
            chunk = sse(fragment.event, html, version=version)
            if version > self._fragments.get(key, (0, b""))[0]:
                self._fragments[key] = (version, chunk)
            sent = 0
            for reader in self._readers(key):
                if reader.since < version:  # a page rendered after the change shows it already
                    reader.put(chunk)
                    sent += 1
            logger.debug(
                "Live updates: %s (%s) rendered in %.0f ms (%d bytes), queued for %d streams in %.0f ms",
                name,
                language,
                (rendered - started) * 1000,
                len(chunk),
                sent,
                (time.perf_counter() - rendered) * 1000,
            )

    # --- access ----------------------------------------------------------------------------------

    async def check_access(self, streams: Iterable[Stream]) -> None:
        """Check ``streams`` again (a few queries for all of them) and close those whose user may
        no longer follow their organization or whose session ended."""
        streams = [s for s in streams if not s.closed]
        if not streams:
            return
        try:
            allowed = await in_thread(
                access.still_allowed, [(s.organization_id, s.user_id, s.session_key) for s in streams]
            )
        except Exception:
            logger.warning("Live updates: could not check access again", exc_info=True)
            return
        for opened in streams:
            if (opened.organization_id, opened.user_id, opened.session_key) not in allowed:
                opened.close()

    async def _recheck_periodically(self) -> None:
        while self._by_organization:
            await asyncio.sleep(ACCESS_RECHECK_SECONDS * random.uniform(0.8, 1.2))
            every = [s for streams in list(self._by_organization.values()) for s in list(streams)]
            await self.check_access(every)

    async def _beat(self, seconds: float) -> None:
        # Proxies close silent connections: a comment to every idle stream now and then.
        while self._by_organization:
            await asyncio.sleep(seconds)
            for streams in list(self._by_organization.values()):
                for opened in list(streams):
                    if opened.queue.empty():
                        opened.put(HEARTBEAT)

    async def close(self) -> None:
        """Close the upstream connection (tests; a server process simply exits)."""
        for task in [self._recheck, self._heartbeat, *self._rendering.values()]:
            if task is not None and not task.done():
                task.cancel()
        await self.upstream.close()


def _render_in(language: str, render: Callable[[Topic], str | None], topic: Topic) -> str | None:
    """``render(topic)`` with ``language`` active: the fragment's words, dates and numbers in it."""
    with translation.override(language):
        return render(topic)


def _change(name: str, version: int) -> bytes:
    return sse("change", json.dumps({"topic": name, "version": version}), version=version)


def _fragment_of(name: str) -> Any:
    """The shared fragment of a topic's kind, or None (its pages re-read themselves)."""
    from councils.web.fragments import FRAGMENTS

    return FRAGMENTS.get(name.partition(".")[0])


# --- one hub per event loop ----------------------------------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The running loop's hub, made on first use (a server worker has one loop: one hub)."""
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
