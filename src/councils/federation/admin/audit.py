"""The audit log in the Django admin: read-only, filtered by organization and kind. It is registered
here because who may read an organization's log is the federation's rule: the audit app itself
imports nothing of the federation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.db.models import QuerySet
from django.http import HttpRequest

from councils.audit.models import Event, Stream
from councils.federation.admin._common import organized_ids


class _ReadOnlyLogAdmin(admin.ModelAdmin):
    """The log's rows, for the organizations the user organizes: nobody adds, changes or deletes one."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(organized_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(organized_ids(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(_ReadOnlyLogAdmin):
    """Events are appended by the services only; nobody adds, changes or deletes one here."""

    list_display = ["sequence", "stream", "occurred_at", "kind", "actor", "summary", "organization"]
    list_filter = [("organization", RelatedOnly), "kind"]
    # The summary is rendered from the payload when shown; only legacy events store one.
    search_fields = ["legacy_summary", "kind"]
    list_select_related = ["actor", "organization", "stream"]
    date_hierarchy = "occurred_at"
    ordering = ["organization", "-sequence"]
    # The whole log of a large organization: no COUNT(*) of it on every page.
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return super().get_queryset(request).filter(organization__in=organized_ids(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Event._meta.fields] + ["summary"]


@admin.register(Stream)
class StreamAdmin(_ReadOnlyLogAdmin):
    """The heads of the audit streams, read-only: only appending an event moves a head."""

    list_display = ["organization", "owner_type", "owner_id", "length", "head"]
    list_filter = [("organization", RelatedOnly)]
    list_select_related = ["organization"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stream]:
        return super().get_queryset(request).filter(organization__in=organized_ids(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Stream._meta.fields]
