"""When each API token was last used, written for many requests at once.

A token's last use is recorded at most once a minute (``services.LAST_USED_PRECISION``), but a
script that makes one request per token (a congress of delegates, each casting their ballot with
their own token) uses every token for the first time: each request then paid a write transaction
of its own, with its commit, only for this record. Measured with ``bench/voting_bench_profile.py``
(PostgreSQL, 1,500 casts one after another): 1.69 ms of PostgreSQL's CPU per ballot with the write,
1.19 ms without, and the server's CPU a tenth lower.

So a server process keeps the uses it has to record in memory (the newest per token) and writes
them in one statement at most every ``COUNCILS_TOKEN_USE_SECONDS`` seconds (default 1; ``0``
writes each at once, as before): the first token authentication after that interval writes them,
and so does the process as it exits. A process that is killed loses at most its last interval's
records, a loss of a few seconds' precision on a time that is kept to the minute anyway. Every write
keeps the newest time (``last_used_at`` only moves forward), so processes that write the same token
in any order agree.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings

from councils import hotsql

DEFAULT_SECONDS = 1.0

log = logging.getLogger(__name__)


class Uses:
    """The uses waiting to be written, by database alias and token id, with the time they are due.
    ``clock`` (seconds, monotonic) is an attribute so that tests can move time without sleeping."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, int], datetime] = {}
        self._due: float | None = None

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, using: str, token_id: int, at: datetime, interval: float) -> None:
        """Remember that the token was used ``at`` (the newest use of a token is kept); the first use
        waiting makes the whole due ``interval`` seconds from now."""
        with self._lock:
            key = (using, token_id)
            known = self._pending.get(key)
            if known is None or at > known:
                self._pending[key] = at
            if self._due is None:
                self._due = self.clock() + interval

    def take(self, *, due_only: bool) -> dict[tuple[str, int], datetime]:
        """Every use waiting (``due_only``: only once they are due, else none), now no longer waiting."""
        with self._lock:
            if not self._pending or (due_only and (self._due is None or self.clock() < self._due)):
                return {}
            taken, self._pending, self._due = self._pending, {}, None
            return taken

    def clear(self) -> None:
        """Forget every use waiting (tests)."""
        with self._lock:
            self._pending.clear()
            self._due = None


#: The process's uses waiting to be written.
USES = Uses()


def interval() -> float:
    """``COUNCILS_TOKEN_USE_SECONDS``: how long a use may wait to be written (0: not at all)."""
    return float(getattr(settings, "COUNCILS_TOKEN_USE_SECONDS", DEFAULT_SECONDS))


def record(using: str, token_id: int, at: datetime) -> None:
    """Record that the token was used ``at``: at once when the interval is 0, else with the others
    waiting, by the first token authentication after the interval (:func:`write_due`)."""
    seconds = interval()
    if seconds <= 0:
        hotsql.token_uses_write(using, {token_id: at})
        return
    USES.add(using, token_id, at, seconds)


def write_due() -> None:
    """Write the uses waiting, if they are due: one statement per database."""
    _write(USES.take(due_only=True))


def write_all() -> None:
    """Write every use waiting now (as the process exits, and in tests)."""
    _write(USES.take(due_only=False))


def _write(taken: dict[tuple[str, int], datetime]) -> None:
    by_database: dict[str, dict[int, datetime]] = {}
    for (using, token_id), at in taken.items():
        by_database.setdefault(using, {})[token_id] = at
    for using, uses in by_database.items():
        try:
            hotsql.token_uses_write(using, uses)
        except BaseException:
            # Not written: they wait for the next write (a newer use of the same token wins).
            seconds = max(interval(), DEFAULT_SECONDS)
            for token_id, at in uses.items():
                USES.add(using, token_id, at, seconds)
            raise


def _write_at_exit() -> None:
    try:
        write_all()
    except Exception:  # the process is ending: say so, do not hide the exit's own cause
        log.warning("Could not record the last use of %s API tokens as the process ended.", len(USES))


atexit.register(_write_at_exit)
