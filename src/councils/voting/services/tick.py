"""What time changes: polls opened and closed at their set times (``councils tick``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q

from councils.accounts.actors import SYSTEM
from councils.federation.services._common import moment_of
from councils.voting.models import (
    Poll,
)
from councils.voting.services.closing import poll_close
from councils.voting.services.opening import poll_open


@dataclass(frozen=True)
class PollTickReport:
    opened: int
    closed: int
    # Recall votes counted and published once closed (councils.voting.handlers.recall).
    settled: int = 0


def polls_tick(*, at: datetime | None = None) -> PollTickReport:
    """Write down what time changed: drafts past ``opens_at`` open, open polls past ``closes_at``
    close. Safe from several machines at once: each poll is re-checked under its lock."""
    moment = moment_of(at)
    opened = closed = 0
    for poll in Poll.objects.filter(state=Poll.State.DRAFT, opens_at__lte=moment).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=moment)
    ):
        try:
            poll_open(actor=SYSTEM, poll=poll, at=moment, reason="opening time")
            opened += 1
        except ValidationError:
            continue  # opened by another runner meanwhile, or an empty electorate: left as it is
    for poll in Poll.objects.filter(state=Poll.State.OPEN, closes_at__lte=moment):
        try:
            poll_close(actor=SYSTEM, poll=poll, at=moment, reason="closing time")
            closed += 1
        except ValidationError:
            continue
    from councils.voting.handlers.recall import recall_polls_settle

    settled = recall_polls_settle(at=moment)
    return PollTickReport(opened=opened, closed=closed, settled=settled)
