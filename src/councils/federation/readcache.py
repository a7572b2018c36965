"""A per-process cache of what reads compute "now", keyed by the organization's audit stream.

Every change of the federation's state is made by a service that appends exactly one event to the
organization's own stream, in the same transaction: the stream's length and head change with
every change. The key is read before the value is computed, so a value is never older than its
key, and the next change makes a new key. The only changes not
written as events are those of time itself (a seat dated to start a moment from now), so an entry
also expires after ``TTL_SECONDS``.

The cache holds Python objects (no pickling) in each server process, as ARCHITECTURE.md allows
("nothing depends on process-local state except caches"); entries are shared by the process's
threads and must not be changed by their readers.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.utils import translation

from councils import hotsql, requestmemo
from councils.audit.models import ORGANIZATION_OWNER, Stream
from councils.federation.models import Organization

T = TypeVar("T")

TTL_SECONDS = 5.0
MAX_ENTRIES = 1024

_lock = threading.Lock()
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
# The entries being computed, each by one thread: (its id, set when it is done).
_computing: dict[tuple[Any, ...], tuple[int, threading.Event]] = {}
# How long a request waits for another's computation of the entry it needs before computing it too.
WAIT_SECONDS = 10.0


def now(organization: Organization, key: Hashable, compute: Callable[[], T], *, timeless: bool = False) -> T:
    """``compute()``, or what it gave for ``key`` at the organization's present chain state.

    ``timeless``: the value cannot change by time passing (a past day's composition), only by a
    recorded change; it is kept until the chain moves (or the cache is full), not ``TTL_SECONDS``."""
    length, head = _head(organization.pk)
    if not length:
        # No change was ever recorded: the chain names no state (only data written around the
        # services, as tests' factories do, can be there), so nothing is cached.
        return compute()
    full = (
        organization.pk,
        length,
        head,
        translation.get_language(),
        key,
    )
    return cached(full, compute, timeless=timeless)


def cached(full: tuple[Any, ...], compute: Callable[[], T], *, timeless: bool = False) -> T:
    """``compute()``, or what it gave for the key ``full`` (which names the chain state) within its
    lifetime. One thread computes a missing or expired entry at a time: the others asking for it
    meanwhile get the expired value if there is one, else wait for the new one, so that the moment
    an entry expires under load (every ``TTL_SECONDS``, and after every change) costs one
    computation instead of one per request in flight (the tail of a page's response times)."""
    me = threading.get_ident()
    while True:
        moment = time.monotonic()
        with _lock:
            found = _entries.get(full)
            if found is not None and found[0] > moment:
                _entries.move_to_end(full)
                return cast(T, found[1])
            running = _computing.get(full)
            if running is None or running[0] == me:
                # This thread computes (a compute that asks for its own key computes it again).
                done = threading.Event()
                _computing.setdefault(full, (me, done))
                break
        if found is not None:
            return cast(T, found[1])  # expired a moment ago: the new value is being computed
        assert running is not None
        if not running[1].wait(timeout=WAIT_SECONDS):
            return compute()  # the computing thread is stuck: do not queue behind it
        # Computed (or failed: then this thread computes it) — look again.
    try:
        value = compute()
        with _lock:
            _entries[full] = (math.inf if timeless else time.monotonic() + TTL_SECONDS, value)
            _entries.move_to_end(full)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return value
    finally:
        with _lock:
            if _computing.get(full, (None, None))[1] is done:
                del _computing[full]
        done.set()


def _head(organization_id: int) -> tuple[int, str]:
    """The organization's own stream's length and head (0 and "" before any event), read once per
    request (a page asks for several parts) until the request changes something (requestmemo)."""
    return requestmemo.read(stream_head_key(organization_id), lambda: _read_head(organization_id))


def stream_head_key(organization_id: int) -> tuple[str, int]:
    """The request memo's key of the organization's stream head: a query that reads the head with
    something else (``access.organization_for``) keeps it there, and this module reads no more."""
    return ("stream-head", organization_id)


def _read_head(organization_id: int) -> tuple[int, str]:
    found = hotsql.rows(
        Stream,
        "x.organization_id = %s AND x.owner_type = %s AND x.owner_id = %s",
        [organization_id, ORGANIZATION_OWNER, str(organization_id)],
    )
    return (found[0].length, found[0].head) if found else (0, "")


def clear() -> None:
    """Forget every entry (tests)."""
    with _lock:
        _entries.clear()
        _computing.clear()
