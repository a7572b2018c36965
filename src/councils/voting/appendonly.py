"""Append-only tables on PostgreSQL: a trigger refuses every UPDATE and DELETE of their rows.

A secret poll's board is a hash chain that anybody can check; the trigger makes a change refused
at the source rather than only detected afterwards, whatever code (or administrator's session
through the application's role) tries it. Use it from the migration that creates the table::

    from councils.voting.appendonly import append_only

    operations = [..., append_only("voting_boardevent")]

TRUNCATE stays allowed: it is what the test suite's flush uses, and it needs the table's owner,
which the application's role need not be in production. On SQLite nothing is installed (its
test flush deletes rows; the board's hash chain and ``councils verify-poll`` still detect any
change).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

__all__ = ["append_only", "append_only_sql"]

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


def append_only_sql(table: str) -> tuple[str, str]:
    """The PostgreSQL statements that make ``table`` append-only, and those that undo it."""
    if not _NAME.match(table):
        raise ValueError(f"table: {table!r} is not a plain lower-case table name")
    function, trigger = f"{table}_append_only", f"{table}_append_only"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    reverse = f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse


def append_only(table: str) -> migrations.RunPython:
    """A migration operation installing the trigger on PostgreSQL (and doing nothing elsewhere)."""
    forward_sql, reverse_sql = append_only_sql(table)

    def run(sql: str) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(forward_sql), run(reverse_sql), elidable=False)
