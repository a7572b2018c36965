"""The few queries every API request runs, written once as SQL instead of built by the ORM each time.

A profile of an authenticated ``GET /api/organizations`` (CPU time, cProfile) spent about two
thirds of the request's CPU in the ORM building and compiling its two queries (the token with its
user, and the caller's organizations), and a twentieth running them. Their shapes never change,
so their SQL is made once per process from the models' metadata, and their rows become model
instances through ``Model.from_db`` as the ORM's own iterator makes them.

Only plain SQL that SQLite and PostgreSQL read alike is used; the tests run on both.

On PostgreSQL these statements run on a cursor that binds its parameters on the server
(:func:`cursor`), so that psycopg prepares each after a few executions on a connection (the pool
keeps connections, and so their prepared statements). Django's default cursor sends every
statement as text with its values inlined, which PostgreSQL parses and plans again each time: a
profile of a cast (bench/voting_bench.py) found 0.25-0.3 ms of PostgreSQL's CPU per statement in
planning, against 0.03 ms to run the prepared token or elector lookup.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import connections, models, router, transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from councils.accounts.models import ApiToken


def cursor(using: str = "default") -> Any:
    """A cursor of Django's connection ``using`` (logged, its errors wrapped as Django's) whose
    statements psycopg prepares once run a few times: for a few constant statements run on every
    request. Elsewhere than PostgreSQL, the ordinary cursor."""
    connection = connections[using]
    # While queries are logged (DEBUG, or a test counting them), the ordinary cursor: Django logs
    # a server-bound statement's text as None.
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # What BaseDatabaseWrapper.cursor() does, with another cursor class for this one cursor
        # (the project's connections keep Django's client-side binding for everything else).
        # The stubs know neither the wrapper's _prepare_cursor nor psycopg's cursor constructor.
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))  # type: ignore[attr-defined,call-arg]


def _columns(model: type[models.Model], alias: str) -> tuple[str, list[str]]:
    """``alias."col", ...`` for the model's concrete fields, and the fields' attribute names."""
    fields = model._meta.concrete_fields
    quote = connections["default"].ops.quote_name
    # cast: a concrete field is one with a column (Django's Field.concrete is ``column is not None``),
    # which the stubs' ``str | None`` cannot know.
    return ", ".join(f"{alias}.{quote(cast(str, f.column))}" for f in fields), [f.attname for f in fields]


def _table(model: type[models.Model]) -> str:
    return connections["default"].ops.quote_name(model._meta.db_table)


@functools.cache
def _token_sql() -> tuple[str, list[str], list[str]]:
    from councils.accounts.models import ApiToken

    user_model = ApiToken._meta.get_field("user").related_model
    assert isinstance(user_model, type)
    token_cols, token_names = _columns(ApiToken, "t")
    user_cols, user_names = _columns(user_model, "u")
    sql = (
        f"SELECT {token_cols}, {user_cols} FROM {_table(ApiToken)} t "
        f"INNER JOIN {_table(user_model)} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s"
    )
    return sql, token_names, user_names


class TokenRow(NamedTuple):
    """A live token's row as immutable values: the database alias, the token's field values and
    its user's, converted as the ORM converts them (:func:`token_from_row` makes the instances).
    Safe to share between threads: it holds only numbers, strings, booleans and datetimes."""

    using: str
    token: tuple[Any, ...]
    user: tuple[Any, ...]


def live_token_row(key_hash: str) -> TokenRow | None:
    """The unrevoked token of this hash whose user is active, with its user's row, as values; or
    ``None`` (for ``councils.accounts.tokencache``, which records its use)."""
    found = token_read(_token_sql()[0], [key_hash, True])
    return None if found is None else found[0]


def token_read(sql: str, params: list[Any]) -> tuple[TokenRow, tuple[Any, ...]] | None:
    """Run ``sql``, a statement whose rows select the token's and its user's columns first (as
    :func:`token_with_sql` writes them): the token's row, and the values of any columns after
    them; None when it gives no row."""
    from councils.accounts.models import ApiToken

    _sql, token_names, user_names = _token_sql()
    user_model = ApiToken._meta.get_field("user").related_model
    using = router.db_for_read(ApiToken)
    connection = connections[using]
    with cursor(using) as hot:
        hot.execute(sql, params)
        row = hot.fetchone()
    if row is None:
        return None
    width, user_width = len(token_names), len(user_names)
    found = TokenRow(
        using,
        tuple(_converted(connection, ApiToken, row[:width])),
        tuple(_converted(connection, user_model, row[width : width + user_width])),
    )
    return found, tuple(row[width + user_width :])


class Rider(NamedTuple):
    """Columns read along with a token's row, in the same statement: their select list and the
    joins they need (on ``t``, the token, and ``u``, its user), constant SQL whose parameters come
    before the token's."""

    columns: str
    joins: str


@functools.cache
def token_with_sql(rider: Rider) -> str:
    """The live token's read (its parameters: the rider's, then the token's hash and ``True``) with
    the ``rider``'s columns after the token's and its user's."""
    sql, _token_names, _user_names = _token_sql()
    select, where = sql.split(" WHERE ")
    head, tables = select.split(" FROM ")
    return f"{head}, {rider.columns} FROM {tables} {rider.joins} WHERE {where}"


def token_from_row(row: TokenRow) -> ApiToken:
    """New instances of the token and of its user (``token.user``) from ``row``: each caller gets
    its own, which it may change without changing anyone else's."""
    from councils.accounts.models import ApiToken

    _sql, token_names, user_names = _token_sql()
    user_model = ApiToken._meta.get_field("user").related_model
    token = ApiToken.from_db(row.using, token_names, row.token)
    # cast: from_db makes an instance of the model it is called on, the token's user model (auth.User);
    # the stubs type the foreign key's related_model only as some Model.
    token.user = cast("User", user_model.from_db(row.using, user_names, row.user))
    return token


def token_uses_write(using: str, uses: dict[int, Any]) -> None:
    """Record the last use of tokens (``{token id: datetime}``) in one statement on PostgreSQL (one
    transaction of one statement each elsewhere). A time only moves forward: a row whose recorded
    use is newer keeps it, so writers in any order agree (``councils.accounts.tokenuse``)."""
    from councils.accounts.models import ApiToken

    connection = connections[using]
    field = ApiToken._meta.get_field("last_used_at")
    ids = list(uses)
    times = [field.get_db_prep_save(uses[i], connection) for i in ids]
    table = _table(ApiToken)
    if connection.vendor == "postgresql":
        with cursor(using) as hot:
            hot.execute(
                f"UPDATE {table} t SET last_used_at = v.at FROM unnest(CAST(%s AS bigint[]), "
                "CAST(%s AS timestamptz[])) AS v(id, at) WHERE t.id = v.id "
                "AND (t.last_used_at IS NULL OR t.last_used_at < v.at)",
                [ids, times],
            )
        return
    with transaction.atomic(using), connection.cursor() as plain:
        plain.executemany(
            f"UPDATE {table} SET last_used_at = %s WHERE id = %s "
            "AND (last_used_at IS NULL OR last_used_at < %s)",
            [(at, i, at) for i, at in zip(ids, times, strict=True)],
        )


@functools.cache
def _converters(model: Any, using: str) -> list[tuple[int, list[Any], Any]]:
    """For each field that needs it: its index, its converters and its column expression."""
    connection = connections[using]
    found = []
    for i, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if funcs:
            found.append((i, funcs, col))
    return found


def _converted(connection: Any, model: Any, values: Any) -> list[Any]:
    """Values as the ORM would give them (SQLite returns datetimes and booleans as text and ints)."""
    out = list(values)
    for i, funcs, col in _converters(model, connection.alias):
        for convert in funcs:
            out[i] = convert(out[i], col, connection)
    return out


@functools.cache
def _organizations_sql() -> tuple[str, list[str]]:
    from councils.federation.models import Member, Officer, Organization

    cols, names = _columns(Organization, "o")
    quote = connections["default"].ops.quote_name
    sql = (
        f"SELECT {cols} FROM {_table(Organization)} o WHERE "
        f"EXISTS (SELECT 1 FROM {_table(Member)} m WHERE m.organization_id = o.id"
        " AND m.user_id = %s AND m.left_at IS NULL) "
        f"OR EXISTS (SELECT 1 FROM {_table(Officer)} f WHERE f.organization_id = o.id AND f.user_id = %s"
        " AND f.ended_at IS NULL) "
        f"ORDER BY o.{quote('name')}"
    )
    return sql, names


def organizations_of(user_id: int) -> list[Any]:
    """The organizations the user is a current member or an officer of, by name."""
    from councils.federation.models import Organization

    sql, names = _organizations_sql()
    using = router.db_for_read(Organization)
    connection = connections[using]
    with cursor(using) as hot:
        hot.execute(sql, [user_id, user_id])
        rows = hot.fetchall()
    return [Organization.from_db(using, names, _converted(connection, Organization, row)) for row in rows]


@functools.cache
def _select(model: Any, where: str) -> tuple[str, list[str]]:
    cols, names = _columns(model, "x")
    return f"SELECT {cols} FROM {_table(model)} x WHERE {where}", names


def rows(model: Any, where: str, params: list[Any]) -> list[Any]:
    """Instances of ``model`` whose row (alias ``x``) meets ``where``: a constant SQL condition."""
    sql, names = _select(model, where)
    using = router.db_for_read(model)
    connection = connections[using]
    with cursor(using) as hot:
        hot.execute(sql, params)
        found = hot.fetchall()
    return [model.from_db(using, names, _converted(connection, model, row)) for row in found]


def organization_by_slug(slug: str) -> Any:
    """The organization of this slug, or ``None``."""
    from councils.federation.models import Organization

    found = rows(Organization, "x.slug = %s", [slug])
    return found[0] if found else None


@functools.cache
def _viewer_sql() -> tuple[str, list[str], list[str]]:
    from councils.federation.models import Member, Officer, Organization

    cols, names = _columns(Organization, "o")
    roles = [str(role) for role in Officer.Role.values]
    office = (
        f"EXISTS (SELECT 1 FROM {_table(Officer)} f WHERE f.organization_id = o.id AND f.user_id = %s"
        " AND f.ended_at IS NULL AND f.role = %s)"
    )
    sql = (
        f"SELECT {cols}, EXISTS (SELECT 1 FROM {_table(Member)} m WHERE m.organization_id = o.id"
        " AND m.user_id = %s AND m.left_at IS NULL)"
        + "".join(f", {office}" for _role in roles)
        + f" FROM {_table(Organization)} o WHERE o.slug = %s"
    )
    return sql, names, roles


@functools.cache
def _council_sql() -> tuple[str, int]:
    from councils.federation.models import Council

    cols, names = _columns(Council, "c")
    parent_cols, _parent_names = _columns(Council, "p")
    sql = (
        f"SELECT {cols}, {parent_cols} FROM {_table(Council)} c"
        f" LEFT OUTER JOIN {_table(Council)} p ON p.id = c.parent_id"
        " WHERE c.organization_id = %s AND c.slug = %s"
    )
    return sql, len(names)


def council_with_parent(organization_id: int, slug: str) -> Any:
    """The organization's council of this slug with its parent council loaded (``None`` if there
    is no such council): ``Council.objects.select_related("parent").filter(...).first()``."""
    from councils.federation.models import Council

    sql, width = _council_sql()
    using = router.db_for_read(Council)
    connection = connections[using]
    with cursor(using) as hot:
        hot.execute(sql, [organization_id, slug])
        row = hot.fetchone()
    if row is None:
        return None
    names = [f.attname for f in Council._meta.concrete_fields]
    council = Council.from_db(using, names, _converted(connection, Council, row[:width]))
    parent = None
    if row[width] is not None:
        parent = Council.from_db(using, names, _converted(connection, Council, row[width:]))
    council.parent = parent
    return council


def live_session(session_key: str, now: Any) -> Any:
    """The unexpired session of this key (``django.contrib.sessions``), or ``None``: what
    ``Session.objects.get(session_key=..., expire_date__gt=now)`` reads, every signed-in page."""
    from django.contrib.sessions.models import Session

    connection = connections[router.db_for_read(Session)]
    moment = Session._meta.get_field("expire_date").get_db_prep_value(now, connection)
    found = rows(Session, "x.session_key = %s AND x.expire_date > %s", [session_key, moment])
    return found[0] if found else None


# A petition's statements live in their own module, imported here so that callers keep one name.
from councils.hotsql.petitions import (  # noqa: E402
    is_current_member,
    locked_petition,
    locked_petition_and_member,
    signature_insert,
)

__all__ = [
    "Rider",
    "TokenRow",
    "council_with_parent",
    "cursor",
    "is_current_member",
    "live_session",
    "live_token_row",
    "locked_petition",
    "locked_petition_and_member",
    "organization_by_slug",
    "organizations_of",
    "rows",
    "signature_insert",
    "token_from_row",
    "token_uses_write",
]
