"""At most one live message per key and interval in this process: the first at once, the rest
gathered and sent together at the interval's end.

Some changes come by the hundred a second: signatures of a petition, ballots of a poll. Each
message is a round trip (``NOTIFY`` or Redis ``PUBLISH``) from the request that made the change,
and a message every server process reads. Pages need to see a change within a second, not one
message per change: so under load the messages of one key (an organization, a poll) are gathered
for :attr:`Throttle.interval` and sent as one, carrying every topic they named; a lone change is
still sent at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable

from django.db import connections

Send = Callable[[Hashable, list[str]], None]


class Throttle:
    """Calls ``send(key, topics)`` at most once per ``interval`` seconds for each key."""

    def __init__(self, interval: float, send: Send) -> None:
        self.interval = interval
        self.send = send
        self._lock = threading.Lock()
        self._last: dict[Hashable, float] = {}
        self._pending: dict[Hashable, set[str]] = {}

    def __call__(self, key: Hashable, topics: Iterable[str]) -> None:
        """Tell ``key``'s followers that ``topics`` changed: now, or at the end of this window."""
        now = time.monotonic()
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:  # a message is already waiting for the window's end
                pending.update(topics)
                return
            last = self._last.get(key, float("-inf"))
            if now - last >= self.interval:
                self._last[key] = now
                send_now = True
            else:
                self._pending[key] = set(topics)
                send_now = False
        if send_now:
            self.send(key, sorted(topics))
            return
        timer = threading.Timer(self.interval - (now - last), self._send_later, args=(key,))
        timer.daemon = True
        timer.start()

    def _send_later(self, key: Hashable) -> None:
        try:
            with self._lock:
                topics = self._pending.pop(key, set())
                self._last[key] = time.monotonic()
            if topics:
                self.send(key, sorted(topics))
        finally:
            # This timer's thread may have opened a connection to NOTIFY: it must not keep it.
            for connection in connections.all(initialized_only=True):
                connection.close()

    def forget(self) -> None:
        """Forget every key's last message (tests start afresh); waiting messages are still sent."""
        with self._lock:
            self._last.clear()
