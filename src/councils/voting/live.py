"""A poll's live updates: its topic (``poll.<id>``), the turnout fragment every open page of it swaps
in, and a per-process throttle on the messages votes send.

Every change of a poll's state publishes its topic after commit, as the federation's services do.
Votes are many: a congress casting a thousand a second must not send a thousand messages a second
(each a ``NOTIFY`` round trip, and a fragment rendered in every server process). So a vote's
message is sent at once when this process sent none for the poll in the last
:data:`TURNOUT_INTERVAL` seconds, else once at the end of that window, carrying every vote of it:
pages still see the turnout within a second of a vote.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connections

from councils.live.publish import publish, version_now
from councils.live.topics import poll_topic

__all__ = ["TURNOUT_INTERVAL", "poll_topic", "turnout_changed"]

logger = logging.getLogger(__name__)

#: At most one turnout message per poll and server process in this many seconds.
TURNOUT_INTERVAL = 0.25

_lock = threading.Lock()
_last: dict[int, float] = {}
_pending: set[int] = set()


def _send(organization_id: int, poll_id: int) -> None:
    publish({"organization": organization_id, "topics": [f"poll.{poll_id}"], "version": version_now()})


def _send_later(organization_id: int, poll_id: int) -> None:
    try:
        with _lock:
            _pending.discard(poll_id)
            _last[poll_id] = time.monotonic()
        _send(organization_id, poll_id)
    finally:
        # This timer's thread opened a connection to NOTIFY: it must not keep it.
        for connection in connections.all(initialized_only=True):
            connection.close()


def turnout_changed(poll: Any) -> None:
    """A vote was committed in ``poll``: tell its open pages, at most once per interval."""
    now = time.monotonic()
    poll_id, organization_id = int(poll.pk), int(poll.organization_id)
    with _lock:
        last = _last.get(poll_id, 0.0)
        if now - last >= TURNOUT_INTERVAL and poll_id not in _pending:
            _last[poll_id] = now
            send_now = True
        else:
            send_now = False
            if poll_id in _pending:
                return
            _pending.add(poll_id)
            delay = max(0.0, TURNOUT_INTERVAL - (now - last))
    if send_now:
        _send(organization_id, poll_id)
        return
    timer = threading.Timer(delay, _send_later, args=(organization_id, poll_id))
    timer.daemon = True
    timer.start()
