"""Polls in the admin: a record, read only (polls change through their services and pages)."""

from __future__ import annotations

from django.contrib import admin

from councils.federation.admin._common import ReadOnlyAdmin
from councils.voting.models import Participation, Poll


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ("title", "organization", "kind", "method", "secrecy", "state", "opened_at", "closed_at")
    list_filter = ("state", "kind", "secrecy")
    search_fields = ("title",)


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    organization_path = "poll__organization"
    list_display = ("poll", "principal", "cast_by", "weight", "source", "cast_at")
    list_select_related = ("poll", "principal", "cast_by")
    list_filter = ("source",)
