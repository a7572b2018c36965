"""The organization's blocs: their history for members; forming, changing and ending them for
organizers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import Bloc, Organization
from councils.web.forms import BlocFactionsForm, BlocForm
from councils.web.views._common import _organization_page, _validation_messages, attach_errors


def _may_change(request: HttpRequest, organization: Organization) -> bool:
    return bool(request.user.has_perm("federation.change_structure", organization))


def _render(
    request: HttpRequest,
    organization: Organization,
    *,
    form: BlocForm | None = None,
    change_forms: dict[int, BlocFactionsForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    factions = selectors.factions(organization=organization)
    history = selectors.blocs(organization=organization)
    may_change = _may_change(request, organization)
    rows: list[dict[str, Any]] = []
    for item in history:
        change_form = (change_forms or {}).get(item.bloc.pk)
        if change_form is None and may_change and item.bloc.end is None:
            change_form = BlocFactionsForm(
                factions=factions, initial={"factions": item.current}, prefix=f"bloc-{item.bloc.pk}"
            )
        rows.append({"history": item, "change_form": change_form if item.bloc.end is None else None})
    context = {
        "organization": organization,
        "rows": rows,
        "may_change": may_change,
        "form": form or (BlocForm(factions=factions) if may_change else None),
    }
    return render(request, "web/blocs.html", context, status=status)


@require_GET
@_organization_page
def blocs(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's blocs, in force and past, with their factions over time."""
    return _render(request, organization)


@require_POST
@_organization_page
def bloc_form(request: HttpRequest, organization: Organization) -> HttpResponse:
    """Form a bloc from now (organizers)."""
    if not _may_change(request, organization):
        raise NotAllowed(_(services.NOT_ORGANIZER))
    form = BlocForm(request.POST, factions=selectors.factions(organization=organization))
    if form.is_valid():
        try:
            bloc = services.bloc_form(
                actor=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                factions=form.cleaned_data["factions"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The bloc %(bloc)s is formed.") % {"bloc": bloc.name})
            return redirect("blocs", organization.slug)
    return _render(request, organization, form=form, status=400)


@require_POST
@_organization_page
def bloc_change(request: HttpRequest, organization: Organization, bloc_id: int) -> HttpResponse:
    """From now the bloc joins the factions chosen (organizers)."""
    bloc = get_object_or_404(
        Bloc.objects.select_related("organization"), organization=organization, pk=bloc_id
    )
    if not _may_change(request, organization):
        raise NotAllowed(_(services.NOT_ORGANIZER))
    form = BlocFactionsForm(
        request.POST, factions=selectors.factions(organization=organization), prefix=f"bloc-{bloc.pk}"
    )
    if form.is_valid():
        try:
            services.bloc_change(actor=request.user, bloc=bloc, factions=form.cleaned_data["factions"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The factions of %(bloc)s are changed.") % {"bloc": bloc.name})
            return redirect("blocs", organization.slug)
    return _render(request, organization, change_forms={bloc.pk: form}, status=400)


@require_POST
@_organization_page
def bloc_end(request: HttpRequest, organization: Organization, bloc_id: int) -> HttpResponse:
    """End the bloc now (organizers)."""
    bloc = get_object_or_404(
        Bloc.objects.select_related("organization"), organization=organization, pk=bloc_id
    )
    try:
        services.bloc_end(actor=request.user, bloc=bloc)
    except ValidationError as exc:
        messages.error(request, " ".join(_validation_messages(exc)))
    else:
        messages.success(request, _("The bloc %(bloc)s has ended.") % {"bloc": bloc.name})
    return redirect("blocs", organization.slug)
