"""Appending an event to a stream in one SQL statement (PostgreSQL).

``event_record`` appends in three round trips: lock the stream's row, insert the event, move the
stream's head. The stream's row stays locked across all three, so appends to one busy stream (a
petition being signed, a poll being cast) queue behind that many round trips each. STACK-NOTES
measured about half again as many appends a second when the chain is appended in one statement.

The event's hash covers its sequence number and the previous event's hash, which only the locked
row knows. So the hashed text is made here with those two left out, and PostgreSQL puts them in
and hashes it (``sha256``, PostgreSQL 11 and later) in the statement that locks the row, inserts
the event and moves the head. The text is exactly what :func:`councils.audit.services._digest`
hashes (same JSON, same UTF-8 bytes): ``councils audit verify`` checks these events like any other.

Only PostgreSQL: SQLite has no ``sha256`` and serializes its writers anyway; the caller falls back
to the three statements there, and when the stream has no row yet (its first event creates it).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import connections, router

from councils import hotsql
from councils.audit.models import HASH_STREAMS, Event, Stream

# Stand-ins for the two values only the locked row knows. They are replaced in the statement; a
# payload that happens to contain one of them is appended the ordinary way.
_PREVIOUS = "councils-previous-hash-f3a1c9"
_SEQUENCE = 918273645546372819


def _quoted_table(model: Any) -> str:
    return str(connections["default"].ops.quote_name(model._meta.db_table))


@functools.cache
def _sql(by_id: bool) -> str:
    stream_table = _quoted_table(Stream)
    event_table = _quoted_table(Event)
    where = "id = %s" if by_id else "organization_id = %s AND owner_type = %s AND owner_id = %s"
    # The locking SELECT returns the row as the last append committed it (READ COMMITTED waits for
    # the lock, then reads the newest version); the UPDATE moves the head from those values.
    return f"""
WITH prev AS (
    SELECT id, length + 1 AS sequence, COALESCE(NULLIF(head, ''), %s) AS previous
    FROM {stream_table} WHERE {where}
    FOR NO KEY UPDATE
), hashed AS (
    SELECT id, sequence, previous,
           encode(sha256(convert_to(%s || previous || %s || sequence::text || %s, 'UTF8')), 'hex') AS hash
    FROM prev
), moved AS (
    UPDATE {stream_table} s SET length = hashed.sequence, head = hashed.hash
    FROM hashed WHERE s.id = hashed.id
    RETURNING s.id
)
INSERT INTO {event_table} (organization_id, stream_id, sequence, hash_version, kind, actor_id,
    occurred_at, object_type, object_id, legacy_summary, data, previous_hash, hash)
SELECT %s, hashed.id, hashed.sequence, %s, %s, %s, %s, %s, %s, '', %s, hashed.previous, hashed.hash
FROM hashed JOIN moved ON moved.id = hashed.id
RETURNING id, stream_id, sequence, previous_hash, hash
"""


def _split(hashed: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The hashed JSON text around the previous hash and the sequence, or None if it cannot be
    split unambiguously (a stand-in appears in the payload)."""
    encoded = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    previous, sequence = json.dumps(_PREVIOUS), str(_SEQUENCE)
    if encoded.count(_PREVIOUS) != 1 or encoded.count(sequence) != 1:
        return None
    head, _, rest = encoded.partition(previous)
    middle, _, tail = rest.partition(sequence)
    if not middle or _PREVIOUS in head:  # keys are sorted: "previous" comes before "sequence"
        return None
    # The previous hash is written inside its quotes, as json.dumps writes a string of hex digits.
    return head + '"', '"' + middle, tail


def append(
    *,
    organization_id: int,
    owner: tuple[str, str],
    stream_id: int | None,
    kind: str,
    actor_id: int | None,
    occurred_at: datetime,
    object_type: str,
    object_id: str,
    data: Any,
    genesis: str,
) -> Event | None:
    """Append the event in one statement; None when it cannot be done so (not PostgreSQL, no
    stream row yet, a payload holding a stand-in): the caller then appends it the ordinary way."""
    using = router.db_for_write(Event)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    # ``data`` is a payload as councils.audit.kinds cleans it: JSON values only, already canonical.
    parts = _split(
        {
            "v": HASH_STREAMS,
            "organization": organization_id,
            "stream": [owner[0], owner[1]],
            "sequence": _SEQUENCE,
            "kind": kind,
            "actor": actor_id,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
            "previous": _PREVIOUS,
        }
    )
    if parts is None:
        return None
    where: list[Any] = [stream_id] if stream_id is not None else [organization_id, owner[0], owner[1]]
    stored = Event._meta.get_field("data").get_db_prep_save(data, connection)
    params = [genesis, *where, *parts, organization_id, HASH_STREAMS, kind, actor_id, occurred_at]
    params += [object_type, object_id, stored]
    # A cursor binding on the server (councils.hotsql): the statement is prepared once per
    # connection, not parsed and planned again on every append (a quarter of a millisecond of
    # PostgreSQL's CPU each time for this statement).
    with hotsql.cursor(using) as cursor:
        cursor.execute(_sql(stream_id is not None), params)
        row = cursor.fetchone()
    if row is None:
        return None
    event = Event(
        id=row[0],
        organization_id=organization_id,
        stream_id=row[1],
        sequence=row[2],
        hash_version=HASH_STREAMS,
        kind=kind,
        actor_id=actor_id,
        occurred_at=occurred_at,
        object_type=object_type,
        object_id=object_id,
        data=data,
        previous_hash=row[3],
        hash=row[4],
    )
    event._state.adding = False
    event._state.db = using
    return event
