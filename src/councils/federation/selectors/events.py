"""The audit log as pages and the API read it, with each actor named as the reader may see them;
and who may see members' contact details."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.accounts.privacy import display_name, hide_addresses, with_address
from councils.audit.models import Event
from councils.federation.models import Member, Organization

CONTACT = "federation.see_contact"


def may_see_contact(*, user: Actor, organization: Organization) -> bool:
    """True if ``user`` may see members' e-mail addresses in this organization (organizers,
    returning officers, administrators: the rule ``federation.see_contact``)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(CONTACT, organization))  # type: ignore[union-attr]


def events(*, organization: Organization, kind: str | None = None) -> QuerySet[Event]:
    """The organization's audit log, newest first, optionally of one kind.

    Each event carries ``actor_member_name``: the acting person's name as a member of the
    organization (their latest membership), read in the same query as the event.
    """
    member_name = (
        Member.objects.filter(organization_id=OuterRef("organization_id"), user_id=OuterRef("actor_id"))
        .order_by("-joined_at")
        .values("name")[:1]
    )
    queryset = (
        Event.objects.filter(organization=organization)
        .select_related("actor", "stream")
        .annotate(actor_member_name=Subquery(member_name))
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    # Newest first across the organization's streams (sequence numbers are per stream).
    return queryset.order_by("-id")


def actor_label(event: Any, *, contact: bool) -> str | None:
    """Who did it, as this reader may see it: a name, with the address for officers; None for
    the system. ``event`` comes from :func:`events`."""
    if event.actor_id is None:
        return None
    actor = event.actor
    name = display_name(
        member_name=getattr(event, "actor_member_name", None),
        first_name=actor.first_name,
        last_name=actor.last_name,
        username=actor.get_username(),
        pk=actor.pk,
    )
    return with_address(name, actor.email) if contact else name


def event_summary(event: Event, *, contact: bool) -> str:
    """The event's summary, with e-mail addresses hidden from readers who may not see them."""
    return event.summary if contact else hide_addresses(event.summary)


def event_data(event: Event, *, contact: bool) -> dict[str, Any]:
    """The event's payload, with e-mail addresses hidden from readers who may not see them (its
    hash then covers what they were not shown: officers can verify every event)."""
    return event.data if contact else hide_addresses(event.data)


def label_events(events_: Iterable[Event], *, contact: bool) -> list[Event]:
    """The events with ``by`` and ``shown_summary`` set for a page, as this reader may see them."""
    labelled = []
    for event in events_:
        event.by = actor_label(event, contact=contact) or _("the system")  # type: ignore[attr-defined]
        # The page's summary isolates each name in <bdi> (Event.summary_html); an address in it is
        # replaced by plain text, so the HTML stays as safe as it was.
        html = event.summary_html
        event.shown_summary = html if contact else mark_safe(hide_addresses(str(html)))  # type: ignore[attr-defined]
        labelled.append(event)
    return labelled


def event_kinds(*, organization: Organization) -> list[str]:
    """The kinds of event the organization's log holds, for a filter."""
    return sorted(
        set(Event.objects.filter(organization=organization).values_list("kind", flat=True).distinct())
    )


def members_without_password(*, organization: Organization) -> int:
    """How many current members (with an address) have not set a password yet: those an
    organizer may invite again (``members_invite_pending``)."""
    return (
        Member.objects.filter(organization=organization, left_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .count()
    )
