"""Proxies for a sitting through the API: list the live ones (the chair sees all, a deputy those
they gave or hold), hand one's vote for the sitting (the chair: record a paper proxy), withdraw.
Each calls one service, which checks who may."""

from __future__ import annotations

from typing import Any

import rules
from django.shortcuts import get_object_or_404
from ninja import Router

from councils.accounts.actors import is_person
from councils.deliberation import selectors, services
from councils.deliberation.api.reads import _sitting
from councils.deliberation.models import SittingProxy
from councils.deliberation.schemas import SittingProxyIn, SittingProxyOut
from councils.federation.api._common import ERRORS, WRITE_ERRORS, ApiRequest
from councils.federation.models import Member

router = Router(tags=["deliberation"])

PROXIES = "/organizations/{slug}/sittings/{sitting_id}/proxies"


@router.get(PROXIES, response={200: list[SittingProxyOut], **ERRORS})
def proxy_list(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """The sitting's live proxies: all of them for its chair, else those the caller gave or holds."""
    sitting = _sitting(request, slug, sitting_id)
    if rules.has_perm("deliberation.chair", request.auth, sitting):
        return selectors.live_proxies(sitting=sitting)
    seat = selectors.seat_of(user=request.auth, council=sitting.council)
    if seat is None or not is_person(request.auth):
        return []
    return selectors.live_proxies(sitting=sitting, member_id=seat.holder_id)


@router.post(PROXIES, response={201: SittingProxyOut, **WRITE_ERRORS})
def proxy_give(request: ApiRequest, slug: str, sitting_id: int, payload: SittingProxyIn) -> Any:
    """Hand your vote for the sitting to ``holder`` (the chair may name the ``giver``)."""
    sitting = _sitting(request, slug, sitting_id)
    holder = get_object_or_404(Member, organization_id=sitting.organization_id, pk=payload.holder)
    giver = None
    if payload.giver is not None:
        giver = get_object_or_404(Member, organization_id=sitting.organization_id, pk=payload.giver)
    proxy = services.sitting_proxy_give(actor=request.auth, sitting=sitting, holder=holder, giver=giver)
    return 201, proxy


@router.post(f"{PROXIES}/{{proxy_id}}/withdraw", response={200: SittingProxyOut, **WRITE_ERRORS})
def proxy_withdraw(request: ApiRequest, slug: str, sitting_id: int, proxy_id: int) -> Any:
    """Take back a vote handed for the sitting (the giver, or the chair)."""
    sitting = _sitting(request, slug, sitting_id)
    proxy = get_object_or_404(SittingProxy, sitting=sitting, pk=proxy_id)
    return services.sitting_proxy_withdraw(actor=request.auth, proxy=proxy)
