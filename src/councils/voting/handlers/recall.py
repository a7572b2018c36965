"""The recall vote: a council whose recall mode is "vote" asks the deputy's constituency.

When a petition reaches its threshold, the federation's recall service calls
:func:`recall_poll_open` in the same transaction: an open (named) yes/no poll of the
constituency's members, opened at once, closing after the council's petition period. The recall
holds when more vote yes than no (a simple majority of the votes cast) and at least the petition's
threshold of the constituency voted (the quorum), so that fewer voters than signed cannot undo
the petition. ``councils tick`` closes it at its time, counts it and publishes it (the constituents'
decision needs nobody to declare it); an officer may also close, count and publish it earlier.
Published, :func:`recall_published` ends the seat, which opens the by-election, or keeps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from councils.accounts.actors import SYSTEM
from councils.federation.models import RecallPetition, Seat
from councils.federation.services.recall import petition_vote_decide
from councils.voting.models import Poll


def recall_poll_open(petition: RecallPetition, *, at: datetime) -> Poll:
    """Create and open the recall vote of ``petition`` (not a service of its own: it runs inside
    the signing service's transaction, as the system, and records the poll's own events)."""
    from councils.voting.services import poll_create, poll_open

    seat = Seat.objects.select_related("council__organization", "holder").get(pk=petition.seat_id)
    council = seat.council
    values = {"deputy": seat.holder.name, "council": council.name}
    poll = poll_create(
        actor=SYSTEM,
        organization=council.organization,
        title=_("Recall %(deputy)s from %(council)s?") % values,
        description=_(
            "The recall petition reached its threshold of %(required)s signatures. Vote yes to end "
            "%(deputy)s's mandate in %(council)s (a by-election then fills the seat), no to keep it. "
            "The recall holds when more vote yes than no and at least the petition's threshold of "
            "the constituency votes."
        )
        % {**values, "required": petition.required},
        kind=Poll.Kind.MOTION,
        electorate_constituency=petition.constituency,
        majority=Poll.Majority.SIMPLE,
        quorum=Poll.Quorum.SHARE,
        quorum_value=council.recall_threshold,
        closes_at=at + timedelta(days=council.petition_days),
        purpose=Poll.Purpose.RECALL,
        recall_petition=petition,
        at=at,
    )
    return poll_open(actor=SYSTEM, poll=poll, at=at, reason="recall petition reached its threshold")


def recall_published(poll: Poll, *, actor: Any, at: datetime) -> None:
    """The recall vote's result is declared: the seat ends when the motion was adopted."""
    if poll.recall_petition_id is None:
        return
    petition = RecallPetition.objects.get(pk=poll.recall_petition_id)
    adopted = bool((poll.result or {}).get("adopted"))
    petition_vote_decide(actor=actor, petition=petition, recall=adopted, poll_title=poll.title, at=at)


def recall_polls_settle(*, at: datetime) -> int:
    """Count and publish, as the system, the recall votes that closed (tick, after closing polls).

    Each poll is its own pair of transactions re-checked under the poll's lock, so two runners do
    not publish one twice (the second finds it counted or published and leaves it)."""
    from django.core.exceptions import ValidationError

    from councils.voting.services import poll_count, poll_publish

    settled = 0
    due = Poll.objects.filter(purpose=Poll.Purpose.RECALL, secrecy=Poll.Secrecy.OPEN).filter(
        Q(state=Poll.State.CLOSED) | Q(state=Poll.State.COUNTED)
    )
    for poll in due:
        try:
            if poll.state == Poll.State.CLOSED:
                poll = poll_count(actor=SYSTEM, poll=poll, at=at)
            poll_publish(actor=SYSTEM, poll=poll, at=at)
            settled += 1
        except ValidationError:
            continue
    return settled
