"""The secret polls' endpoints: the board, trustee committees and their key ceremony, the trustees'
decryption factors. Each finds what its URL names and calls one service or selector (the encrypted
cast is the poll's ordinary ballot endpoint, :mod:`councils.voting.api`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Status

from councils.federation.access import organization_for
from councils.federation.api._common import ERRORS, WRITE_ERRORS, ApiRequest
from councils.federation.models import Member
from councils.voting import services
from councils.voting.api import _detail, _poll, router
from councils.voting.models import TrusteeCommittee
from councils.voting.schemas import (
    BoardOut,
    CeremonyMessageIn,
    CommitteeIn,
    CommitteeOut,
    FactorsIn,
    PollDetailOut,
)


def _committee(request: ApiRequest, slug: str, committee_id: int) -> TrusteeCommittee:
    organization = organization_for(request.auth, slug)
    return get_object_or_404(TrusteeCommittee, organization=organization, pk=committee_id)


@router.get("/organizations/{slug}/polls/{poll_id}/board", response={200: BoardOut, **ERRORS})
def poll_board(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """A secret poll's public board (`councils-board/1`), for its organization's members:
    `councils verify-poll URL` checks it, `councils trustee decrypt URL` decrypts its sum."""
    poll = _poll(request, slug, poll_id)
    if not poll.is_secret:
        raise ValidationError({"poll": [_("An open (named) poll has no board: its votes are named.")]})
    return StreamingHttpResponse(services.board_json_chunks(poll), content_type="application/json")


@router.get("/organizations/{slug}/committees", response={200: list[CommitteeOut], **ERRORS})
def committee_list(request: ApiRequest, slug: str) -> Any:
    """The organization's trustee committees, newest first."""
    return TrusteeCommittee.objects.filter(organization=organization_for(request.auth, slug))


@router.post("/organizations/{slug}/committees", response={201: CommitteeOut, **WRITE_ERRORS})
def committee_create(request: ApiRequest, slug: str, payload: CommitteeIn) -> Any:
    """Create a trustee committee (officers): its members then register, deal and confirm."""
    organization = organization_for(request.auth, slug)
    found = {
        m.pk: m
        for m in Member.objects.filter(organization=organization, pk__in=[m for m in payload.members if m])
    }
    missing = [m for m in payload.members if m is not None and m not in found]
    if missing:
        raise ValidationError({"members": [_("No member %(id)s here.") % {"id": missing[0]}]})
    committee = services.committee_create(
        actor=request.auth,
        organization=organization,
        name=payload.name,
        threshold=payload.threshold,
        size=payload.size,
        members=[found[m] if m is not None else None for m in payload.members],
    )
    return Status(201, committee)


@router.get("/organizations/{slug}/committees/{committee_id}", response={200: CommitteeOut, **ERRORS})
def committee_get(request: ApiRequest, slug: str, committee_id: int) -> Any:
    """A trustee committee with its trustees' public verification keys."""
    return _committee(request, slug, committee_id)


@router.get(
    "/organizations/{slug}/committees/{committee_id}/ceremony", response={200: dict[str, Any], **ERRORS}
)
def committee_ceremony(request: ApiRequest, slug: str, committee_id: int) -> Any:
    """The key ceremony (`councils-ceremony/1`) a trustee downloads for their next step."""
    return services.ceremony_document(_committee(request, slug, committee_id))


@router.post(
    "/organizations/{slug}/committees/{committee_id}/messages", response={200: CommitteeOut, **WRITE_ERRORS}
)
def committee_message(request: ApiRequest, slug: str, committee_id: int, payload: CeremonyMessageIn) -> Any:
    """A trustee's registration, deal or confirmation (what `councils trustee ...` printed)."""
    committee = _committee(request, slug, committee_id)
    return services.ceremony_post(
        actor=request.auth, committee=committee, index=payload.index, message=payload.message
    )


@router.post("/organizations/{slug}/polls/{poll_id}/factors", response={200: PollDetailOut, **WRITE_ERRORS})
def poll_factors(request: ApiRequest, slug: str, poll_id: int, payload: FactorsIn) -> Any:
    """A trustee's decryption factors of the closed poll's sum (what `councils trustee decrypt`
    printed). With the threshold's factors the result is combined and the poll counted."""
    poll = services.trustee_factors_post(
        actor=request.auth,
        poll=_poll(request, slug, poll_id),
        index=payload.index,
        factors={"factors": payload.factors, "index": payload.index},
    )
    return _detail(poll)


@router.post(
    "/organizations/{slug}/polls/{poll_id}/embedded-decrypt", response={200: PollDetailOut, **WRITE_ERRORS}
)
def poll_embedded_decrypt(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """The server's own trustee decrypts the closed poll's sum (officers), from its key file."""
    return _detail(services.embedded_trustee_decrypt(actor=request.auth, poll=_poll(request, slug, poll_id)))
