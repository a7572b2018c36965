"""The petition's statements of :mod:`councils.hotsql`: a signature's membership check, its insert,
and the petition locked (with the signer's membership) in one round trip."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, router

from councils.hotsql import _columns, _converted, _table, cursor


@functools.cache
def _member_sql() -> str:
    from councils.federation.models import Member

    return (
        f"SELECT 1 FROM {_table(Member)} m WHERE m.organization_id = %s AND m.user_id = %s"
        " AND m.left_at IS NULL LIMIT 1"
    )


def is_current_member(organization_id: int, user_id: int) -> bool:
    """Whether the user is a current member of the organization."""
    from councils.federation.models import Member

    with cursor(router.db_for_read(Member)) as hot:
        hot.execute(_member_sql(), [organization_id, user_id])
        return hot.fetchone() is not None


@functools.cache
def _signature_sql(vendor: str) -> tuple[str, str]:
    from councils.federation.models import Signature

    table = _table(Signature)
    insert = (
        f"INSERT INTO {table} (petition_id, member_id, signed_at, withdrawn_at) VALUES (%s, %s, %s, NULL)"
        " RETURNING id"
    )
    count = f"SELECT count(*) FROM {table} WHERE petition_id = %s AND withdrawn_at IS NULL"
    if vendor == "postgresql":
        # One round trip: the count reads the statement's snapshot, taken before the insert.
        return f"WITH ins AS ({insert}) SELECT ins.id, ({count}) + 1 FROM ins", ""
    return insert, count


def signature_insert(petition_id: int, member_id: int, signed_at: Any) -> tuple[int, int]:
    """Insert a standing signature and count the petition's standing signatures with it: its id and
    the count. The caller holds the petition's row lock, so no other signature or withdrawal of the
    petition comes between. A second standing signature of the member raises ``IntegrityError``
    (the unique constraint), as ``Signature.objects.create`` would."""
    from councils.federation.models import Signature

    using = router.db_for_write(Signature)
    connection = connections[using]
    first, second = _signature_sql(connection.vendor)
    with cursor(using) as hot:
        if not second:
            hot.execute(first, [petition_id, member_id, signed_at, petition_id])
            row = hot.fetchone()
            assert row is not None
            return int(row[0]), int(row[1])
        hot.execute(first, [petition_id, member_id, signed_at])
        inserted = hot.fetchone()
        assert inserted is not None
        hot.execute(second, [petition_id])
        counted = hot.fetchone()
        assert counted is not None
        return int(inserted[0]), int(counted[0])


@functools.cache
def _petition_sql(vendor: str) -> tuple[str, list[tuple[Any, int]]]:
    from councils.federation.models import Constituency, Council, Member, Organization, RecallPetition, Seat

    parts = [(RecallPetition, "p"), (Seat, "s"), (Member, "h"), (Council, "c"), (Constituency, "k")]
    parts.append((Organization, "o"))
    columns = [_columns(model, alias) for model, alias in parts]
    sql = (
        f"SELECT {', '.join(cols for cols, _names in columns)} FROM {_table(RecallPetition)} p"
        f" INNER JOIN {_table(Seat)} s ON s.id = p.seat_id"
        f" INNER JOIN {_table(Member)} h ON h.id = s.holder_id"
        f" INNER JOIN {_table(Council)} c ON c.id = s.council_id"
        f" INNER JOIN {_table(Constituency)} k ON k.id = p.constituency_id"
        f" INNER JOIN {_table(Organization)} o ON o.id = p.organization_id"
        " WHERE p.id = %s" + (" FOR UPDATE OF p" if vendor == "postgresql" else "")
        # Only the petition's row is locked; SQLite's IMMEDIATE transactions serialize writers.
    )
    return sql, [(model, len(names)) for model, _alias in parts for _cols, names in [_columns(model, "x")]]


def locked_petition(petition_id: int) -> Any:
    """The recall petition, its row locked (PostgreSQL) for the rest of the transaction, with its
    seat, the seat's holder and council, its constituency and their organization loaded: what
    ``RecallPetition.objects.select_for_update(of=("self",)).select_related(...)`` reads, in SQL
    written once. ``RecallPetition.DoesNotExist`` if there is none."""
    from councils.federation.models import RecallPetition

    using = router.db_for_write(RecallPetition)
    sql, shapes = _petition_sql(connections[using].vendor)
    with cursor(using) as hot:
        hot.execute(sql, [petition_id])
        row = hot.fetchone()
    if row is None:
        raise RecallPetition.DoesNotExist(f"No recall petition {petition_id}.")
    return _petition_of_row(using, shapes, row)


def _petition_of_row(using: str, shapes: list[tuple[Any, int]], row: Any) -> Any:
    """The petition and what it is read with, from a row of :func:`_petition_sql`'s columns."""
    connection = connections[using]
    made = []
    start = 0
    for model, width in shapes:
        names = [f.attname for f in model._meta.concrete_fields]
        made.append(model.from_db(using, names, _converted(connection, model, row[start : start + width])))
        start += width
    petition, seat, holder, council, constituency, organization = made
    seat.holder, seat.council, council.organization = holder, council, organization
    constituency.organization = organization
    petition.seat, petition.constituency, petition.organization = seat, constituency, organization
    return petition


@functools.cache
def _petition_signer_sql(vendor: str) -> tuple[str, list[tuple[Any, int]], int]:
    from councils.federation.models import Member

    sql, shapes = _petition_sql(vendor)
    select, _from, rest = sql.partition(" FROM ")
    joins, _where, condition = rest.partition(" WHERE ")
    cols, names = _columns(Member, "a")
    sql = (
        f"{select}, {cols} FROM {joins}"
        f" LEFT OUTER JOIN {_table(Member)} a ON a.organization_id = p.organization_id"
        " AND a.user_id = %s AND a.left_at IS NULL"
        f" WHERE {condition}"
    )
    return sql, shapes, len(names)


def locked_petition_and_member(petition_id: int, user_id: int) -> tuple[Any, Any]:
    """What :func:`locked_petition` reads (its row locked, ``RecallPetition.DoesNotExist`` if there
    is none), and the user's current membership of the petition's organization (or ``None``), in
    one round trip: a signature needs both."""
    from councils.federation.models import Member, RecallPetition

    using = router.db_for_write(RecallPetition)
    connection = connections[using]
    sql, shapes, width = _petition_signer_sql(connection.vendor)
    with cursor(using) as hot:
        hot.execute(sql, [user_id, petition_id])
        row = hot.fetchone()
    if row is None:
        raise RecallPetition.DoesNotExist(f"No recall petition {petition_id}.")
    petition = _petition_of_row(using, shapes, row[:-width])
    member_row = row[-width:]
    if member_row[0] is None:  # no current membership: the outer join's columns are all NULL
        return petition, None
    names = [f.attname for f in Member._meta.concrete_fields]
    return petition, Member.from_db(using, names, _converted(connection, Member, member_row))
