"""The federation's JSON endpoints: structure, composition, majorities, recall petitions, and the
returning officer's elections and apportionment.

Each endpoint finds the objects its URL names, checks that the caller may read the organization,
then calls one selector or service; errors are mapped to HTTP answers in ``councils.api``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as SchemaError

from councils import hotsql
from councils.federation import access, readcache, selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
)
from councils.federation.schemas import (
    AllocationOut,
    CompositionOut,
    ConstituencyDetailOut,
    ConstituencyOut,
    CouncilMajorityOut,
    CouncilNodeOut,
    CouncilOut,
    DeclarationIn,
    ElectedSeatOut,
    ElectionDetailOut,
    ElectionIn,
    ElectionOut,
    FactionOut,
    FieldErrors,
    MemberMoveIn,
    MemberOut,
    Message,
    OrganizationOut,
    PetitionIn,
    PetitionOut,
    SchemaErrors,
    SeatOut,
    SignatureOut,
    SignOutcomeOut,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

router = Router(tags=["federation"])


class ApiRequest(HttpRequest):
    """A request the API authenticated (``councils.api``: every endpoint needs it). ninja sets
    ``auth`` to what the authenticator returned: the token's owner, or the session's signed-in user."""

    auth: User


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
ELECTION_STATUS_QUERY = Query(None, description="Only elections of this status.")


def organization_for(request: ApiRequest, slug: str) -> Organization:
    """The organization named by ``slug`` (404 if none), if the caller may read it (403 if not).

    Reading an organization needs the same permission as its pages: membership or an office.
    """
    return access.organization_for(request.auth, slug)


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


def _council(request: ApiRequest, slug: str, council: str) -> Council:
    organization = organization_for(request, slug)
    return get_object_or_404(Council, organization=organization, slug=council)


@router.get("/organizations/{slug}/councils/{council}", response={200: CouncilOut, **ERRORS})
def council_detail(request: ApiRequest, slug: str, council: str) -> Any:
    """One council and its rules (seats, apportionment, term, recall)."""
    return _council(request, slug, council)


@router.get(
    "/organizations/{slug}/councils/{council}/composition", response={200: CompositionOut, **READ_AT_ERRORS}
)
def council_composition(request: ApiRequest, slug: str, council: str, at: str | None = AT_QUERY) -> Any:
    """The seats of the council at a moment (now by default) by faction and section, its vacancies and
    its majority. The answer costs the same few queries however many seats the council has."""
    moment = parse_moment(at)
    organization = organization_for(request, slug)
    # get_object_or_404(Council, organization=organization, slug=council), SQL written once.
    councils = hotsql.rows(Council, "x.organization_id = %s AND x.slug = %s", [organization.pk, council])
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
def council_seats(request: ApiRequest, slug: str, council: str, at: str | None = AT_QUERY) -> Any:
    """The seats of the council held at a moment (now by default)."""
    return selectors.seats(council=_council(request, slug, council), at=parse_moment(at))


@router.get("/organizations/{slug}/majority-map", response={200: list[CouncilMajorityOut], **READ_AT_ERRORS})
def majority_map(request: ApiRequest, slug: str, at: str | None = AT_QUERY) -> Any:
    """Which faction holds the majority of which council at a moment (now by default), in tree order."""
    return selectors.majority_map(organization=organization_for(request, slug), at=parse_moment(at))


# --- constituencies and factions -------------------------------------------------------------------


@router.get("/organizations/{slug}/constituencies", response={200: list[ConstituencyOut], **ERRORS})
def constituency_list(request: ApiRequest, slug: str) -> Any:
    """The organization's constituencies by name."""
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


# --- recall petitions ------------------------------------------------------------------------------


@router.get("/organizations/{slug}/petitions", response={200: list[PetitionOut], **READ_AT_ERRORS})
def petition_list(
    request: ApiRequest,
    slug: str,
    status: RecallPetition.Status | None = STATUS_QUERY,
) -> Any:
    """The organization's recall petitions, soonest to expire first; `status` filters them."""
    return selectors.petitions(organization=organization_for(request, slug), status=status)


def _petition(request: ApiRequest, slug: str, petition_id: int) -> RecallPetition:
    organization = organization_for(request, slug)
    # get_object_or_404(RecallPetition, organization=organization, pk=petition_id), SQL written once:
    # every signature asks for it.
    found = hotsql.rows(
        RecallPetition, "x.organization_id = %s AND x.id = %s", [organization.pk, petition_id]
    )
    if not found:
        raise Http404
    return found[0]


@router.post("/organizations/{slug}/petitions", response={201: PetitionOut, **WRITE_ERRORS})
def petition_open(request: ApiRequest, slug: str, payload: PetitionIn) -> Any:
    """Open a petition to recall the holder of a seat; the caller, a member of the seat's
    constituency, signs it first. 400 names `seat` when the seat cannot be recalled now."""
    organization = organization_for(request, slug)
    seat = Seat.objects.filter(organization=organization, pk=payload.seat).first()
    if seat is None:
        # The body names a seat that does not exist here: a field error, not a missing URL.
        raise ValidationError({"seat": [_("No seat %(id)s in this organization.") % {"id": payload.seat}]})
    petition = services.petition_open(actor=request.auth, seat=seat, reason=payload.reason)
    # The opener's signature is the only one yet: the service signs for them as it opens.
    row = selectors.PetitionRow(petition=petition, signatures=1, required=petition.required, expired=False)
    return Status(201, row)


@router.post(
    "/organizations/{slug}/petitions/{petition_id}/sign", response={200: SignOutcomeOut, **WRITE_ERRORS}
)
def petition_sign(request: ApiRequest, slug: str, petition_id: int) -> Any:
    """Sign a recall petition (once). At the threshold the deputy's seat ends: `recalled` is true."""
    return services.petition_sign(actor=request.auth, petition=_petition(request, slug, petition_id))


@router.post(
    "/organizations/{slug}/petitions/{petition_id}/withdraw", response={200: SignatureOut, **WRITE_ERRORS}
)
def petition_withdraw(request: ApiRequest, slug: str, petition_id: int) -> Any:
    """Withdraw the caller's signature from a petition that is still open."""
    return services.petition_withdraw(actor=request.auth, petition=_petition(request, slug, petition_id))


# --- elections and apportionment -------------------------------------------------------------------


def _may_declare(request: ApiRequest, organization: Organization) -> bool:
    return bool(request.auth.has_perm("federation.declare_election", organization))


def _require_declare(request: ApiRequest, organization: Organization) -> None:
    # The service checks again; checking first keeps a refused caller from learning about the body.
    if not _may_declare(request, organization):
        raise NotAllowed(_(services.NOT_RETURNING_OFFICER))


def _election(organization: Organization, election_id: int) -> Election:
    return get_object_or_404(selectors.elections(organization=organization), pk=election_id)


@router.get("/organizations/{slug}/elections", response={200: list[ElectionOut], **READ_AT_ERRORS})
def election_list(
    request: ApiRequest, slug: str, status: Election.Status | None = ELECTION_STATUS_QUERY
) -> Any:
    """The organization's elections, open ones first, then newest first; `status` filters them. A
    declared election lists the seats it filled."""
    return selectors.elections(organization=organization_for(request, slug), status=status)


@router.get("/organizations/{slug}/elections/{election_id}", response={200: ElectionDetailOut, **ERRORS})
def election_detail(request: ApiRequest, slug: str, election_id: int) -> Any:
    """One election. While it is open, a returning officer or an organizer also gets `eligible`: who
    may be declared elected."""
    organization = organization_for(request, slug)
    election = _election(organization, election_id)
    may_declare = election.status == Election.Status.OPEN and _may_declare(request, organization)
    election.eligible = selectors.election_eligible(election=election) if may_declare else None  # type: ignore[attr-defined]
    return election


def _found(
    model: Any, organization: Organization, field: str, slug: str | None, errors: dict[str, list[str]]
) -> Any:
    """The object of ``model`` named by ``slug`` in the organization; a missing one is a field error."""
    if slug is None:
        return None
    found = model.objects.filter(organization=organization, slug=slug).first()
    if found is None:
        errors[field] = [
            _("No %(what)s %(slug)r in this organization.") % {"what": model._meta.verbose_name, "slug": slug}
        ]
    return found


@router.post("/organizations/{slug}/elections", response={201: ElectionOut, **WRITE_ERRORS})
def election_open(request: ApiRequest, slug: str, payload: ElectionIn) -> Any:
    """Open an election for a constituency of a council, or for a child council (its delegates).
    `seats` defaults to the part's allocation (regular) or its vacancies (by-election). 400 names
    the field refused: `council`, `constituency`, `child_council`, `seats`."""
    organization = organization_for(request, slug)
    _require_declare(request, organization)
    errors: dict[str, list[str]] = {}
    council = _found(Council, organization, "council", payload.council, errors)
    constituency = _found(Constituency, organization, "constituency", payload.constituency, errors)
    child_council = _found(Council, organization, "child_council", payload.child_council, errors)
    if errors:
        raise ValidationError(errors)
    election = services.election_open(
        actor=request.auth,
        council=council,
        constituency=constituency,
        child_council=child_council,
        kind=payload.kind,
        seats=payload.seats,
    )
    return Status(201, _election(organization, election.pk))


@router.post(
    "/organizations/{slug}/elections/{election_id}/declare",
    response={200: list[ElectedSeatOut], **WRITE_ERRORS},
)
def election_declare(request: ApiRequest, slug: str, election_id: int, payload: DeclarationIn) -> Any:
    """Record who was elected; answers the new seats. For a child council's part, a null `faction`
    means the faction the delegate sits with below. 400 names `elected.N.member` or
    `elected.N.faction` for an id that is not in the organization, `elected` for a declaration the
    rules refuse (too many, not eligible, twice), `election` when it is no longer open."""
    organization = organization_for(request, slug)
    election = get_object_or_404(Election, organization=organization, pk=election_id)
    _require_declare(request, organization)
    rows = payload.elected
    members = {
        m.pk: m
        for m in Member.objects.filter(
            organization=organization, left_at__isnull=True, pk__in=[r.member for r in rows]
        )
    }
    factions = {
        f.pk: f
        for f in Faction.objects.filter(
            organization=organization, pk__in=[r.faction for r in rows if r.faction is not None]
        )
    }
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if row.member not in members:
            errors[f"elected.{i}.member"] = [_("No member %(id)s in this organization.") % {"id": row.member}]
        if row.faction is not None and row.faction not in factions:
            errors[f"elected.{i}.faction"] = [
                _("No faction %(id)s in this organization.") % {"id": row.faction}
            ]
    if errors:
        raise ValidationError(errors)
    elected = [(members[r.member], factions[r.faction] if r.faction is not None else None) for r in rows]
    seats = services.election_declare(actor=request.auth, election=election, elected=elected)
    return (
        Seat.objects.filter(pk__in=[s.pk for s in seats])
        .select_related("holder", "constituency", "child_council")
        .with_faction()
        .order_by("slot")
    )


@router.post(
    "/organizations/{slug}/councils/{council}/apportion", response={200: list[AllocationOut], **WRITE_ERRORS}
)
def council_apportion(request: ApiRequest, slug: str, council: str) -> Any:
    """Give each part of the council (constituency or child council) its seats by the council's seat
    rule, from now; answers the allocations in force, by part. Organizers only."""
    found = _council(request, slug, council)
    allocations = services.council_apportion(actor=request.auth, council=found)
    rows = SeatAllocation.objects.filter(pk__in=[a.pk for a in allocations]).select_related(
        "constituency", "child_council"
    )
    return sorted(rows, key=lambda a: a.part_label)


# --- members ---------------------------------------------------------------------------------------


def _member(request: ApiRequest, slug: str, member_id: int) -> Member:
    organization = organization_for(request, slug)
    return get_object_or_404(
        Member.objects.select_related("constituency"), organization=organization, pk=member_id
    )


@router.get("/organizations/{slug}/members/{member_id}", response={200: MemberOut, **ERRORS})
def member_detail(request: ApiRequest, slug: str, member_id: int) -> Any:
    """One membership, current or ended."""
    return _member(request, slug, member_id)


@router.post("/organizations/{slug}/members/{member_id}/move", response={200: MemberOut, **WRITE_ERRORS})
def member_move(request: ApiRequest, slug: str, member_id: int, payload: MemberMoveIn) -> Any:
    """Move a member to another constituency (organizers). Answers the new membership; the old one
    ends as `moved`, with the seats held for its constituency. 400 names `constituency`."""
    member = _member(request, slug, member_id)
    constituency = Constituency.objects.filter(
        organization_id=member.organization_id, slug=payload.constituency
    ).first()
    if constituency is None:
        raise ValidationError(
            {"constituency": [_("No constituency %(slug)s here.") % {"slug": payload.constituency}]}
        )
    outcome = services.member_move(actor=request.auth, member=member, constituency=constituency)
    return outcome.member


@router.post("/organizations/{slug}/members/{member_id}/leave", response={200: MemberOut, **WRITE_ERRORS})
def member_leave(request: ApiRequest, slug: str, member_id: int) -> Any:
    """End a membership: the member themselves, or an organizer. Their seats end with it."""
    return services.member_leave(actor=request.auth, member=_member(request, slug, member_id))
