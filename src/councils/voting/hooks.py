"""Where another app takes part in a poll's life without the voting app knowing it (the second
extension point, beside :mod:`councils.voting.purposes`).

- **Electorate filters** narrow the seats whose deputies become electors when a poll opens: a poll
  opened in a sitting has as electorate the deputies present at that moment
  (:mod:`councils.deliberation.services.polls`). A filter returns the seat ids allowed, or None
  when it has nothing to say about the poll.
- **Ballot checks** run before a named ballot is stored (online or entered by the chair) and may
  refuse it with a ``ValidationError``: a delegate's binding instruction stops a contrary vote.
  A check may say which polls it can refuse a ballot of (``applies``): a script's cast in any
  other poll is written without knowing the voter first (``services.token_cast``).
- **Published listeners** run inside ``poll_publish``'s transaction after the purpose's handler:
  a sitting's poll records the council's decision.

Each is registered once, when its app is ready; none runs when none is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from councils.voting.models import Poll

ElectorateFilter = Callable[["Poll", datetime], "set[int] | None"]
BallotCheck = Callable[["Poll", int, Mapping[str, Any], datetime], None]
PollPredicate = Callable[["Poll"], bool]
PublishedListener = Callable[..., Any]

_filters: list[ElectorateFilter] = []
_checks: list[BallotCheck] = []
_applies: dict[BallotCheck, PollPredicate | None] = {}
_listeners: list[PublishedListener] = []


def _add(registry: list[Any], fn: Any) -> None:
    if fn not in registry:
        registry.append(fn)


def register_electorate_filter(fn: ElectorateFilter) -> None:
    """``fn(poll, moment)`` returns the seat ids whose deputies may vote, or None."""
    _add(_filters, fn)


def register_ballot_check(fn: BallotCheck, *, applies: PollPredicate | None = None) -> None:
    """``fn(poll, principal_id, clean_ballot, moment)`` raises ``ValidationError`` to refuse;
    ``applies(poll)`` is False for a poll none of whose ballots ``fn`` can refuse (None: it may
    refuse in any poll)."""
    _add(_checks, fn)
    _applies[fn] = applies


def checks_need_voter(poll: Poll) -> bool:
    """Whether a registered ballot check may refuse a ballot of ``poll``: its voter must then be
    known before the ballot is written."""
    for fn in _checks:
        applies = _applies.get(fn)
        if applies is None or applies(poll):
            return True
    return False


def register_published_listener(fn: PublishedListener) -> None:
    """``fn(poll, actor=..., at=...)`` runs when any poll is published."""
    _add(_listeners, fn)


def allowed_seats(poll: Poll, moment: datetime) -> set[int] | None:
    """The seats the registered filters allow (their intersection), or None: every seat."""
    allowed: set[int] | None = None
    for fn in _filters:
        found = fn(poll, moment)
        if found is not None:
            allowed = set(found) if allowed is None else allowed & set(found)
    return allowed


def check_ballot(poll: Poll, principal_id: int, ballot: Mapping[str, Any], moment: datetime) -> None:
    """Run every ballot check; the first refusal propagates."""
    for fn in _checks:
        fn(poll, principal_id, ballot, moment)


def published(poll: Poll, *, actor: Any, at: datetime) -> None:
    """Tell every listener that ``poll`` was published."""
    for fn in _listeners:
        fn(poll, actor=actor, at=at)
