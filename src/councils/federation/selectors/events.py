"""The audit log as pages and the API read it."""

from __future__ import annotations

from django.db.models import QuerySet

from councils.audit.models import Event
from councils.federation.models import (
    Organization,
)


def events(*, organization: Organization, kind: str | None = None) -> QuerySet[Event]:
    """The organization's audit log, newest first, optionally of one kind."""
    queryset = Event.objects.filter(organization=organization).select_related("actor", "stream")
    if kind:
        queryset = queryset.filter(kind=kind)
    # Newest first across the organization's streams (sequence numbers are per stream).
    return queryset.order_by("-id")


def event_kinds(*, organization: Organization) -> list[str]:
    """The kinds of event the organization's log holds, for a filter."""
    return sorted(
        set(Event.objects.filter(organization=organization).values_list("kind", flat=True).distinct())
    )
