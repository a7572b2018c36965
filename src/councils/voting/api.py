"""The voting endpoints: polls, their life (officers), casting with an idempotency key, results,
who has not voted, named votes. Each finds what its URL names, then calls one service or selector;
``councils.api`` maps the errors (``AlreadyVoted`` is 409)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from councils.federation.access import organization_for
from councils.federation.api._common import ERRORS, WRITE_ERRORS, ApiRequest, paginated
from councils.federation.errors import NotAllowed
from councils.federation.models import Constituency, Council, Member
from councils.federation.schemas import Message
from councils.voting import selectors, services
from councils.voting.models import Poll
from councils.voting.schemas import (
    BallotIn,
    CancelIn,
    CastOut,
    ElectorOut,
    NamedVoteOut,
    PollDetailOut,
    PollIn,
    PollOut,
    ProxyIn,
    ProxyOut,
    ResultOut,
    RollCallIn,
    RunningOut,
    SecretCastOut,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

router = Router(tags=["voting"])

CAST_ERRORS = {**WRITE_ERRORS, 409: Message}


def _poll(request: ApiRequest, slug: str, poll_id: int) -> Poll:
    organization = organization_for(request.auth, slug)
    return selectors.poll_get(organization=organization, poll_id=poll_id)


def _detail(poll: Poll) -> Poll:
    """The poll with what PollDetailOut reads beside its fields (its candidates, turnout)."""
    poll.candidate_list = selectors.candidates(poll=poll)  # type: ignore[attr-defined]
    poll.turnout_now = selectors.turnout(poll=poll) if poll.opened_at else None  # type: ignore[attr-defined]
    return poll


@router.get("/organizations/{slug}/polls", response={200: list[PollOut], **ERRORS})
@paginated
def poll_list(request: ApiRequest, slug: str, state: Poll.State | None = None) -> Any:
    """The organization's polls, newest first, 50 a page (`page=1, 2, ...`); `state` filters by
    the stored state."""
    return selectors.polls(organization=organization_for(request.auth, slug), state=state)


@router.post("/organizations/{slug}/polls", response={201: PollDetailOut, **WRITE_ERRORS})
def poll_create(request: ApiRequest, slug: str, payload: PollIn) -> Any:
    """Create a poll in draft (organizers and returning officers). Name the electorate by `council`
    (its deputies vote), `constituency` (its members vote) or `whole_organization` (every member
    votes; organizers only)."""
    organization = organization_for(request.auth, slug)
    council = constituency = None
    if payload.council:
        council = Council.objects.filter(organization=organization, slug=payload.council).first()
        if council is None:
            raise ValidationError({"council": [_("No council %(s)s here.") % {"s": payload.council}]})
    if payload.constituency:
        constituency = Constituency.objects.filter(
            organization=organization, slug=payload.constituency
        ).first()
        if constituency is None:
            raise ValidationError(
                {"constituency": [_("No constituency %(s)s here.") % {"s": payload.constituency}]}
            )
    poll = services.poll_create(
        actor=request.auth,
        organization=organization,
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        method=payload.method or "",
        seats=payload.seats,
        candidates=payload.candidates,
        secrecy=payload.secrecy,
        majority=payload.majority,
        majority_base=payload.majority_base or "",
        abstentions=payload.abstentions,
        quorum=payload.quorum,
        quorum_value=payload.quorum_value,
        weighting=payload.weighting,
        running_result=payload.running_result,
        electorate_council=council,
        electorate_constituency=constituency,
        electorate_organization=payload.whole_organization,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )
    return Status(201, _detail(selectors.poll_get(organization=organization, poll_id=poll.pk)))


@router.get("/organizations/{slug}/polls/{poll_id}", response={200: PollDetailOut, **ERRORS})
def poll_get(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """A poll with its rules, candidates and turnout."""
    return _detail(_poll(request, slug, poll_id))


def _transition(name: str, doc: str) -> None:
    service = getattr(services, f"poll_{name}")

    def endpoint(request: ApiRequest, slug: str, poll_id: int) -> Any:
        poll = service(actor=request.auth, poll=_poll(request, slug, poll_id))
        return _detail(poll)

    endpoint.__name__ = f"poll_{name}"
    endpoint.__doc__ = doc
    router.post(
        f"/organizations/{{slug}}/polls/{{poll_id}}/{name}", response={200: PollDetailOut, **WRITE_ERRORS}
    )(endpoint)


_transition("open", "Open a draft poll: its electorate is fixed now (officers).")
_transition("close", "Close an open poll: no vote is taken after (officers).")
_transition("count", "Count a closed open-ballot poll and store every stage (officers).")
_transition("publish", "Declare a counted poll's result (officers).")


@router.post("/organizations/{slug}/polls/{poll_id}/cancel", response={200: PollDetailOut, **WRITE_ERRORS})
def poll_cancel(request: ApiRequest, slug: str, poll_id: int, payload: CancelIn) -> Any:
    """Cancel a poll that is not published (officers)."""
    return _detail(
        services.poll_cancel(actor=request.auth, poll=_poll(request, slug, poll_id), reason=payload.reason)
    )


@router.post(
    "/organizations/{slug}/polls/{poll_id}/ballots",
    response={201: CastOut | SecretCastOut, 200: CastOut | SecretCastOut, **CAST_ERRORS},
)
def ballot_cast(
    request: ApiRequest,
    slug: str,
    poll_id: int,
    payload: BallotIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="Any unique string per ballot; a retry sends the same."
    ),
) -> Any:
    """Vote. 201 with the vote taken; a retry with the same `Idempotency-Key` gets 200 and the first
    answer (nothing new is stored); a voter who has voted gets 409 saying so; a poll that is not
    open, a voter outside the electorate or a ballot with too many marks gets 400 or 403, and
    nothing is stored.

    A secret poll takes `{"ballot": {...}}`, encrypted and proved in the booth, with an
    `Idempotency-Key`; it answers the receipt (`tracker`, `board_head`). A malformed ballot, a proof
    that fails or a ciphertext copied from another ballot is refused with 400 naming the part."""
    status, body = cast(request.auth, slug, poll_id, payload, idempotency_key)
    return Status(status, body)


def cast(
    actor: User, slug: str, poll_id: int, payload: BallotIn, idempotency_key: str
) -> tuple[int, dict[str, Any]]:
    """The cast as the endpoint answers it: (status, body), or the service's error raised for
    ``councils.api`` to map. Shared with the lean cast handler (:mod:`councils.lean.cast`), so
    that both paths find, check and cast alike."""
    # One query for the poll (the cast is the hot path): the service's elector row proves the caller
    # belongs to the organization; only a refusal asks the organization's access rule, for its message.
    poll = selectors.poll_by_slug(slug=slug, poll_id=poll_id)
    if poll is None:
        organization_for(actor, slug)
        raise Http404(poll_id)
    principal = None
    if payload.principal is not None:
        principal = Member.objects.filter(organization_id=poll.organization_id, pk=payload.principal).first()
        if principal is None:
            raise ValidationError({"principal": [_("No member %(id)s here.") % {"id": payload.principal}]})
    if poll.is_secret:
        return _secret_cast(actor, slug, poll, payload, principal, idempotency_key)
    try:
        outcome = services.ballot_cast(
            actor=actor,
            poll=poll,
            ballot=payload.plain(),
            principal=principal,
            idempotency_key=idempotency_key,
        )
    except NotAllowed:
        organization_for(actor, slug)  # an outsider is told so, as on every endpoint
        raise
    return _cast_answer(poll, outcome)


def cast_along(
    secret: str, slug: str, poll_id: int, payload: BallotIn | None, idempotency_key: str
) -> tuple[int, dict[str, Any]] | None:
    """For the lean cast, before its token is authenticated: the vote taken in the same statement
    as the token's read (``services.ballot_cast_along``), as the endpoint answers it; None when it
    was not taken there (``payload`` None: a body the endpoint refuses), and :func:`cast` must run
    once the token is authenticated. Either way the token's row is read here, once."""
    poll = selectors.poll_by_slug(slug=slug, poll_id=poll_id) if payload is not None else None
    if poll is None or payload is None or payload.principal is not None:
        services.elector_read_along(secret, poll_id)
        return None
    if poll.is_secret:
        if payload.ballot is None or payload.plain():
            services.elector_read_along(secret, poll_id)
            return None
        receipt = services.secret_ballot_cast_along(
            secret=secret, poll=poll, ballot=payload.ballot, idempotency_key=idempotency_key
        )
        return None if receipt is None else _secret_answer(receipt)
    outcome = services.ballot_cast_along(
        secret=secret, poll=poll, ballot=payload.plain(), idempotency_key=idempotency_key
    )
    return None if outcome is None else _cast_answer(poll, outcome)


def _cast_answer(poll: Poll, outcome: services.CastOutcome) -> tuple[int, dict[str, Any]]:
    row = outcome.participation
    body = {
        "poll": poll.pk,
        "participation": row.pk,
        "principal": row.principal_id,
        "weight": row.weight,
        "cast_at": row.cast_at,
        "replayed": outcome.replayed,
        "ballot": row.ballot,
    }
    return 200 if outcome.replayed else 201, body


@router.get("/organizations/{slug}/polls/{poll_id}/electorate", response={200: list[ElectorOut], **ERRORS})
def poll_electorate(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """The electorate fixed when the poll opened, with weights and who has voted."""
    return selectors.electorate(poll=_poll(request, slug, poll_id))


@router.get("/organizations/{slug}/polls/{poll_id}/not-voted", response={200: list[ElectorOut], **ERRORS})
def poll_not_voted(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """Who has not voted yet: for officers, in an open (named) poll while it is open."""
    poll = _poll(request, slug, poll_id)
    if not selectors.may_manage(actor=request.auth, poll=poll):
        raise NotAllowed(_(services.NOT_OFFICER))
    if poll.is_secret:
        raise NotAllowed(_("A secret poll shows only its turnout."))
    return selectors.not_voted(poll=poll)


@router.get("/organizations/{slug}/polls/{poll_id}/votes", response={200: list[NamedVoteOut], **ERRORS})
def poll_votes(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """Who voted how, in an open (named) poll once it has closed (while it is open, only if its
    rule shows the running result)."""
    poll = _poll(request, slug, poll_id)
    if poll.is_secret:
        raise NotAllowed(_("A secret poll has no named votes."))
    if poll.current_state in (Poll.State.DRAFT, Poll.State.OPEN) and not poll.running_result:
        raise NotAllowed(_("Who voted how is shown once the poll closes."))
    return selectors.named_votes(poll=poll)


@router.get("/organizations/{slug}/polls/{poll_id}/results", response={200: ResultOut, **ERRORS})
def poll_results(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """The count with every stage: once published (officers see it once counted)."""
    poll = _poll(request, slug, poll_id)
    if not selectors.result_visible(actor=request.auth, poll=poll):
        raise NotAllowed(_("The result is shown once it is published."))
    return {"poll": poll.pk, "state": poll.current_state, "result": poll.result or {}}


@router.get("/organizations/{slug}/polls/{poll_id}/running", response={200: RunningOut, **ERRORS})
def poll_running(request: ApiRequest, slug: str, poll_id: int) -> Any:
    """Turnout now, and the votes so far when the poll's rule shows a running result."""
    poll = _poll(request, slug, poll_id)
    votes = selectors.running_result(poll=poll) if poll.running_result and not poll.is_secret else None
    return {"poll": poll.pk, "turnout": selectors.turnout(poll=poll), "votes": votes}


@router.post("/organizations/{slug}/polls/{poll_id}/roll-call", response={200: PollDetailOut, **WRITE_ERRORS})
def poll_roll_call(request: ApiRequest, slug: str, poll_id: int, payload: RollCallIn) -> Any:
    """Enter a vote by hands or on paper: named votes per member and/or totals (officers)."""
    poll = services.poll_roll_call_enter(
        actor=request.auth, poll=_poll(request, slug, poll_id), votes=payload.votes, totals=payload.totals
    )
    return _detail(poll)


@router.post("/organizations/{slug}/polls/{poll_id}/proxies", response={201: ProxyOut, **WRITE_ERRORS})
def proxy_give(request: ApiRequest, slug: str, poll_id: int, payload: ProxyIn) -> Any:
    """Hand your vote in this poll to another deputy of its electorate."""
    poll = _poll(request, slug, poll_id)
    holder = get_object_or_404(Member, organization_id=poll.organization_id, pk=payload.holder)
    return Status(201, services.proxy_give(actor=request.auth, poll=poll, holder=holder))


def _secret_cast(
    actor: User, slug: str, poll: Poll, payload: BallotIn, principal: Member | None, key: str
) -> tuple[int, dict[str, Any]]:
    if payload.ballot is None or payload.plain():
        raise ValidationError({"ballot": [_(services.SECRET_CAST_ELSEWHERE)]})
    try:
        receipt = services.secret_ballot_cast(
            actor=actor, poll=poll, ballot=payload.ballot, principal=principal, idempotency_key=key
        )
    except NotAllowed:
        organization_for(actor, slug)
        raise
    return _secret_answer(receipt)


def _secret_answer(receipt: services.SecretReceipt) -> tuple[int, dict[str, Any]]:
    body = {
        "tracker": receipt.tracker,
        "board_head": receipt.board_head,
        "board_length": receipt.board_length,
        "replayed": receipt.replayed,
    }
    return 200 if receipt.replayed else 201, body


# The secret polls' endpoints join this router (their module imports it).
from councils.voting import api_secret  # noqa: E402, F401
