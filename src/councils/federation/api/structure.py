"""The organization's structure and composition: organizations, councils, seats, majorities,
constituencies and factions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from councils import hotsql
from councils.federation import readcache, selectors
from councils.federation.models import (
    Constituency,
    Council,
)
from councils.federation.schemas import (
    CompositionOut,
    ConstituencyDetailOut,
    ConstituencyOut,
    CouncilMajorityOut,
    CouncilNodeOut,
    CouncilOut,
    FactionOut,
    OrganizationOut,
    SeatOut,
)

if TYPE_CHECKING:
    pass

from councils.federation.api._common import (
    AT_QUERY,
    ERRORS,
    READ_AT_ERRORS,
    ApiRequest,
    AtParam,
    council_for,
    organization_for,
    paginated,
    parse_moment,
)

router = Router(tags=["structure"])


@router.get("/organizations", response={200: list[OrganizationOut], **ERRORS})
def organization_list(request: ApiRequest) -> Any:
    """The organizations the caller is a member or an officer of."""
    return selectors.organizations(user=request.auth)


@router.get("/organizations/{slug}", response={200: OrganizationOut, **ERRORS})
def organization_detail(request: ApiRequest, slug: str) -> Any:
    """One organization."""
    return organization_for(request, slug)


# --- councils --------------------------------------------------------------------------------------


@router.get("/organizations/{slug}/councils", response={200: list[CouncilNodeOut], **ERRORS})
def council_tree(request: ApiRequest, slug: str) -> Any:
    """The organization's councils as a tree, depth first: each with its depth and number of children."""
    return selectors.council_tree(organization=organization_for(request, slug))


@router.get("/organizations/{slug}/councils/{council}", response={200: CouncilOut, **ERRORS})
def council_detail(request: ApiRequest, slug: str, council: str) -> Any:
    """One council and its rules (seats, apportionment, term, recall)."""
    return council_for(request, slug, council)


@router.get(
    "/organizations/{slug}/councils/{council}/composition", response={200: CompositionOut, **READ_AT_ERRORS}
)
def council_composition(request: ApiRequest, slug: str, council: str, at: AtParam = AT_QUERY) -> Any:
    """The seats of the council at a moment (now by default) by faction and section, its vacancies and
    its majority. The answer costs the same few queries however many seats the council has."""
    moment = parse_moment(at)
    organization = organization_for(request, slug)
    # get_object_or_404(Council, organization=organization, slug=council), SQL written once, read
    # once per change of the organization (readcache): a council is changed only by a service.
    councils = readcache.now(
        organization,
        ("council-row", council),
        lambda: hotsql.rows(Council, "x.organization_id = %s AND x.slug = %s", [organization.pk, council]),
    )
    if not councils:
        raise Http404
    found = councils[0]
    if moment is not None:
        return selectors.composition_at(council=found, at=moment)
    # Now: the JSON ninja would send, made once per change of the organization (readcache).
    from councils.api import api  # the NinjaAPI this router is part of (imported late: it imports us)

    def render() -> bytes:
        data = CompositionOut.model_validate(selectors.composition_at(council=found)).model_dump()
        return api.renderer.render(request, data, response_status=200).encode()

    return HttpResponse(
        readcache.now(organization, ("composition-json", found.pk), render),
        content_type=api.get_content_type(),
    )


@router.get("/organizations/{slug}/councils/{council}/seats", response={200: list[SeatOut], **READ_AT_ERRORS})
@paginated
def council_seats(request: ApiRequest, slug: str, council: str, at: AtParam = AT_QUERY) -> Any:
    """The seats of the council held at a moment (now by default), 50 a page (`page=1, 2, ...`)."""
    return selectors.seats(council=council_for(request, slug, council), at=parse_moment(at))


@router.get("/organizations/{slug}/majority-map", response={200: list[CouncilMajorityOut], **READ_AT_ERRORS})
def majority_map(request: ApiRequest, slug: str, at: AtParam = AT_QUERY) -> Any:
    """Which faction holds the majority of which council at a moment (now by default), in tree order."""
    return selectors.majority_map(organization=organization_for(request, slug), at=parse_moment(at))


# --- constituencies and factions -------------------------------------------------------------------


@router.get("/organizations/{slug}/constituencies", response={200: list[ConstituencyOut], **ERRORS})
@paginated
def constituency_list(request: ApiRequest, slug: str) -> Any:
    """The organization's constituencies by name, 50 a page (`page=1, 2, ...`): a union may have
    thousands of branches."""
    organization = organization_for(request, slug)
    return selectors.constituencies(organization=organization)


@router.get(
    "/organizations/{slug}/constituencies/{constituency}", response={200: ConstituencyDetailOut, **ERRORS}
)
def constituency_detail(request: ApiRequest, slug: str, constituency: str) -> Any:
    """A constituency: its members count, its deputies now and its open recall petitions."""
    organization = organization_for(request, slug)
    found = get_object_or_404(Constituency, organization=organization, slug=constituency)
    return selectors.constituency_overview(constituency=found)


@router.get("/organizations/{slug}/factions", response={200: list[FactionOut], **ERRORS})
def faction_list(request: ApiRequest, slug: str) -> Any:
    """The organization's factions, left to right."""
    return selectors.factions(organization=organization_for(request, slug))
