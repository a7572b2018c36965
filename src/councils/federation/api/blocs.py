"""Blocs: coalitions of factions. Members read them; organizers form, change and end them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from councils.federation import selectors, services
from councils.federation.api._common import ERRORS, WRITE_ERRORS, ApiRequest, organization_for
from councils.federation.models import Bloc, Faction, Organization
from councils.federation.schemas import BlocChangeIn, BlocIn, BlocOut

router = Router(tags=["blocs"])


def _factions(organization: Organization, ids: Sequence[int]) -> list[Faction]:
    """The organization's factions named by ``ids``; a 400 naming ``factions`` for an unknown id."""
    found = {f.pk: f for f in Faction.objects.filter(organization=organization, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"factions": [_("No faction %(id)s in this organization.") % {"id": missing[0]}]}
        )
    return [found[i] for i in ids]


def _bloc(organization: Organization, bloc_id: int) -> Bloc:
    bloc = Bloc.objects.filter(organization=organization, pk=bloc_id).select_related("organization").first()
    if bloc is None:
        raise Http404
    return bloc


def _out(organization: Organization, bloc: Bloc) -> selectors.BlocHistory:
    [history] = selectors.blocs(organization=organization, bloc_id=bloc.pk)
    return history


@router.get("/organizations/{slug}/blocs", response={200: list[BlocOut], **ERRORS})
def bloc_list(request: ApiRequest, slug: str) -> Any:
    """Every bloc of the organization with its history: those in force first, then the most recent."""
    return selectors.blocs(organization=organization_for(request, slug))


@router.post("/organizations/{slug}/blocs", response={201: BlocOut, **WRITE_ERRORS})
def bloc_form(request: ApiRequest, slug: str, payload: BlocIn) -> Any:
    """Form a bloc of two or more factions from now (organizers). 400 names `factions` or `name`."""
    organization = organization_for(request, slug)
    bloc = services.bloc_form(
        actor=request.auth,
        organization=organization,
        name=payload.name,
        factions=_factions(organization, payload.factions),
    )
    return Status(201, _out(organization, bloc))


@router.post("/organizations/{slug}/blocs/{bloc_id}/change", response={200: BlocOut, **WRITE_ERRORS})
def bloc_change(request: ApiRequest, slug: str, bloc_id: int, payload: BlocChangeIn) -> Any:
    """From now the bloc joins exactly these factions (organizers): the others leave it."""
    organization = organization_for(request, slug)
    bloc = services.bloc_change(
        actor=request.auth,
        bloc=_bloc(organization, bloc_id),
        factions=_factions(organization, payload.factions),
    )
    return _out(organization, bloc)


@router.post("/organizations/{slug}/blocs/{bloc_id}/end", response={200: BlocOut, **WRITE_ERRORS})
def bloc_end(request: ApiRequest, slug: str, bloc_id: int) -> Any:
    """End the bloc now (organizers); it stays in the history."""
    organization = organization_for(request, slug)
    bloc = services.bloc_end(actor=request.auth, bloc=_bloc(organization, bloc_id))
    return _out(organization, bloc)
