"""The organization's structure in the admin: organizations, factions, councils, constituencies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.federation import services
from councils.federation.admin._common import (
    OrganizedAdmin,
    _call_for_each,
    _service_form,
    organized_ids,
)
from councils.federation.models import (
    Constituency,
    Council,
    Faction,
    Organization,
)


@admin.register(Organization)
class OrganizationAdmin(OrganizedAdmin):
    form = _service_form(Organization, ["name", "slug", "description"])
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    organization_path = "pk"

    @staticmethod
    def create(*, actor: Actor, name: str, slug: str, description: str = "") -> Organization:
        return services.organization_create(actor=actor, name=name, slug=slug, description=description)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Creating an organization is an administrator's act (the service says so too).
        return bool(request.user.is_active and request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return Organization.objects.filter(pk__in=organized_ids(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "slug", "description", "created_at"] if obj else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj else self.prepopulated_fields


@admin.register(Faction)
class FactionAdmin(OrganizedAdmin):
    form = _service_form(Faction, ["organization", "name", "short_name", "colour", "position"])
    list_display = ["name", "short_name", "colour", "position", "organization"]
    list_filter = [("organization", RelatedOnly)]
    search_fields = ["name", "short_name"]

    @staticmethod
    def create(*, actor: Actor, **data: Any) -> Faction:
        return services.faction_create(actor=actor, **data)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "name", "short_name", "colour", "position"] if obj else []


COUNCIL_FIELDS = [
    "organization",
    "name",
    "slug",
    "parent",
    "seat_rule",
    "members_per_seat",
    "minimum_seats",
    "total_seats",
    "apportionment_method",
    "term_days",
    "recall_threshold",
    "recall_mode",
    "petition_days",
]


@admin.register(Council)
class CouncilAdmin(OrganizedAdmin):
    form = _service_form(Council, COUNCIL_FIELDS)
    list_display = ["name", "parent", "seat_rule", "organization"]
    list_filter = [("organization", RelatedOnly), "seat_rule"]
    search_fields = ["name", "slug"]
    actions = ["apportion_seats"]

    @staticmethod
    def create(*, actor: Actor, **data: Any) -> Council:
        return services.council_create(actor=actor, **data)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*COUNCIL_FIELDS, "created_at"] if obj else []

    @admin.action(description=_("Apportion seats"))
    def apportion_seats(self, request: HttpRequest, queryset: QuerySet[Council]) -> None:
        """Give each part of the selected councils its seats by the council's rule, now."""
        done = _call_for_each(
            self,
            request,
            queryset,
            lambda council: services.council_apportion(actor=request.user, council=council),
        )
        if done:
            self.message_user(
                request,
                ngettext("Seats of %(n)d council apportioned.", "Seats of %(n)d councils apportioned.", done)
                % {"n": done},
                messages.SUCCESS,
            )


@admin.register(Constituency)
class ConstituencyAdmin(OrganizedAdmin):
    form = _service_form(Constituency, ["organization", "council", "name", "slug", "section"])
    list_display = ["name", "council", "section", "organization"]
    list_filter = [("organization", RelatedOnly), ("council", RelatedOnly), "section"]
    search_fields = ["name", "slug"]

    @staticmethod
    def create(*, actor: Actor, **data: Any) -> Constituency:
        return services.constituency_create(actor=actor, **data)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "council", "name", "slug", "section", "created_at"] if obj else []
