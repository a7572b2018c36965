"""A per-process cache of what reads compute "now", keyed by the organization's audit chain.

Every change of an organization's state is made by a service that appends exactly one event to
the organization's hash chain, in the same transaction: ``Organization.chain_length`` and
``chain_head`` change with every change. A request reads the organization row first (to check
the caller may read it), so the chain it saw names the state it will read: a value computed after
that read is never older than its key, and the next change makes a new key. The only changes not
written as events are those of time itself (a seat dated to start a moment from now), so an entry
also expires after ``TTL_SECONDS``.

The cache holds Python objects (no pickling) in each server process, as ARCHITECTURE.md allows
("nothing depends on process-local state except caches"); entries are shared by the process's
threads and must not be changed by their readers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.utils import translation

from councils.federation.models import Organization

T = TypeVar("T")

TTL_SECONDS = 5.0
MAX_ENTRIES = 1024

_lock = threading.Lock()
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()


def now(organization: Organization, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` at the organization's present chain state."""
    if not organization.chain_length:
        # No change was ever recorded: the chain names no state (only data written around the
        # services, as tests' factories do, can be there), so nothing is cached.
        return compute()
    full = (
        organization.pk,
        organization.chain_length,
        organization.chain_head,
        translation.get_language(),
        key,
    )
    moment = time.monotonic()
    with _lock:
        found = _entries.get(full)
        if found is not None and found[0] > moment:
            _entries.move_to_end(full)
            return found[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _entries[full] = (moment + TTL_SECONDS, value)
        _entries.move_to_end(full)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every entry (tests)."""
    with _lock:
        _entries.clear()
