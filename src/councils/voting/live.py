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

from typing import Any

from councils.live.publish import publish, version_now
from councils.live.throttle import Throttle
from councils.live.topics import poll_topic

__all__ = ["TURNOUT", "TURNOUT_INTERVAL", "poll_topic", "turnout_changed"]

#: At most one turnout message per poll and server process in this many seconds.
TURNOUT_INTERVAL = 0.25


def _send(key: Any, topics: list[str]) -> None:
    organization_id, _poll_id = key
    publish({"organization": organization_id, "topics": topics, "version": version_now()})


TURNOUT = Throttle(TURNOUT_INTERVAL, _send)


def turnout_changed(poll: Any) -> None:
    """A vote was committed in ``poll``: tell its open pages, at most once per interval."""
    TURNOUT((int(poll.organization_id), int(poll.pk)), [f"poll.{int(poll.pk)}"])
