"""Members and officers in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.federation import services
from councils.federation.admin._common import (
    OrganizedAdmin,
    ReadOnlyAdmin,
    _call_for_each,
    _service_form,
)
from councils.federation.models import (
    Member,
    Officer,
)


@admin.register(Member)
class MemberAdmin(OrganizedAdmin):
    form = _service_form(Member, ["organization", "user", "constituency", "name"])
    list_display = ["name", "constituency", "joined_at", "left_at", "organization"]
    list_filter = [
        ("organization", RelatedOnly),
        ("constituency__council", RelatedOnly),
        "constituency__section",
    ]
    search_fields = ["name", "user__email", "user__username"]
    list_select_related = ["constituency", "organization"]
    raw_id_fields = ["user"]

    @staticmethod
    def create(*, actor: Actor, **data: Any) -> Member:
        return services.member_add(actor=actor, **data)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "user", "constituency", "name", "joined_at", "left_at"] if obj else []


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "organization", "appointed_at", "ended_at"]
    list_filter = [("organization", RelatedOnly), "role"]
    actions = ["end_office"]

    @admin.action(description=_("End the office"))
    def end_office(self, request: HttpRequest, queryset: QuerySet[Officer]) -> None:
        """End each selected office through the service (which keeps at least one organizer)."""

        def end(officer: Officer) -> Officer:
            return services.officer_remove(actor=request.user, officer=officer)

        done = _call_for_each(self, request, queryset, end)
        if done:
            self.message_user(
                request, ngettext("%(n)d office ended.", "%(n)d offices ended.", done) % {"n": done}
            )
