"""The secret cast's transaction: the participation, the ballot's ciphertexts, the board's ballot
event and the running sums, written together or not at all.

The tally's row is the board's head: the one place where casts of a poll wait for each other, from
the moment it is locked until the commit. On PostgreSQL the transaction takes two statements (and
its BEGIN and COMMIT): the first inserts the participation and the ciphertexts and locks and reads
the tally; the second appends the ballot event and updates the tally. The lock is then held over
one statement's round trip and the commit's, not three. SQLite, which has no data-modifying CTEs
(and serializes every write anyway), runs the same steps one statement each.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from councils.voting.crypto.ballot import Ciphertext
from councils.voting.models import BoardEvent, Participation, SecretTally

COPIED = "This ballot repeats a ciphertext of a ballot already cast: a copy of another vote is refused."

# The poll must be open when the row is written, checked by the same statement under the weakest
# row lock of the poll (see casting._insert_returning): poll_close waits for every cast in flight.
_PARTICIPATION = (
    "INSERT INTO voting_participation (poll_id, principal_id, cast_by_id, weight, idempotency_key, "
    "cast_at, source, ballot, tracker) SELECT %s, %s, %s, %s, %s, %s, 'online', %s, %s WHERE EXISTS "
    "(SELECT 1 FROM voting_poll p WHERE p.id = %s AND p.state = 'open' AND (p.closes_at IS NULL OR "
    "p.closes_at > %s){lock}) ON CONFLICT DO NOTHING RETURNING id"
)

# PostgreSQL: the participation, then (only if it was written) the ciphertexts, then the tally's
# row locked and read; no row when the participation conflicts.
_PG_FIRST = (
    f"WITH p AS ({_PARTICIPATION.format(lock=' FOR KEY SHARE')}), "
    "c AS (INSERT INTO voting_ballotciphertext (poll_id, alpha) SELECT %s, a "
    "FROM unnest(CAST(%s AS text[])) AS a WHERE EXISTS (SELECT 1 FROM p) "
    "ON CONFLICT DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM c), t.head, t.length, t.sums FROM voting_secrettally t "
    "WHERE t.poll_id = %s AND EXISTS (SELECT 1 FROM p) FOR UPDATE OF t"
)

_EVENT = (
    "INSERT INTO voting_boardevent (poll_id, seq, type, body, prev, hash, tracker) "
    "VALUES (%s, %s, 'ballot', %s, %s, %s, %s)"
)
_TALLY = (
    "UPDATE voting_secrettally SET head = %s, length = %s, count = count + 1, "
    "total_weight = total_weight + %s, sums = %s WHERE poll_id = %s"
)
_PG_SECOND = f"WITH e AS ({_EVENT}) {_TALLY}"


@dataclass(frozen=True)
class SecretBallot:
    """A verified ballot to append: who casts it for whom, and its canonical form and tracker."""

    poll_id: int
    principal_id: int
    cast_by_id: int
    weight: int
    key: str
    moment: datetime
    ballot: dict[str, Any]
    canonical: bytes
    tracker: str

    def pairs(self) -> list[tuple[str, str]]:
        """Its ciphertexts, (alpha, beta) in hex, in answer order."""
        return [(a["alpha"], a["beta"]) for a in self.ballot["answers"]]


def append_ballot(cast: SecretBallot) -> tuple[str, int] | None:
    """Write the cast in one transaction: the board's new head and length, or None when the
    participation conflicts (the voter or the key has one, or the poll has closed; nothing is
    written). A ciphertext already cast is refused (``ValidationError``, nothing written)."""
    ballot_db = Participation._meta.get_field("ballot").get_db_prep_save(cast.ballot, connection)
    cast_at = Participation._meta.get_field("cast_at").get_db_prep_save(cast.moment, connection)
    participation = [
        cast.poll_id,
        cast.principal_id,
        cast.cast_by_id,
        cast.weight,
        cast.key,
        cast_at,
        ballot_db,
        cast.tracker,
        cast.poll_id,
        cast_at,
    ]
    alphas = [alpha for alpha, _beta in cast.pairs()]
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        found = _written_and_locked(cursor, postgres, cast.poll_id, participation, alphas)
        if found is None:
            return None
        stored, head, seq, sums = found
        if stored != len(alphas):
            raise ValidationError({"ballot": _(COPIED)})
        digest = _event_hash(cast, head, seq)
        body = BoardEvent._meta.get_field("body").get_db_prep_save(
            {"ballot": cast.ballot, "tracker": cast.tracker, "weight": cast.weight}, connection
        )
        new_sums = _summed(json.loads(sums) if isinstance(sums, str) else sums, cast)
        sums_db = SecretTally._meta.get_field("sums").get_db_prep_save(new_sums, connection)
        event = [cast.poll_id, seq, body, head, digest, cast.tracker]
        tally = [digest, seq + 1, cast.weight, sums_db, cast.poll_id]
        if postgres:
            cursor.execute(_PG_SECOND, [*event, *tally])
        else:
            cursor.execute(_EVENT, event)
            cursor.execute(_TALLY, tally)
    return digest, seq + 1


def _written_and_locked(
    cursor: Any, postgres: bool, poll_id: int, participation: list[Any], alphas: list[str]
) -> tuple[int, str, int, Any] | None:
    """Insert the participation and the ciphertexts, lock and read the tally: the ciphertexts
    stored, the board's head and length, the sums; None when the participation conflicts."""
    if postgres:
        cursor.execute(_PG_FIRST, [*participation, poll_id, alphas, poll_id])
        row = cursor.fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])
    cursor.execute(_PARTICIPATION.format(lock=""), participation)
    if cursor.fetchone() is None:
        return None
    values = ", ".join(["(%s, %s)"] * len(alphas))
    cursor.execute(
        f"INSERT INTO voting_ballotciphertext (poll_id, alpha) VALUES {values} ON CONFLICT DO NOTHING",
        [x for alpha in alphas for x in (poll_id, alpha)],
    )
    stored = cursor.rowcount
    cursor.execute("SELECT head, length, sums FROM voting_secrettally WHERE poll_id = %s", [poll_id])
    head, seq, sums = cursor.fetchone()
    return stored, head, seq, sums


def _event_hash(cast: SecretBallot, head: str, seq: int) -> str:
    """The ballot event's hash, from its canonical bytes written directly: keys in order (body <
    prev < seq < type; ballot < tracker < weight) around the ballot's own canonical bytes
    (docs/secret-polls.md)."""
    return hashlib.sha256(
        b'{"body":{"ballot":'
        + cast.canonical
        + b',"tracker":"'
        + cast.tracker.encode()
        + b'","weight":'
        + str(cast.weight).encode()
        + b'},"prev":"'
        + head.encode()
        + b'","seq":'
        + str(seq).encode()
        + b',"type":"ballot"}'
    ).hexdigest()


def _summed(sums: dict[str, Any], cast: SecretBallot) -> dict[str, Any]:
    """The running encrypted sums by weight with this ballot added to its weight's."""
    added = [Ciphertext(bytes.fromhex(a), bytes.fromhex(b)) for a, b in cast.pairs()]
    current = sums.get(str(cast.weight))
    if current is None:
        new = added
    else:
        new = [
            Ciphertext(bytes.fromhex(c["alpha"]), bytes.fromhex(c["beta"])) + ct
            for c, ct in zip(current, added, strict=True)
        ]
    return {**sums, str(cast.weight): [ct.to_json() for ct in new]}
