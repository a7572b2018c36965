"""The pages' statements of :mod:`councils.hotsql`: the signed-in user of a session, and an
organization with its viewer and its audit stream's head, each in one round trip.

A profile of a council page (bench/web_profile.py) spent a sixth of its CPU loading the session's
user through the ORM (``ModelBackend.get_user``), and one of its five queries reading the stream's
head after the organization (the read cache's key): both are constant statements, written here
once.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, router

from councils.hotsql import _columns, _converted, _table, _viewer_sql, cursor


@functools.cache
def _user_sql() -> tuple[str, list[str]]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    cols, names = _columns(model, "u")
    return f"SELECT {cols} FROM {_table(model)} u WHERE u.id = %s", names


def user_by_id(user_id: Any) -> Any:
    """The user of this id (active or not), or ``None``: ``User.objects.get(pk=...)``."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    sql, names = _user_sql()
    using = router.db_for_read(model)
    connection = connections[using]
    with cursor(using) as hot:
        hot.execute(sql, [user_id])
        row = hot.fetchone()
    if row is None:
        return None
    return model.from_db(using, names, _converted(connection, model, row))


@functools.cache
def _viewer_head_sql() -> tuple[str, list[str], list[str]]:
    from councils.audit.models import Stream
    from councils.federation.models import Organization

    sql, names, roles = _viewer_sql()
    select, _from, where = sql.rpartition(f" FROM {_table(Organization)} o WHERE ")
    # The organization's own stream: its owner is the organization (ORGANIZATION_OWNER, its id).
    sql = (
        f"{select}, st.length, st.head FROM {_table(Organization)} o"
        f" LEFT OUTER JOIN {_table(Stream)} st ON st.organization_id = o.id AND st.owner_type = %s"
        " AND st.owner_id = CAST(o.id AS TEXT)"
        f" WHERE {where}"
    )
    return sql, names, roles


def organization_with_viewer_and_head(
    slug: str, user_id: int
) -> tuple[Any, bool, frozenset[str], tuple[int, str]] | None:
    """The organization of this slug, whether the user is a current member of it, the offices they
    hold there now (``Officer.Role`` values), and the organization's own audit stream's length and
    head (0 and "" before any event), in one query; ``None`` for no such organization."""
    from councils.audit.models import ORGANIZATION_OWNER
    from councils.federation.models import Organization

    sql, names, roles = _viewer_head_sql()
    using = router.db_for_read(Organization)
    connection = connections[using]
    params: list[Any] = [user_id]
    for role in roles:
        params += [user_id, role]
    with cursor(using) as hot:
        hot.execute(sql, [*params, ORGANIZATION_OWNER, slug])
        row = hot.fetchone()
    if row is None:
        return None
    width = len(names)
    organization = Organization.from_db(using, names, _converted(connection, Organization, row[:width]))
    flags = [bool(flag) for flag in row[width:-2]]
    held = frozenset(role for role, flag in zip(roles, flags[1:], strict=True) if flag)
    length, head = row[-2], row[-1]
    return organization, flags[0], held, ((int(length), str(head)) if length is not None else (0, ""))


@functools.cache
def _session_user_sql() -> tuple[str, list[str], list[str]]:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    model = get_user_model()
    session_cols, session_names = _columns(Session, "x")
    user_cols, user_names = _columns(model, "u")
    sql = (
        f"SELECT {session_cols}, {user_cols} FROM {_table(Session)} x"
        f" LEFT OUTER JOIN {_table(model)} u ON u.id = %s"
        " WHERE x.session_key = %s AND x.expire_date > %s"
    )
    return sql, session_names, user_names


def live_session_and_user(session_key: str, now: Any, user_id: int) -> tuple[Any, Any]:
    """What :func:`councils.hotsql.live_session` reads, and the user of ``user_id`` (or ``None``),
    in one round trip: ``user_id`` is the user this session was last seen to name, which only
    its decoded data can confirm (``councils.web.sessions``)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    model = get_user_model()
    sql, session_names, user_names = _session_user_sql()
    using = router.db_for_read(Session)
    connection = connections[using]
    moment = Session._meta.get_field("expire_date").get_db_prep_value(now, connection)
    with cursor(using) as hot:
        hot.execute(sql, [user_id, session_key, moment])
        row = hot.fetchone()
    if row is None:
        return None, None
    width = len(session_names)
    session = Session.from_db(using, session_names, _converted(connection, Session, row[:width]))
    if row[width] is None:
        return session, None
    return session, model.from_db(using, user_names, _converted(connection, model, row[width:]))
