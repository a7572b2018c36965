"""The federation's JSON endpoints: structure, composition, majorities and recall petitions.

Each endpoint finds the objects its URL names, checks that the caller may read the organization,
then calls one selector or service; errors are mapped to HTTP answers in ``councils.api``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as SchemaError

from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import Constituency, Council, Organization, RecallPetition, Seat
from councils.federation.schemas import (
    CompositionOut,
    ConstituencyDetailOut,
    ConstituencyOut,
    CouncilMajorityOut,
    CouncilNodeOut,
    CouncilOut,
    FactionOut,
    FieldErrors,
    Message,
    OrganizationOut,
    PetitionIn,
    PetitionOut,
    SchemaErrors,
    SeatOut,
    SignatureOut,
    SignOutcomeOut,
)

router = Router(tags=["federation"])

# Documented answers besides success (shapes in councils.api's description).
ERRORS = {401: Message, 403: Message, 404: Message}
READ_AT_ERRORS = {**ERRORS, 422: SchemaErrors}
WRITE_ERRORS = {400: FieldErrors, **ERRORS, 422: SchemaErrors}

AT_DESCRIPTION = (
    "The moment to show, as an ISO 8601 date-time (`1917-10-25T22:40:00+03:00`; without an offset it "
    "is read in the server's time zone) or a date (`1917-10-25`: as the day ended). Default: now."
)

# Query parameters with their documentation, shared by the endpoints that take them.
AT_QUERY = Query(None, description=AT_DESCRIPTION)
STATUS_QUERY = Query(None, description="Only petitions of this status.")


def organization_for(request: HttpRequest, slug: str) -> Organization:
    """The organization named by ``slug`` (404 if none), if the caller may read it (403 if not).

    Reading an organization needs the same permission as its pages: membership or an office.
    """
    organization = get_object_or_404(Organization, slug=slug)
    if not request.auth.has_perm("federation.view_organization", organization):  # type: ignore[attr-defined]
        raise NotAllowed(_("Only members and officers of %(org)s may read it.") % {"org": organization.name})
    return organization


def parse_moment(value: str | None, *, param: str = "at") -> datetime | None:
    """An ``at`` query parameter as an aware datetime; a date means the end of that day.

    A malformed value is answered 422 naming the parameter, like any other schema error.
    """
    if value is None or value == "":
        return None
    try:
        moment = parse_datetime(value)
        day = None if moment is not None else parse_date(value)
    except ValueError:  # well formed but impossible, such as 1917-02-30
        moment = day = None
    if moment is None and day is None:
        raise SchemaError(
            [
                {
                    "type": "value_error",
                    "loc": ["query", param],
                    "msg": _("Give a date (YYYY-MM-DD) or an ISO 8601 date-time."),
                }
            ]
        )
    if moment is None:
        assert isinstance(day, date)
        # A date means the composition as that day ended: what happened on it is included.
        moment = datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- organizations ---------------------------------------------------------------------------------


@router.get("/organizations", response={200: list[OrganizationOut], **ERRORS})
def organization_list(request: HttpRequest) -> Any:
    """The organizations the caller is a member or an officer of."""
    return selectors.organizations(user=request.auth)  # type: ignore[attr-defined]


@router.get("/organizations/{slug}", response={200: OrganizationOut, **ERRORS})
def organization_detail(request: HttpRequest, slug: str) -> Any:
    """One organization."""
    return organization_for(request, slug)


# --- councils --------------------------------------------------------------------------------------


@router.get("/organizations/{slug}/councils", response={200: list[CouncilNodeOut], **ERRORS})
def council_tree(request: HttpRequest, slug: str) -> Any:
    """The organization's councils as a tree, depth first: each with its depth and number of children."""
    return selectors.council_tree(organization=organization_for(request, slug))


def _council(request: HttpRequest, slug: str, council: str) -> Council:
    organization = organization_for(request, slug)
    return get_object_or_404(Council, organization=organization, slug=council)


@router.get("/organizations/{slug}/councils/{council}", response={200: CouncilOut, **ERRORS})
def council_detail(request: HttpRequest, slug: str, council: str) -> Any:
    """One council and its rules (seats, apportionment, term, recall)."""
    return _council(request, slug, council)


@router.get(
    "/organizations/{slug}/councils/{council}/composition", response={200: CompositionOut, **READ_AT_ERRORS}
)
def council_composition(request: HttpRequest, slug: str, council: str, at: str | None = AT_QUERY) -> Any:
    """The seats of the council at a moment (now by default) by faction and section, its vacancies and
    its majority. The answer costs the same few queries however many seats the council has."""
    return selectors.composition_at(council=_council(request, slug, council), at=parse_moment(at))


@router.get("/organizations/{slug}/councils/{council}/seats", response={200: list[SeatOut], **READ_AT_ERRORS})
def council_seats(request: HttpRequest, slug: str, council: str, at: str | None = AT_QUERY) -> Any:
    """The seats of the council held at a moment (now by default)."""
    return selectors.seats(council=_council(request, slug, council), at=parse_moment(at))


@router.get("/organizations/{slug}/majority-map", response={200: list[CouncilMajorityOut], **READ_AT_ERRORS})
def majority_map(request: HttpRequest, slug: str, at: str | None = AT_QUERY) -> Any:
    """Which faction holds the majority of which council at a moment (now by default), in tree order."""
    return selectors.majority_map(organization=organization_for(request, slug), at=parse_moment(at))


# --- constituencies and factions -------------------------------------------------------------------


@router.get("/organizations/{slug}/constituencies", response={200: list[ConstituencyOut], **ERRORS})
def constituency_list(request: HttpRequest, slug: str) -> Any:
    """The organization's constituencies by name."""
    organization = organization_for(request, slug)
    return selectors.constituencies(organization=organization)


@router.get(
    "/organizations/{slug}/constituencies/{constituency}", response={200: ConstituencyDetailOut, **ERRORS}
)
def constituency_detail(request: HttpRequest, slug: str, constituency: str) -> Any:
    """A constituency: its members count, its deputies now and its open recall petitions."""
    organization = organization_for(request, slug)
    found = get_object_or_404(Constituency, organization=organization, slug=constituency)
    return selectors.constituency_overview(constituency=found)


@router.get("/organizations/{slug}/factions", response={200: list[FactionOut], **ERRORS})
def faction_list(request: HttpRequest, slug: str) -> Any:
    """The organization's factions, left to right."""
    return selectors.factions(organization=organization_for(request, slug))


# --- recall petitions ------------------------------------------------------------------------------


@router.get("/organizations/{slug}/petitions", response={200: list[PetitionOut], **READ_AT_ERRORS})
def petition_list(
    request: HttpRequest,
    slug: str,
    status: RecallPetition.Status | None = STATUS_QUERY,
) -> Any:
    """The organization's recall petitions, soonest to expire first; `status` filters them."""
    return selectors.petitions(organization=organization_for(request, slug), status=status)


def _petition(request: HttpRequest, slug: str, petition_id: int) -> RecallPetition:
    organization = organization_for(request, slug)
    return get_object_or_404(RecallPetition, organization=organization, pk=petition_id)


@router.post("/organizations/{slug}/petitions", response={201: PetitionOut, **WRITE_ERRORS})
def petition_open(request: HttpRequest, slug: str, payload: PetitionIn) -> Any:
    """Open a petition to recall the holder of a seat; the caller, a member of the seat's
    constituency, signs it first. 400 names `seat` when the seat cannot be recalled now."""
    organization = organization_for(request, slug)
    seat = Seat.objects.filter(organization=organization, pk=payload.seat).first()
    if seat is None:
        # The body names a seat that does not exist here: a field error, not a missing URL.
        raise ValidationError({"seat": [_("No seat %(id)s in this organization.") % {"id": payload.seat}]})
    petition = services.petition_open(actor=request.auth, seat=seat, reason=payload.reason)  # type: ignore[attr-defined]
    # The opener's signature is the only one yet: the service signs for them as it opens.
    row = selectors.PetitionRow(petition=petition, signatures=1, required=petition.required, expired=False)
    return Status(201, row)


@router.post(
    "/organizations/{slug}/petitions/{petition_id}/sign", response={200: SignOutcomeOut, **WRITE_ERRORS}
)
def petition_sign(request: HttpRequest, slug: str, petition_id: int) -> Any:
    """Sign a recall petition (once). At the threshold the deputy's seat ends: `recalled` is true."""
    return services.petition_sign(actor=request.auth, petition=_petition(request, slug, petition_id))  # type: ignore[attr-defined]


@router.post(
    "/organizations/{slug}/petitions/{petition_id}/withdraw", response={200: SignatureOut, **WRITE_ERRORS}
)
def petition_withdraw(request: HttpRequest, slug: str, petition_id: int) -> Any:
    """Withdraw the caller's signature from a petition that is still open."""
    return services.petition_withdraw(actor=request.auth, petition=_petition(request, slug, petition_id))  # type: ignore[attr-defined]
