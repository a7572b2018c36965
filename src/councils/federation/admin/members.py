"""Members and officers in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.http import HttpRequest

from councils.accounts.actors import Actor
from councils.federation import services
from councils.federation.admin._common import (
    OrganizedAdmin,
    ReadOnlyAdmin,
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
    list_display = ["user", "role", "organization"]
    list_filter = [("organization", RelatedOnly), "role"]
