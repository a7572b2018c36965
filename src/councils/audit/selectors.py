"""Read queries of the audit log shared by pages, API and CLI."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from councils.audit.models import Stream


def stream_heads(*, organization: Model) -> QuerySet[Stream]:
    """The organization's streams with their heads (length, last hash), its own stream first."""
    return Stream.objects.filter(organization_id=organization.pk).order_by("id")
