"""On PostgreSQL an append-only table refuses UPDATE and DELETE, whoever asks; INSERT works."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from councils.voting.appendonly import append_only, append_only_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_table():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (CI runs the suite on PostgreSQL too)")
    operation = append_only("test_board_rows")  # as a migration runs it
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_board_rows (seq integer PRIMARY KEY, hash text NOT NULL)")
    with connection.schema_editor() as editor:
        operation.code(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO test_board_rows VALUES (0, 'a'), (1, 'b')")
    yield "test_board_rows"
    with connection.schema_editor() as editor:
        operation.reverse_code(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_board_rows")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE test_board_rows SET hash = 'x' WHERE seq = 1", "DELETE FROM test_board_rows WHERE seq = 1"],
)
def test_rows_cannot_be_changed_or_deleted(board_table, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM test_board_rows ORDER BY seq")
        assert cursor.fetchall() == [(0, "a"), (1, "b")]


def test_rows_can_be_appended(board_table):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO test_board_rows VALUES (2, 'c')")
        cursor.execute("SELECT count(*) FROM test_board_rows")
        assert cursor.fetchone() == (3,)


def test_a_table_name_is_checked():
    with pytest.raises(ValueError, match="plain lower-case table name"):
        append_only_sql("board; DROP TABLE x")
