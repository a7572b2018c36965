"""The secret cast's transaction: the participation, the ballot's ciphertexts and the board's ballot
event, written together or not at all. The ballot itself is stored once, in the event's body; the
participation keeps its tracker, which names that event (``BoardEvent``'s (poll, tracker) index).

The tally's row is the board's head: the one place where casts of a poll wait for each other, from
the moment it is locked until the commit. On PostgreSQL the transaction is one autocommitted
statement (no BEGIN or COMMIT of its own: two round trips fewer per cast): it inserts the
participation and the ciphertexts, then moves the head (the new event's hash is computed by
PostgreSQL's ``sha256`` from the ballot's bytes and the old head) and inserts the ballot event. The
lock is then held over that statement's end and its commit, with no round trip back to Python while
other casts wait. A ballot repeating a ciphertext fails the statement on the ciphertexts'
uniqueness, which undoes all of it. The tally keeps no running encrypted sums: the
close adds up the board's ballots (``secret_board.secret_close``), so nothing a cast writes depends
on a point addition done under the lock. SQLite, which has no data-modifying CTEs (and serializes
every write anyway), runs the same steps one statement each, the hash computed in Python.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from councils import hotsql
from councils.accounts import tokencache
from councils.voting.models import Participation
from councils.voting.services.casting import _ELECTOR_RIDER
from councils.voting.services.participation_insert import (
    participation_insert_from_read,
    participation_insert_sql,
)

COPIED = "This ballot repeats a ciphertext of a ballot already cast: a copy of another vote is refused."


def _board_append(participation: str) -> str:
    """PostgreSQL: after ``participation`` (the insert of the participation, returning its weight:
    ``p``), only if it was written, the ciphertexts and the head moved (the UPDATE waits for the
    row's lock and then sees the newest head; its SET reads the old values, so ``prev`` keeps the
    head the event follows); then the event after that head. The event's hash is SHA-256 of its
    canonical bytes: the part up to the weight comes from Python (``_event_body_head``), the rest
    is written here exactly as ``_event_hash`` and ``_event_body`` write it. Its parameters, after
    the participation's: the poll, the ciphertexts' alphas, the event's bytes up to the weight, the
    poll twice, the body up to the weight, the tracker, the points (``_board_params``)."""
    return (
        f"p AS ({participation}), "
        "c AS (INSERT INTO voting_ballotciphertext (poll_id, alpha) SELECT CAST(%s AS bigint), a "
        "FROM unnest(CAST(%s AS text[])) AS a WHERE EXISTS (SELECT 1 FROM p)), "
        "t AS (UPDATE voting_secrettally SET prev = head, "
        "head = encode(sha256(CAST(%s AS bytea) || convert_to(CAST(p.weight AS text) || "
        '\'},"prev":"\' || head || \'","seq":\' || CAST(length AS text) || \',"type":"ballot"}\', '
        "'UTF8')), 'hex'), length = length + 1, count = count + 1, total_weight = total_weight + p.weight "
        "FROM p WHERE poll_id = %s RETURNING head, length, prev, p.weight AS weight), "
        "e AS (INSERT INTO voting_boardevent (poll_id, seq, type, body, prev, hash, tracker, weight, points) "
        "SELECT CAST(%s AS bigint), t.length - 1, 'ballot', "
        "CAST(CAST(%s AS text) || CAST(t.weight AS text) || '}' AS jsonb), t.prev, t.head, "
        "CAST(%s AS varchar), t.weight, CAST(%s AS bytea) FROM t) "
    )


def _board_params(
    poll_id: int, alphas: list[str], points: bytes, canonical: bytes, tracker: str
) -> list[Any]:
    """The parameters of ``_board_append``'s part after the participation's."""
    head = _event_body_head(canonical, tracker)
    return [poll_id, alphas, b'{"body":' + head, poll_id, poll_id, head.decode(), tracker, points]


# PostgreSQL, one statement: the participation as the caller gives it, then the board's part. No row
# when the participation conflicts. Bound on the server (``hotsql.cursor``), so that psycopg
# prepares it once per connection: parsing, analysing and planning this statement anew took about
# two fifths of PostgreSQL's CPU per cast (perf, on the bench's backends).
_PG_CAST = (
    f"WITH {_board_append(participation_insert_sql('tracker', postgresql=True, returning='weight'))}"
    "SELECT t.head, t.length FROM t"
)
# The ciphertexts' uniqueness: a ballot repeating one is refused by it.
_COPY_CONSTRAINT = "voting_ballotciphertext_once"


@functools.cache
def _pg_along_sql() -> str:
    """``_PG_CAST`` after the token's read with the voter's elector row (``r``), whose member and
    weight the participation takes. One row, the token's with the rider's columns, then the new
    head and length (None when nothing was written); no row when the token is not live."""
    read = hotsql.token_with_sql(_ELECTOR_RIDER)
    insert = participation_insert_from_read("tracker", "CAST(%s AS varchar)", "weight")
    return (
        f"WITH r AS ({read}), {_board_append(insert)}SELECT r.*, t.head, t.length FROM r LEFT JOIN t ON true"
    )


def append_ballot_along(
    key_hash: str,
    poll_id: int,
    key: str,
    moment: datetime,
    ballot: dict[str, Any],
    canonical: bytes,
    tracker: str,
) -> tuple[Any, ...] | None:
    """A verified ballot of the token's owner for themselves, written with the token's read in one
    autocommitted statement (``_pg_along_sql``; PostgreSQL only): the values read after the token's
    row (the user's id, the poll's state and closing time, the elector's member, weight and name),
    then the board's new head and length, both None when nothing was written (the voter or the key
    has a participation, the poll is not open, the caller is no elector); None when the token is
    not live, or the ballot repeats a ciphertext (nothing is written: the ordinary cast refuses it).
    The token's row is kept for the request's authentication (``tokencache.read_with``)."""
    cast_at = Participation._meta.get_field("cast_at").get_db_prep_save(moment, connection)
    params = [poll_id, key_hash, True]  # the token's read: the rider's poll, then the token's own
    params += [poll_id, key, cast_at, Participation.Source.ONLINE, tracker, poll_id, cast_at]
    params += _board_params(poll_id, _alphas(ballot), _points(ballot), canonical, tracker)
    try:
        with _guard():
            return tokencache.read_with(key_hash, _pg_along_sql(), params)
    except IntegrityError as exc:
        if _is_copy(exc):
            return None
        raise


def _guard() -> Any:
    """Nothing for a statement in autocommit (its own transaction); inside a caller's transaction,
    a savepoint, so that a refused copy undoes only the statement."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _is_copy(exc: IntegrityError) -> bool:
    """Whether the statement failed on the ciphertexts' uniqueness: a ballot repeating one."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) == _COPY_CONSTRAINT


_EVENT = (
    "INSERT INTO voting_boardevent (poll_id, seq, type, body, prev, hash, tracker, weight, points) "
    "VALUES (%s, %s, 'ballot', %s, %s, %s, %s, %s, %s)"
)
_TALLY = (
    "UPDATE voting_secrettally SET prev = head, head = %s, length = %s, count = count + 1, "
    "total_weight = total_weight + %s WHERE poll_id = %s"
)


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

    def alphas(self) -> list[str]:
        """Its ciphertexts' first halves, in hex, in answer order."""
        return _alphas(self.ballot)

    def points(self) -> bytes:
        """Its ciphertexts as 32-byte points, alpha and beta of each answer in order."""
        return _points(self.ballot)


def _alphas(ballot: dict[str, Any]) -> list[str]:
    return [a["alpha"] for a in ballot["answers"]]


def _points(ballot: dict[str, Any]) -> bytes:
    return bytes.fromhex("".join(a["alpha"] + a["beta"] for a in ballot["answers"]))


def append_ballot(cast: SecretBallot) -> tuple[str, int] | None:
    """Write the cast in one transaction: the board's new head and length, or None when the
    participation conflicts (the voter or the key has one, or the poll has closed; nothing is
    written). A ciphertext already cast is refused (``ValidationError``, nothing written)."""
    cast_at = Participation._meta.get_field("cast_at").get_db_prep_save(cast.moment, connection)
    participation = [
        cast.poll_id,
        cast.principal_id,
        cast.cast_by_id,
        cast.weight,
        cast.key,
        cast_at,
        Participation.Source.ONLINE,
        cast.tracker,
        cast.poll_id,
        cast_at,
    ]
    if connection.vendor == "postgresql":
        return _pg_append(cast, participation)
    alphas = cast.alphas()
    # The event's JSON column gets its canonical text as it is (JSON already): not dumped again.
    body = _event_body(cast).decode()
    with transaction.atomic(), hotsql.cursor() as cursor:
        found = _steps(cursor, cast, participation, alphas, body)
        if found is None:
            return None
        stored, digest, length = found
        if stored != len(alphas):
            raise ValidationError({"ballot": _(COPIED)})  # the atomic block undoes it all
    return digest, length


def _pg_append(cast: SecretBallot, participation: list[Any]) -> tuple[str, int] | None:
    """PostgreSQL: ``_PG_CAST``, one statement and so its own transaction, with no BEGIN or
    COMMIT of its own (two round trips fewer); within a caller's transaction, under a savepoint.
    A ciphertext already cast fails the statement on the ciphertexts' uniqueness, which undoes
    all of it: the copy is refused."""
    board = _board_params(cast.poll_id, cast.alphas(), cast.points(), cast.canonical, cast.tracker)
    params = [*participation, *board]
    try:
        with _guard(), hotsql.cursor() as cursor:
            cursor.execute(_PG_CAST, params)
            row = cursor.fetchone()
    except IntegrityError as exc:
        if _is_copy(exc):
            raise ValidationError({"ballot": _(COPIED)}) from exc
        raise
    return None if row is None else (str(row[0]), int(row[1]))


def _steps(
    cursor: Any, cast: SecretBallot, participation: list[Any], alphas: list[str], body: Any
) -> tuple[int, str, int] | None:
    """SQLite: the same writes one statement each (the transaction holds the database's lock)."""
    cursor.execute(participation_insert_sql("tracker", postgresql=False), participation)
    if cursor.fetchone() is None:
        return None
    values = ", ".join(["(%s, %s)"] * len(alphas))
    cursor.execute(
        f"INSERT INTO voting_ballotciphertext (poll_id, alpha) VALUES {values} ON CONFLICT DO NOTHING",
        [x for alpha in alphas for x in (cast.poll_id, alpha)],
    )
    stored = cursor.rowcount
    cursor.execute("SELECT head, length FROM voting_secrettally WHERE poll_id = %s", [cast.poll_id])
    head, seq = cursor.fetchone()
    digest = _event_hash(cast, head, seq)
    cursor.execute(_EVENT, [cast.poll_id, seq, body, head, digest, cast.tracker, cast.weight, cast.points()])
    cursor.execute(_TALLY, [digest, seq + 1, cast.weight, cast.poll_id])
    return stored, digest, seq + 1


def _event_body(cast: SecretBallot) -> bytes:
    """The ballot event's body, canonical: keys in order (ballot < tracker < weight) around the
    ballot's own canonical bytes (docs/secret-polls.md)."""
    return _event_body_head(cast.canonical, cast.tracker) + str(cast.weight).encode() + b"}"


def _event_body_head(canonical: bytes, tracker: str) -> bytes:
    """The ballot event's body up to its weight."""
    return b'{"ballot":' + canonical + b',"tracker":"' + tracker.encode() + b'","weight":'


def _event_prefix(cast: SecretBallot) -> bytes:
    """The ballot event's canonical bytes up to the previous hash (keys in order: body < prev <
    seq < type)."""
    return b'{"body":' + _event_body(cast) + b',"prev":"'


def _event_hash(cast: SecretBallot, head: str, seq: int) -> str:
    """The ballot event's hash, from its canonical bytes written directly (``_PG_CAST`` computes
    the same in PostgreSQL)."""
    return hashlib.sha256(
        _event_prefix(cast) + head.encode() + b'","seq":' + str(seq).encode() + b',"type":"ballot"}'
    ).hexdigest()
