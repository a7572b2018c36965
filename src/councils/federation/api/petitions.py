"""Recall petitions: listing, opening, signing and withdrawing a signature."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from councils.federation import access, selectors, services
from councils.federation.api._common import (
    READ_AT_ERRORS,
    STATUS_QUERY,
    WRITE_ERRORS,
    ApiRequest,
    organization_for,
    paginated,
)
from councils.federation.models import (
    RecallPetition,
    Seat,
)
from councils.federation.schemas import (
    PetitionIn,
    PetitionOut,
    PetitionStatus,
    SignatureOut,
    SignOutcomeOut,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

router = Router(tags=["recall"])


@router.get("/organizations/{slug}/petitions", response={200: list[PetitionOut], **READ_AT_ERRORS})
@paginated
def petition_list(
    request: ApiRequest,
    slug: str,
    status: PetitionStatus | None = STATUS_QUERY,
) -> Any:
    """The organization's recall petitions, soonest to expire first, 50 a page (`page=1, 2, ...`);
    `status` filters them."""
    return selectors.petitions(
        organization=organization_for(request, slug), status=None if status is None else status.value
    )


def _petition(request: ApiRequest, slug: str, petition_id: int) -> RecallPetition:
    """The petition of this id in the organization, not read: the service reads it once, locked,
    with the caller's membership (``RecallPetition.DoesNotExist`` if it is not there: 404)."""
    organization = organization_for(request, slug)
    return RecallPetition(pk=petition_id, organization=organization)


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
    return sign(request.auth, slug, petition_id)


def sign(actor: User, slug: str, petition_id: int) -> services.SignOutcome:
    """The signature as the endpoint makes it, or the error raised for ``councils.api`` to map.
    Shared with the lean view (:mod:`councils.lean.sign`), so that both paths check and sign alike."""
    # The signature is the hot path: the service reads the caller's membership with the locked
    # petition, and a signature proves that the caller is a member of the petition's organization,
    # named by the address (so they may see it). Only a refusal asks the organization's access rule,
    # so that an outsider is told that first, as on every endpoint.
    try:
        return services.petition_sign(actor=actor, petition=services.PetitionRef(petition_id, slug))
    except Exception as exc:
        access.organization_for(actor, slug)
        if isinstance(exc, RecallPetition.DoesNotExist):
            raise Http404 from None
        raise


@router.post(
    "/organizations/{slug}/petitions/{petition_id}/withdraw", response={200: SignatureOut, **WRITE_ERRORS}
)
def petition_withdraw(request: ApiRequest, slug: str, petition_id: int) -> Any:
    """Withdraw the caller's signature from a petition that is still open."""
    try:
        return services.petition_withdraw(actor=request.auth, petition=_petition(request, slug, petition_id))
    except RecallPetition.DoesNotExist:
        raise Http404 from None
