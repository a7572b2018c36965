"""The Django admin for organizers: adding goes through the services, history is read-only.

The admin writes no domain row itself. Adding an organization, faction, council, constituency or
member calls the matching create service, so the same permission checks, validation and audit
event apply as on the pages and the API. There is no change or delete: history is data, and the
rows that record it (seats, petitions, signatures, allocations, elections) are read-only here.
Two actions call services too: "Apportion seats" on councils and "Resign seat" on seats.

An organizer needs ``is_staff`` to sign in to the admin; they see the organizations they
organize (a superuser sees all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.federation import access, services
from councils.federation.models import (
    Affiliation,
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Officer,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
    Signature,
    Term,
)


def organized_by(user: Actor) -> QuerySet[Organization]:
    """The organizations ``user`` may administer: all for a superuser, else those they organize."""
    return access.organizations_organized_by(user)


def organized_ids(request: HttpRequest) -> list[int]:
    """The ids of the organizations the request's user may administer, read once per request.

    The admin asks for permissions model by model many times a page; one query answers them all.
    """
    cached = getattr(request, "_councils_organized", None)
    if cached is None:
        cached = list(organized_by(request.user).values_list("pk", flat=True))
        request._councils_organized = cached  # type: ignore[attr-defined]
    return cached


def _add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message if target else f"{field}: {message}")
    else:
        for message in error.messages:
            form.add_error(None, message)


class ServiceForm(forms.ModelForm):
    """A model form whose object is created by a service, not saved by the form.

    The service runs once the form's own fields are valid, inside the admin's transaction, so its
    errors show on the form beside the fields they name and nothing is written when it refuses.
    """

    request: ClassVar[HttpRequest]
    create: ClassVar[Callable[..., Model]]

    def _post_clean(self) -> None:
        # No model validation here: the service validates (full_clean and constraints) itself.
        if self.errors or self.instance.pk is not None:
            return
        try:
            self.instance = type(self).create(actor=self.request.user, **self.cleaned_data)
        except ValidationError as e:
            _add_service_error(self, e)
        except PermissionDenied as e:
            self.add_error(None, str(e) or _("You may not make this change."))


class OrganizedAdmin(admin.ModelAdmin):
    """Rows of the organizations the user organizes; add through a service; no change or delete."""

    #: The service that creates a row, called with ``actor`` and the form's cleaned data.
    create: ClassVar[Callable[..., Model] | None] = None
    #: The lookup from this model to its organization.
    organization_path: ClassVar[str] = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.organization_path}__in": organized_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(organized_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(organized_ids(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.create is not None and bool(organized_ids(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None or self.create is None:
            return form
        # The form needs the acting user; admin builds form classes, so bind it to a subclass.
        return type(form.__name__, (form,), {"request": request, "create": staticmethod(self.create)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        organizations = Organization.objects.filter(pk__in=organized_ids(request))
        related = db_field.related_model
        if related is Organization:
            kwargs["queryset"] = organizations
        elif related in (Council, Constituency, Faction):
            kwargs["queryset"] = related.objects.filter(organization__in=organizations)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The service already created the row while the form was validated (ServiceForm).
        if obj.pk is None:
            raise PermissionDenied(_("Rows are created through the services only."))


def _call_for_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    call: Callable[[Any], object],
) -> int:
    """Run a service on each selected row; report each refusal beside its row; return how many succeeded."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except (ValidationError, PermissionDenied) as e:
            text = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
            model_admin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            done += 1
    return done


class ReadOnlyAdmin(OrganizedAdmin):
    """A record of history: listed and shown, never added, changed or deleted here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]


def _service_form(model: type[Model], fields: list[str]) -> type[ServiceForm]:
    """A ServiceForm for ``model`` with ``fields`` (the service's keyword arguments)."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}Form", (ServiceForm,), {"Meta": meta})


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


class AffiliationInline(admin.TabularInline):
    """A seat's factions over time (read only: services write them)."""

    model = Affiliation
    fields = ["faction", "start", "end"]
    readonly_fields = ["faction", "start", "end"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TermInline(admin.TabularInline):
    """A seat's terms: the elections that gave or renewed it (read only)."""

    model = Term
    fields = ["election", "start", "ends"]
    readonly_fields = ["election", "start", "ends"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
