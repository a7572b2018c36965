"""A script's cast in one statement: its token read and its participation written together.

A script's cast cost two round trips (``casting.elector_read_along``, then the insert), and in the
benchmark's runs the statements cost the server more CPU than anything else in the request: each
its client side and a wake-up for its answer among the process's other requests, besides
PostgreSQL's own work. When nothing about the ballot needs the voter known first, the read and the
insert are one statement here: the token's row with the voter's elector row (the same read,
``casting._ELECTOR_RIDER``), and the insert of the participation from that row, only while the
poll is open (the same check under the same share lock of the poll's row, ``participation_insert``),
nothing on a conflict. With 5,000 delegates (bench/voting_bench.py) it took the server's CPU per
ballot from about 2.0 ms to 1.4 ms, and PostgreSQL's from 0.69 ms to 0.52 ms.

Everything the ordinary cast checks before its insert is checked, here or in the statement: the
token live and its user active (the token's own read, as ``hotsql`` writes it), the voter in the
electorate (their elector row, whose weight the row takes), the poll open, the key's length, the
ballot's form (``casting.ballot_clean``). What this path does not take is left to the ordinary
cast, which then runs as before and checks everything again: a proxy's vote, a split weight, a poll
whose ballot checks (``hooks``) need the voter first, SQLite (whose writes are serialized anyway),
and every statement that wrote nothing: a refusal, a retry, a token not live. The rows read serve
the request's authentication and the ordinary cast, as ``elector_read_along``'s do
(:mod:`councils.requestmemo`): the token is read once per request.

A secret ballot (:func:`secret_ballot_cast_along`) is verified first, since its proofs do not
depend on the voter, then written with the token's read in the secret cast's own statement
(``secret_append.append_ballot_along``): the participation, the ciphertexts, the board's head and
its ballot event, whose bytes carry the voter's weight from the elector row. With 3,000 delegates
it took the rate from 337-384 to 400-452 ballots/s in alternating runs.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from councils import hotsql, requestmemo
from councils.accounts import tokencache
from councils.accounts.services import token_hash
from councils.federation.services._common import moment_of
from councils.voting import hooks
from councils.voting.crypto.ballot import ballot_verify
from councils.voting.crypto.canonical import canonical_json_trusted
from councils.voting.live import turnout_changed
from councils.voting.models import Participation, Poll
from councils.voting.services.casting import (
    _ELECTOR_RIDER,
    CastOutcome,
    _elector_key,
    ballot_clean,
    elector_read_along,
    vote_taken,
)
from councils.voting.services.participation_insert import participation_insert_from_read
from councils.voting.services.secret import SecretReceipt, secret_params
from councils.voting.services.secret_append import append_ballot_along


@functools.cache
def _sql() -> str:
    """The token's read with the elector row (``r``), the insert from it (``i``), and both."""
    # The read's own select list names the token's and the user's ids alike: the insert takes only
    # the rider's columns, whose names are its own.
    # A motion's answer carries the voter's weight, known only from the row; a ranking does not.
    ballot = (
        "CASE WHEN CAST(%s AS text) IS NULL THEN CAST(%s AS jsonb) "
        "ELSE jsonb_build_object('answers', jsonb_build_object(CAST(%s AS text), r.weight)) END"
    )
    insert = participation_insert_from_read("ballot", ballot, "id")
    read = hotsql.token_with_sql(_ELECTOR_RIDER)
    return f"WITH r AS ({read}), i AS ({insert}) SELECT r.*, (SELECT id FROM i) FROM r"


def _taken_here(poll: Poll, ballot: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """The ballot as this path writes it (a motion's answer, or a ranking), or None when the
    ordinary cast must take it."""
    if (
        connection.vendor != "postgresql"
        or poll.secrecy != Poll.Secrecy.OPEN
        or len(key) > 100
        or set(ballot) not in ({"answer"}, {"ranking"})
        or hooks.checks_need_voter(poll)
    ):
        return None
    try:
        # The weight is the voter's, written by the statement; the form does not depend on it.
        return ballot_clean(poll, ballot, weight=1)
    except ValidationError:
        return None  # the ordinary cast refuses it, in its order (the voter's checks first)


def ballot_cast_along(
    *,
    secret: str,
    poll: Poll,
    ballot: Mapping[str, Any],
    idempotency_key: str = "",
    at: datetime | None = None,
) -> CastOutcome | None:
    """Before a script's request authenticates its token: the vote of the token's owner for
    themselves, taken in the same statement as the token's read, when this path takes it (see the
    module); None when it did not take it, and the ordinary cast (``ballot_cast``) must run, after
    the authentication, as for any cast. Either way the token's row (with the voter's elector row)
    is read once, here, for the request's authentication and the ordinary cast: when this path does
    not take the ballot, as ``elector_read_along`` reads it."""
    key = (idempotency_key or "").strip()
    key_hash = token_hash(secret)
    clean = _taken_here(poll, ballot, key) if key_hash is not None else None
    if key_hash is None or clean is None:
        elector_read_along(secret, poll.pk)  # the ordinary cast's read, with the token's
        return None
    moment = moment_of(at)
    cast_at = Participation._meta.get_field("cast_at").get_db_prep_save(moment, connection)
    answer = next(iter(clean["answers"])) if "answers" in clean else None
    ranking = (
        None
        if answer is not None
        else Participation._meta.get_field("ballot").get_db_prep_save(clean, connection)
    )
    params = [poll.pk, key_hash, True]  # the token's read: the rider's poll, then the token's own
    params += [poll.pk, key, cast_at, Participation.Source.ONLINE, answer, ranking, answer, poll.pk, cast_at]
    found = tokencache.read_with(key_hash, _sql(), params)
    if found is None:
        return None  # the token is not live: the authentication refuses it
    user_id, state, closes_at, member_id, weight, name, new_id = found
    if new_id is None:
        # Nothing written: the ordinary cast says why (or answers a retry), from this row.
        if state is not None:
            requestmemo.put(_elector_key(poll.pk, user_id), (state, closes_at, member_id, weight, name))
        return None
    stored = {"answers": {answer: weight}} if answer is not None else clean
    return vote_taken(poll, new_id, member_id, member_id, weight, key, moment, stored)


def secret_ballot_cast_along(
    *,
    secret: str,
    poll: Poll,
    ballot: Any,
    idempotency_key: str,
    at: datetime | None = None,
) -> SecretReceipt | None:
    """:func:`ballot_cast_along` for a secret poll: the ballot verified first (its proofs do not
    depend on the voter), then written with the token's read in one statement
    (``secret_append.append_ballot_along``). None when it was not taken here, and the ordinary
    secret cast must run after the authentication, which checks everything again: a ballot that
    is not verified or repeats a ciphertext, a refusal, a retry, SQLite."""
    key = (idempotency_key or "").strip()
    key_hash = token_hash(secret)
    if (
        key_hash is None
        or connection.vendor != "postgresql"
        or not poll.is_secret
        or not key
        or len(key) > 100
    ):
        elector_read_along(secret, poll.pk)
        return None
    try:
        question, fingerprint, election_key = secret_params(poll)
        parsed = ballot_verify(ballot, question=question, fingerprint=fingerprint, key=election_key)
    except Exception:  # a CryptoError naming the part, or anything the ordinary cast meets again
        elector_read_along(secret, poll.pk)
        return None  # the ordinary cast refuses it, in its order (the voter's checks first)
    ballot_json = parsed.to_json()
    canonical = canonical_json_trusted(ballot_json)
    tracker = hashlib.sha256(canonical).hexdigest()
    found = append_ballot_along(key_hash, poll.pk, key, moment_of(at), ballot_json, canonical, tracker)
    if found is None:
        return None  # not live, or a copy: the authentication or the ordinary cast says so
    user_id, state, closes_at, member_id, weight, name, head, length = found
    if head is None:
        if state is not None:
            requestmemo.put(_elector_key(poll.pk, user_id), (state, closes_at, member_id, weight, name))
        return None
    transaction.on_commit(lambda: turnout_changed(poll))
    return SecretReceipt(tracker, head, length)
