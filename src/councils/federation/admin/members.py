"""Members and officers in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q, QuerySet
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
    organized_ids,
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
    # Pick the person by name or address as one types (PersonAdmin below says whom one may find).
    autocomplete_fields = ["user"]

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


User = get_user_model()


class PersonAdmin(UserAdmin):
    """Django's user admin, which also answers the "person" search of the member form.

    Administrators find anyone. An organizer, who may add members but not manage accounts, gets
    only that search (not the list of accounts), and finds the people of the organizations they
    organize (members past and present, officers) by name or address, and anyone else only by
    typing their whole address: they can add a person they know, not browse the installation.
    """

    search_fields = ["username", "first_name", "last_name", "email"]

    @staticmethod
    def _is_person_search(request: HttpRequest) -> bool:
        match = request.resolver_match
        return match is not None and match.url_name == "autocomplete"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if super().has_view_permission(request, obj):
            return True
        return self._is_person_search(request) and bool(organized_ids(request))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        if request.user.is_superuser or not self._is_person_search(request):
            return super().get_search_results(request, queryset, search_term)
        organizations = organized_ids(request)
        known = queryset.filter(
            Q(memberships__organization__in=organizations) | Q(officer_roles__organization__in=organizations)
        )
        found, _distinct = super().get_search_results(request, known, search_term)
        term = search_term.strip()
        by_address = queryset.filter(email__iexact=term) if "@" in term else queryset.none()
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=by_address.values("pk"))), False


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
