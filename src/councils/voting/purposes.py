"""What a published poll does besides being declared, by its ``purpose`` (the extension point).

A handler is ``handler(poll, *, actor, at)``; it runs inside ``poll_publish``'s transaction, after
the poll's state is written and before its ``poll.published`` event, so whatever it changes through
the federation's services commits or rolls back with the publication. Register one with
:func:`register`; a purpose without a handler (``general``) does nothing more.

A purpose may also add to the count: ``counter(poll, result)`` runs inside ``poll_count`` and may
add keys to the result before it is stored (a list election adds its apportionment of seats, so
the table is part of the result shown and never recomputed).

The handlers live in :mod:`councils.voting.handlers`: ``recall`` ends the seat of
``poll.recall_petition`` when the motion is adopted, or keeps it; ``deputies`` and ``delegates``
declare ``poll.election`` with the elected candidates' members (``Candidate.member``); ``list``
apportions the election's seats among the lists (``Candidate.faction``) through
``councils.counting.apportionment`` and fills them from each list in order (``ListPlace``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from councils.voting.models import Poll

Handler = Callable[..., Any]

_handlers: dict[str, Handler] = {}
_counters: dict[str, Handler] = {}


def register(purpose: str, handler: Handler) -> None:
    """Run ``handler(poll, actor=..., at=...)`` when a poll of ``purpose`` is published."""
    _handlers[purpose] = handler


def on_published(poll: Poll, *, actor: Any, at: datetime) -> None:
    """Run the handler of the poll's purpose, if there is one."""
    handler = _handlers.get(poll.purpose)
    if handler is not None:
        handler(poll, actor=actor, at=at)


def register_counter(purpose: str, counter: Handler) -> None:
    """Run ``counter(poll, result)`` when a poll of ``purpose`` is counted; it may add to ``result``."""
    _counters[purpose] = counter


def on_counted(poll: Poll, result: dict[str, Any]) -> None:
    """Let the poll's purpose add to its result before it is stored."""
    counter = _counters.get(poll.purpose)
    if counter is not None:
        counter(poll, result)
