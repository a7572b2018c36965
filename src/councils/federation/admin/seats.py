"""Seats, allocations, elections, petitions and signatures in the admin: read-only history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from councils.federation import services
from councils.federation.admin._common import (
    ReadOnlyAdmin,
    _call_for_each,
)
from councils.federation.models import (
    Affiliation,
    Election,
    RecallPetition,
    Seat,
    SeatAllocation,
    Signature,
    Term,
)


class _HistoryInline(admin.TabularInline):
    """Rows of a seat's history, shown read-only: only the services write them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AffiliationInline(_HistoryInline):
    """A seat's factions over time."""

    model = Affiliation
    fields = ["faction", "start", "end"]
    readonly_fields = ["faction", "start", "end"]


class TermInline(_HistoryInline):
    """A seat's terms: the elections that gave or renewed it."""

    model = Term
    fields = ["election", "start", "ends"]
    readonly_fields = ["election", "start", "ends"]


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = [
        "holder",
        "council",
        "faction",
        "section",
        "constituency",
        "child_council",
        "start",
        "end",
        "end_reason",
    ]
    list_filter = [
        ("council", RelatedOnly),
        ("affiliations__faction", RelatedOnly),
        "section",
        "end_reason",
        ("end", admin.EmptyFieldListFilter),
    ]
    search_fields = ["holder__name"]
    list_select_related = ["holder", "council", "constituency", "child_council"]
    date_hierarchy = "start"
    actions = ["resign_seat"]
    inlines = [AffiliationInline, TermInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The faction column reads each seat's affiliations: fetched with the page, not per row.
        return super().get_queryset(request).with_faction()  # type: ignore[attr-defined]

    @admin.action(description=_("Resign seat"))
    def resign_seat(self, request: HttpRequest, queryset: QuerySet[Seat]) -> None:
        """End the selected seats as resigned (and the seats derived from them); by-elections open."""
        done = _call_for_each(
            self, request, queryset, lambda seat: services.seat_resign(actor=request.user, seat=seat)
        )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(n)d seat ended; a by-election opened.", "%(n)d seats ended; by-elections opened.", done
                )
                % {"n": done},
                messages.SUCCESS,
            )


@admin.register(SeatAllocation)
class SeatAllocationAdmin(ReadOnlyAdmin):
    list_display = ["council", "constituency", "child_council", "seats", "size", "start", "end"]
    list_filter = [("council", RelatedOnly), ("end", admin.EmptyFieldListFilter)]
    list_select_related = ["council", "constituency", "child_council"]
    organization_path = "council__organization"


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = [
        "council",
        "constituency",
        "child_council",
        "kind",
        "status",
        "seats",
        "opened_at",
        "declared_at",
    ]
    list_filter = [("council", RelatedOnly), "kind", "status"]
    list_select_related = ["council", "constituency", "child_council"]


@admin.register(RecallPetition)
class RecallPetitionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "constituency", "status", "required", "opened_at", "expires_at", "closed_at"]
    list_filter = [("seat__council", RelatedOnly), "status", ("constituency", RelatedOnly)]
    list_select_related = ["seat__holder", "constituency"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["petition", "member", "signed_at", "withdrawn_at"]
    list_filter = [("petition__seat__council", RelatedOnly), "petition__status"]
    list_select_related = ["petition__seat__holder", "member"]
    organization_path = "petition__organization"
