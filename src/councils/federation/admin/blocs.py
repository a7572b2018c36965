"""Blocs in the admin: formed through the service, ended by an action, their history read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter as RelatedOnly
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.federation import services
from councils.federation.admin._common import OrganizedAdmin, _call_for_each, _service_form, organized_ids
from councils.federation.models import Bloc, BlocMembership, Faction


class BlocMembershipInline(admin.TabularInline):
    """A bloc's factions over time: written by the services only."""

    model = BlocMembership
    fields = ["faction", "start", "end"]
    readonly_fields = ["faction", "start", "end"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_BaseBlocForm = _service_form(Bloc, ["organization", "name"])


class BlocForm(_BaseBlocForm):  # type: ignore[valid-type,misc]
    """The bloc's organization, name and factions; ``bloc_form`` checks that they belong together."""

    factions = forms.ModelMultipleChoiceField(
        label=_("factions"),
        queryset=Faction.objects.none(),
        widget=FilteredSelectMultiple(_("factions"), is_stacked=False),
        help_text=_("Two or more factions of the organization."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the add form is bound to a request (OrganizedAdmin.get_form); a bloc shown is read-only.
        request = getattr(type(self), "request", None)
        if request is not None and "factions" in self.fields:
            self.fields["factions"].queryset = Faction.objects.filter(
                organization__in=organized_ids(request)
            ).select_related("organization")


@admin.register(Bloc)
class BlocAdmin(OrganizedAdmin):
    form = BlocForm
    list_display = ["name", "organization", "start", "end"]
    list_filter = [("organization", RelatedOnly)]
    search_fields = ["name"]
    inlines = [BlocMembershipInline]
    actions = ["end_blocs"]

    @staticmethod
    def create(*, actor: Actor, **data: Any) -> Bloc:
        return services.bloc_form(actor=actor, **data)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "name", "start", "end"] if obj else ["organization", "name", "factions"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "name", "start", "end"] if obj else []

    @admin.action(description=_("End the selected blocs now"))
    def end_blocs(self, request: HttpRequest, queryset: QuerySet[Bloc]) -> None:
        """End each selected bloc now, through the service (an ended one is refused by name)."""
        done = _call_for_each(
            self, request, queryset, lambda bloc: services.bloc_end(actor=request.user, bloc=bloc)
        )
        if done:
            self.message_user(
                request,
                ngettext("%(n)d bloc ended.", "%(n)d blocs ended.", done) % {"n": done},
                messages.SUCCESS,
            )
