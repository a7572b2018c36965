"""Elections and apportionment: the returning officer's and the organizer's endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    Seat,
    SeatAllocation,
)
from councils.federation.schemas import (
    AllocationOut,
    DeclarationIn,
    ElectedSeatOut,
    ElectionDetailOut,
    ElectionIn,
    ElectionOut,
    ElectionStatus,
)

if TYPE_CHECKING:
    pass

from councils.federation.api._common import (
    ELECTION_STATUS_QUERY,
    ERRORS,
    READ_AT_ERRORS,
    WRITE_ERRORS,
    ApiRequest,
    council_for,
    organization_for,
    paginated,
)

router = Router(tags=["elections"])


def _may_declare(request: ApiRequest, organization: Organization) -> bool:
    return bool(request.auth.has_perm("federation.declare_election", organization))


def _require_declare(request: ApiRequest, organization: Organization) -> None:
    # The service checks again; checking first keeps a refused caller from learning about the body.
    if not _may_declare(request, organization):
        raise NotAllowed(_(services.NOT_RETURNING_OFFICER))


def _election(organization: Organization, election_id: int) -> Election:
    return get_object_or_404(selectors.elections(organization=organization), pk=election_id)


@router.get("/organizations/{slug}/elections", response={200: list[ElectionOut], **READ_AT_ERRORS})
@paginated
def election_list(
    request: ApiRequest, slug: str, status: ElectionStatus | None = ELECTION_STATUS_QUERY
) -> Any:
    """The organization's elections, open ones first, then newest first, 50 a page (`page=1, 2,
    ...`); `status` filters them. A declared election lists the seats it filled."""
    return selectors.elections(
        organization=organization_for(request, slug), status=None if status is None else status.value
    )


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
        # One whole sentence per kind of object: a model's name spliced in cannot be translated.
        message = (
            _("No council %(slug)r in this organization.")
            if model is Council
            else _("No constituency %(slug)r in this organization.")
        )
        errors[field] = [message % {"slug": slug}]
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
    found = council_for(request, slug, council)
    allocations = services.council_apportion(actor=request.auth, council=found)
    rows = SeatAllocation.objects.filter(pk__in=[a.pk for a in allocations]).select_related(
        "constituency", "child_council"
    )
    return sorted(rows, key=lambda a: a.part_label)
