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
from typing import Any, TypeVar

from django.utils import translation

from councils import hotsql, requestmemo
from councils.audit.models import ORGANIZATION_OWNER, Stream
from councils.federation.models import Organization

T = TypeVar("T")

TTL_SECONDS = 5.0
MAX_ENTRIES = 1024

_lock = threading.Lock()
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()


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
    moment = time.monotonic()
    with _lock:
        found = _entries.get(full)
        if found is not None and found[0] > moment:
            _entries.move_to_end(full)
            return found[1]
    value = compute()
    with _lock:
        _entries[full] = (math.inf if timeless else moment + TTL_SECONDS, value)
        _entries.move_to_end(full)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


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
