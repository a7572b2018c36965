"""What one request reads several times, read once: a memo that lives for one request only.

A page of an organization asks several times who the viewer is there (member? organizer?) and
where the organization's audit stream stands (the read cache's key, once per cached part). Each
answer is one query; within one request the answer does not change unless the request itself
changes something. So the first answer is kept here, for the rest of the request:

- only while a request runs in this thread (Django's ``request_started`` to ``request_finished``:
  a command, a test calling services directly, or the live streams' event loop never use it);
- only until this thread records an audit event (:func:`written`, called by
  ``councils.audit.services.event_record``): every change of the federation's state is recorded by
  one, in the same transaction, so what was read before a change is never used after it.

Values are immutable facts (tuples, numbers, strings), kept per thread, never shared between
requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

_local = threading.local()


def _start(sender: Any = None, **_kwargs: Any) -> None:
    # Only requests run whole in this thread: WSGI's (the pages and the API under councils.serving)
    # and the test client's. An ASGI request (a live stream) runs its sync parts in threads shared
    # by every stream, for minutes: it never uses the memo.
    from django.core.handlers.wsgi import WSGIHandler

    whole = isinstance(sender, type) and (
        issubclass(sender, WSGIHandler) or sender.__name__ == "ClientHandler"
    )
    _local.entries = {} if whole else None


def _finish(**_kwargs: Any) -> None:
    _local.entries = None


def written() -> None:
    """Forget what this thread's request read: it has just changed something."""
    if getattr(_local, "entries", None):
        _local.entries = {}


def get(key: Hashable) -> Any | None:
    """What this request read for ``key``, or None (not read yet, or no request running)."""
    entries = getattr(_local, "entries", None)
    return None if entries is None else entries.get(key)


def put(key: Hashable, value: Any) -> None:
    """Keep ``value`` (not None) for the rest of this request; nothing outside a request."""
    entries = getattr(_local, "entries", None)
    if entries is not None:
        entries[key] = value


def take(key: Hashable) -> Any | None:
    """What this request read for ``key``, or None, kept no longer: for a read that is good once."""
    entries = getattr(_local, "entries", None)
    return None if entries is None else entries.pop(key, None)


def read(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per request (and per change it makes) for ``key``."""
    found = get(key)
    if found is None:
        found = compute()
        put(key, found)
    return found


# Connected on import: the apps that use the memo import this module (the sender is any handler).
request_started.connect(_start, dispatch_uid="councils.requestmemo.start")
request_finished.connect(_finish, dispatch_uid="councils.requestmemo.finish")
