"""Every change of state of a poll: one function per change (the federation's service contract).

Each service takes keyword arguments only, the first ``actor``; checks permission first (the rule
``voting.manage_poll``, or the poll's electorate for a vote); checks its input and raises
``ValidationError`` naming the field; runs in one transaction; and writes one audit event, except
:func:`ballot_cast`: a vote's record is its participation row (unique per voter, never changed),
sealed into the audit chain by the digest ``poll.closed`` carries (see :mod:`councils.voting.events`
for why a per-cast event would cost a congress its speed).

The modules, in a poll's order of life: ``creating``, ``opening``, ``casting``, ``proxies``,
``roll_calls``, ``closing`` (closing, counting, publishing, cancelling) and ``tick``; ``common``
holds the messages they raise and the poll's row lock. Secret polls: ``trustees`` (committees and
their key ceremony), ``secret`` (the board's setup, the encrypted cast) and ``secret_board`` (the
board read whole, the close's sum, the trustees' factors and the result).
"""

from councils.voting.services.casting import (
    CastOutcome,
    ballot_cast,
    ballot_clean,
    candidate_ids,
    elector_read_along,
)
from councils.voting.services.closing import (
    count_result,
    participation_digest,
    poll_cancel,
    poll_close,
    poll_count,
    poll_publish,
    poll_seed,
)
from councils.voting.services.common import (
    ALREADY_VOTED,
    KEY_REUSED,
    MAX_CANDIDATES,
    NO_PROXY,
    NOT_ELECTOR,
    NOT_OFFICER,
    NOT_OPEN,
    RANKED_SECRET_LATER,
    SECRET_CAST_ELSEWHERE,
)
from councils.voting.services.creating import poll_create
from councils.voting.services.opening import electorate_digest, poll_open
from councils.voting.services.proxies import council_proxy_limit, proxy_give, proxy_limit, proxy_withdraw
from councils.voting.services.roll_calls import poll_roll_call_enter
from councils.voting.services.secret import (
    SecretReceipt,
    poll_answers,
    poll_question,
    secret_ballot_cast,
)
from councils.voting.services.secret_board import (
    board_document,
    board_json_chunks,
    embedded_trustee_decrypt,
    trustee_factors_post,
)
from councils.voting.services.tick import PollTickReport, polls_tick
from councils.voting.services.token_cast import ballot_cast_along, secret_ballot_cast_along
from councils.voting.services.trustees import (
    NOT_TRUSTEE,
    ceremony_document,
    ceremony_post,
    committee_create,
    committee_for_poll,
    embedded_key_path,
)

__all__ = [
    "ALREADY_VOTED",
    "KEY_REUSED",
    "MAX_CANDIDATES",
    "NOT_ELECTOR",
    "NOT_OFFICER",
    "NOT_OPEN",
    "NOT_TRUSTEE",
    "NO_PROXY",
    "RANKED_SECRET_LATER",
    "SECRET_CAST_ELSEWHERE",
    "CastOutcome",
    "PollTickReport",
    "SecretReceipt",
    "ballot_cast",
    "ballot_cast_along",
    "ballot_clean",
    "board_document",
    "board_json_chunks",
    "candidate_ids",
    "ceremony_document",
    "ceremony_post",
    "committee_create",
    "committee_for_poll",
    "council_proxy_limit",
    "count_result",
    "elector_read_along",
    "electorate_digest",
    "embedded_key_path",
    "embedded_trustee_decrypt",
    "participation_digest",
    "poll_answers",
    "poll_cancel",
    "poll_close",
    "poll_count",
    "poll_create",
    "poll_open",
    "poll_publish",
    "poll_question",
    "poll_roll_call_enter",
    "poll_seed",
    "polls_tick",
    "proxy_give",
    "proxy_limit",
    "proxy_withdraw",
    "secret_ballot_cast",
    "secret_ballot_cast_along",
    "trustee_factors_post",
]
