"""Messages and helpers shared by the poll services."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from councils.voting.models import (
    Poll,
)

# Messages raised and asserted by name.
NOT_OFFICER = "Only an organizer or a returning officer may run polls."
NOT_ORGANIZER = gettext_noop(
    "Only an organizer of the organization may create or open a poll of all its members."
)
RANKED_SECRET_LATER = (
    "Ranked secret polls (instant-runoff, STV, Schulze) need a verifiable mixnet, which comes in a "
    "later version: make this poll open (named), or count it by plurality or approval."
)
NOT_ELECTOR = "You are not in the electorate of this poll."
NOT_OPEN = "This poll is %(state)s: votes are taken only while it is open."
ALREADY_VOTED = (
    "%(name)s has already voted in this poll: the first vote stands and a second is refused "
    "(a retry must send the same Idempotency-Key as the first attempt)."
)
KEY_REUSED = "This Idempotency-Key was already used for another voter's ballot in this poll."
SECRET_CAST_ELSEWHERE = (
    "A secret poll takes ballots encrypted in the voter's browser, not plain choices: vote on the "
    "poll's page."
)
NO_PROXY = "%(name)s has not handed you their vote in this poll."

MAX_CANDIDATES = 500


def locked(poll: Poll) -> Poll:
    """``poll`` read again under its row lock (with its organization), inside the caller's transaction."""
    return Poll.objects.select_for_update(of=("self",)).select_related("organization").get(pk=poll.pk)
