"""What the admin pages share: the organizations a user administers, adding through a service,
and read-only history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from councils.accounts.actors import Actor
from councils.federation import access
from councils.federation.models import (
    Constituency,
    Council,
    Faction,
    Organization,
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
