"""The endpoints that create the polls deciding a federation election (returning officers): an
election of deputies or delegates by a poll, and a list election. Each finds what its URL and body
name, then calls the purpose's service; ``councils.api`` maps the errors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from councils.federation.access import organization_for
from councils.federation.api._common import WRITE_ERRORS, ApiRequest
from councils.federation.models import Election, Faction, Member, Organization
from councils.voting import selectors
from councils.voting.api import _detail
from councils.voting.handlers.elections import election_poll_create
from councils.voting.handlers.lists import list_poll_create
from councils.voting.models import Poll
from councils.voting.schemas import PollDetailOut

router = Router(tags=["voting"])


class _PollRulesIn(Schema):
    title: str = Field("", max_length=300, description="Empty: a title naming the election.")
    description: str = ""
    secrecy: Poll.Secrecy = Poll.Secrecy.OPEN
    quorum: Poll.Quorum = Poll.Quorum.NONE
    quorum_value: Decimal | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class StandingIn(Schema):
    member: int = Field(description="The candidate's member id.")
    faction: int | None = Field(None, description="The id of the faction they stand for, if any.")


class ElectionPollIn(_PollRulesIn):
    method: Poll.Method
    candidates: list[StandingIn] = Field(description="In ballot order.")
    weighting: Poll.Weighting = Poll.Weighting.EQUAL


class ListIn(Schema):
    faction: int = Field(description="The id of the faction standing the list.")
    members: list[int] = Field(description="Member ids in the order they take the list's seats.")


class ListPollIn(_PollRulesIn):
    lists: list[ListIn]
    method: str = Field("", description="An apportionment method; empty: the council's.")
    threshold: Decimal = Field(Decimal(0), description="The share of the votes a list needs (0.05 for 5%).")
    whole_organization: bool = Field(
        False,
        description="The members of the whole organization vote, not only the constituency's "
        "(organizers only); the candidates are still the constituency's members.",
    )


def _election(request: ApiRequest, slug: str, election_id: int) -> tuple[Organization, Election]:
    organization = organization_for(request.auth, slug)
    return organization, get_object_or_404(Election, organization=organization, pk=election_id)


def _faction(organization: Organization, pk: int | None, field: str) -> Faction | None:
    if pk is None:
        return None
    found = Faction.objects.filter(organization=organization, pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("No faction %(id)s here.") % {"id": pk}]})
    return found


def _members(organization: Organization, ids: list[int], field: str) -> list[Member]:
    found = Member.objects.in_bulk(ids)
    for pk in ids:
        if pk not in found or found[pk].organization_id != organization.pk:
            raise ValidationError({field: [_("No member %(id)s here.") % {"id": pk}]})
    return [found[pk] for pk in ids]


def _rules(payload: _PollRulesIn) -> dict[str, Any]:
    return {
        "title": payload.title,
        "description": payload.description,
        "secrecy": payload.secrecy,
        "quorum": payload.quorum,
        "quorum_value": payload.quorum_value,
        "opens_at": payload.opens_at,
        "closes_at": payload.closes_at,
    }


@router.post(
    "/organizations/{slug}/elections/{election_id}/polls", response={201: PollDetailOut, **WRITE_ERRORS}
)
def election_poll(request: ApiRequest, slug: str, election_id: int, payload: ElectionPollIn) -> Any:
    """Create, in draft, the poll electing an open election's seats: a constituency's members
    electing its deputies, or a child council's deputies electing its delegates (returning officers).
    The published result fills the seats."""
    organization, election = _election(request, slug, election_id)
    members = _members(organization, [c.member for c in payload.candidates], "candidates")
    standing = [
        (m, _faction(organization, c.faction, "candidates"))
        for m, c in zip(members, payload.candidates, strict=True)
    ]
    poll = election_poll_create(
        actor=request.auth,
        election=election,
        method=payload.method,
        candidates=standing,
        weighting=payload.weighting,
        **_rules(payload),
    )
    return Status(201, _detail(selectors.poll_get(organization=organization, poll_id=poll.pk)))


@router.post(
    "/organizations/{slug}/elections/{election_id}/list-polls", response={201: PollDetailOut, **WRITE_ERRORS}
)
def list_poll(request: ApiRequest, slug: str, election_id: int, payload: ListPollIn) -> Any:
    """Create, in draft, a list election of an open constituency election's seats: the members (of
    the constituency, or with `whole_organization` of the whole organization) vote for one list; the
    seats are apportioned by the method and threshold, then filled from each list in order
    (returning officers; organizers for the whole organization)."""
    organization, election = _election(request, slug, election_id)
    lists = []
    for row in payload.lists:
        faction = _faction(organization, row.faction, "lists")
        assert faction is not None
        lists.append((faction, _members(organization, row.members, "lists")))
    poll = list_poll_create(
        actor=request.auth,
        election=election,
        lists=lists,
        method=payload.method,
        threshold=payload.threshold,
        electorate_organization=payload.whole_organization,
        **_rules(payload),
    )
    return Status(201, _detail(selectors.poll_get(organization=organization, poll_id=poll.pk)))
