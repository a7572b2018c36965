"""Members: one membership, moving a member, ending a membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from councils.federation import selectors, services
from councils.federation.models import (
    Constituency,
    Member,
)
from councils.federation.schemas import (
    InvitationOut,
    InvitationsOut,
    MemberMoveIn,
    MemberOut,
)

if TYPE_CHECKING:
    pass

from councils.federation.api._common import (
    ERRORS,
    WRITE_ERRORS,
    ApiRequest,
    organization_for,
)

router = Router(tags=["members"])


def _member(request: ApiRequest, slug: str, member_id: int) -> Member:
    organization = organization_for(request, slug)
    # Whether the answer may carry the address (MemberOut), asked once per request.
    request.councils_contact = selectors.may_see_contact(user=request.auth, organization=organization)  # type: ignore[attr-defined]
    return get_object_or_404(
        Member.objects.select_related("constituency", "user"), organization=organization, pk=member_id
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


@router.post(
    "/organizations/{slug}/members/{member_id}/invite", response={200: InvitationOut, **WRITE_ERRORS}
)
def member_invite(request: ApiRequest, slug: str, member_id: int) -> Any:
    """Send a member their invitation again, with a new link to set a password (organizers).
    400 names `member` when they left, have no address, or have set a password already."""
    member = _member(request, slug, member_id)
    delivery = services.member_invite(actor=request.auth, member=member)
    return {"member": member.pk, "sent": delivery.sent > 0}


@router.post("/organizations/{slug}/invitations", response={200: InvitationsOut, **WRITE_ERRORS})
def members_invite_pending(request: ApiRequest, slug: str) -> Any:
    """Send a new invitation to every member who has not set a password yet (organizers). 400 names
    `organization` when nobody is waiting."""
    outcome = services.members_invite_pending(
        actor=request.auth, organization=organization_for(request, slug)
    )
    return {"members": outcome.members, "sent": outcome.delivery.sent, "failed": outcome.delivery.failed}


@router.post("/organizations/{slug}/members/{member_id}/leave", response={200: MemberOut, **WRITE_ERRORS})
def member_leave(request: ApiRequest, slug: str, member_id: int) -> Any:
    """End a membership: the member themselves, or an organizer. Their seats end with it."""
    return services.member_leave(actor=request.auth, member=_member(request, slug, member_id))
