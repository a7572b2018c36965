"""The statement every online cast writes its participation with, open or secret.

A participation is inserted only while its poll is open, and not at all when the voter or the
idempotency key already has one: one statement (``INSERT ... SELECT ... WHERE EXISTS ... ON CONFLICT
DO NOTHING RETURNING id``), so a cast needs no transaction of its own and never aborts one. On
PostgreSQL the poll's row is read under the weakest row lock (KEY SHARE): casts do not wait for each
other, but ``poll_close`` (which locks the row FOR UPDATE) waits for every cast in flight, and a cast
after the close finds the poll closed. SQLite serializes every write anyway.

The open cast stores the ballot itself (``ballot``, JSON); the secret cast stores the tracker of the
board's ballot event that holds it (``tracker``). Their parameters, in order: the poll, the principal,
who cast it, the weight, the idempotency key, the moment, the source, the ballot or the tracker, then
the poll and the moment again (the open check).
"""

from __future__ import annotations

import functools

# Each column the insert writes and its PostgreSQL type: the values are bound on the server there
# (hotsql.cursor: the statement is prepared once per connection), where a bare parameter in a SELECT
# list would be read as text, so each is cast to its column's type.
COLUMNS = (
    ("poll_id", "bigint"),
    ("principal_id", "bigint"),
    ("cast_by_id", "bigint"),
    ("weight", "integer"),
    ("idempotency_key", "varchar"),
    ("cast_at", "timestamptz"),
    ("source", "varchar"),
)
# What the cast stores beside them: the open ballot, or the secret ballot's tracker.
LAST = {"ballot": "jsonb", "tracker": "varchar"}


@functools.cache
def participation_insert_sql(last: str, *, postgresql: bool, returning: str = "id") -> str:
    """The insert of a participation with ``last`` (``"ballot"`` or ``"tracker"``) while its poll is
    open, nothing on a conflict, returning the new row's ``returning`` (its id; no row when none was
    written)."""
    columns = (*COLUMNS, (last, LAST[last]))
    names = ", ".join(name for name, _type in columns)
    values = ", ".join(f"CAST(%s AS {kind})" if postgresql else "%s" for _name, kind in columns)
    return (
        f"INSERT INTO voting_participation ({names}) SELECT {values} WHERE {_open(postgresql=postgresql)} "
        f"ON CONFLICT DO NOTHING RETURNING {returning}"
    )


def participation_insert_from_read(last: str, value: str, returning: str) -> str:
    """PostgreSQL: the same insert with its voter from ``r``, the token's read with the voter's
    elector row (``casting._ELECTOR_RIDER``: the principal, who cast it and the weight), and
    ``last`` given by the SQL ``value``; returning ``returning``. Its parameters: the poll, the
    key, the moment, the source, ``value``'s, then the poll and the moment (the open check)."""
    names = ", ".join(name for name, _type in COLUMNS) + f", {last}"
    return (
        f"INSERT INTO voting_participation ({names}) SELECT CAST(%s AS bigint), r.member_id, "
        "r.member_id, r.weight, CAST(%s AS varchar), CAST(%s AS timestamptz), CAST(%s AS varchar), "
        f"{value} FROM r WHERE r.member_id IS NOT NULL AND {_open(postgresql=True)} "
        f"ON CONFLICT DO NOTHING RETURNING {returning}"
    )


def _open(*, postgresql: bool) -> str:
    """The poll still open (its parameters: the poll, the moment), its row under a KEY SHARE lock
    on PostgreSQL."""
    lock = " FOR KEY SHARE" if postgresql else ""
    return (
        "EXISTS (SELECT 1 FROM voting_poll p WHERE p.id = %s AND p.state = 'open' AND "
        f"(p.closes_at IS NULL OR p.closes_at > %s){lock})"
    )
