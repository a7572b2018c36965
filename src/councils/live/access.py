"""Who may follow an organization's live updates, checked cheaply: when a stream opens (one query
besides the session's) and again, in bulk, for open streams.

The rule is :func:`councils.federation.access.may_view`'s (current members, officers, active
administrators), written here as one query for a stream's opening and as a few queries for
thousands of open streams; ``tests/live/test_topics.py`` checks that both agree.

When a user's membership or office in an organization ends, the service that ends it publishes
the user's topic (``member_leave`` does; :func:`access_ended` is the helper for the others, such as
an ``Officer`` row removed): once that commits, the user's open streams in the organization are
checked again and closed if the user no longer belongs. The hub also checks every open stream
every few minutes (a session that expired, a sign-out elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from councils.live.publish import publish_on_commit
from councils.live.topics import user_topic


def access_ended(*, organization_id: int, user_id: int) -> None:
    """Call in the transaction that ends ``user_id``'s membership or office in the organization:
    after commit, their open streams there are checked again and end if access is gone."""
    publish_on_commit(user_topic(organization_id, user_id))


def gate(user: Any, organization_slug: str) -> tuple[int, str, bool] | None:
    """The organization's id and name, and whether ``user`` (signed in) may follow it: a current
    member, an officer or a superuser. One query; None when no organization has that slug."""
    from councils.federation.models import Member, Officer, Organization

    row = (
        Organization.objects.filter(slug=organization_slug)
        .annotate(
            is_member=Exists(
                Member.objects.filter(organization=OuterRef("pk"), user=user, left_at__isnull=True)
            ),
            is_officer=Exists(Officer.objects.current().filter(organization=OuterRef("pk"), user=user)),
        )
        .values_list("pk", "name", "is_member", "is_officer")
        .first()
    )
    if row is None:
        return None
    pk, name, is_member, is_officer = row
    return pk, name, bool(user.is_active and (is_member or is_officer or user.is_superuser))


def still_allowed(streams: Iterable[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """Which of ``(organization_id, user_id, session_key)`` may still follow: the session is alive
    and belongs to the user, the user is active, and a current member, an officer or a superuser.
    A query for the sessions and one per organization, however many streams."""
    from councils.federation.models import Member, Officer

    streams = set(streams)
    alive = _live_sessions({key for _org, _user, key in streams})
    by_organization: dict[int, set[int]] = {}
    for org, user, _key in streams:
        by_organization.setdefault(org, set()).add(user)
    allowed_users: set[tuple[int, int]] = set()
    User = get_user_model()
    for org, users in by_organization.items():
        rows = (
            User.objects.filter(pk__in=users, is_active=True)
            .filter(
                Q(is_superuser=True)
                | Exists(
                    Member.objects.filter(organization_id=org, user=OuterRef("pk"), left_at__isnull=True)
                )
                | Exists(Officer.objects.current().filter(organization_id=org, user=OuterRef("pk")))
            )
            .values_list("pk", flat=True)
        )
        allowed_users.update((org, pk) for pk in rows)
    return {
        (org, user, key)
        for org, user, key in streams
        if (org, user) in allowed_users and alive.get(key) == user
    }


def _live_sessions(keys: set[str]) -> dict[str, int]:
    """The user id of each session in ``keys`` that is still alive (unexpired, not signed out)."""
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

    found: dict[str, int] = {}
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store, DatabaseStore):  # Django's table (councils.web.sessions reads it too)
        from django.contrib.sessions.models import Session

        for session in Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()):
            user = session.get_decoded().get(SESSION_KEY)
            if user is not None:
                found[session.session_key] = int(user)
        return found
    for key in keys:  # other engines: one look-up per session (a cache, usually)
        user = store(session_key=key).get(SESSION_KEY)
        if user is not None:
            found[key] = int(user)
    return found
