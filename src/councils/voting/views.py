"""The poll pages: the list, a new poll, a poll (its rules, electorate, turnout, booth, result),
voting, the officers' actions and the exports. Thin: each looks up, calls one service or
selector, renders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from councils.federation.errors import NotAllowed
from councils.federation.models import Council, Member, Organization
from councils.voting import charts, exports, records, secret_views, selectors, services
from councils.voting.errors import AlreadyVoted
from councils.voting.forms import PollCreateForm, ballot_from_post
from councils.voting.models import Poll
from councils.web.views._common import _organization_page, _validation_messages

ACTIONS: dict[str, Callable[..., Poll]] = {
    "open": services.poll_open,
    "close": services.poll_close,
    "count": services.poll_count,
    "publish": services.poll_publish,
    "cancel": services.poll_cancel,
}


#: Polls a page, in each of the list's two parts.
POLLS_PER_PAGE = 25


@require_GET
@_organization_page
def poll_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's polls: open ones first, then the rest, newest first, each part a page at
    a time (a number out of range shows the last page, never an error)."""
    queryset = selectors.polls(organization=organization)
    open_now = selectors.open_now()
    open_page = Paginator(queryset.filter(open_now), POLLS_PER_PAGE).get_page(request.GET.get("open_page"))
    other_page = Paginator(queryset.exclude(open_now), POLLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "voting/polls.html",
        {
            "organization": organization,
            "open_polls": list(open_page),
            "open_page": open_page,
            "other_polls": list(other_page),
            "other_page": other_page,
            "may_manage": selectors.may_manage(actor=request.user, poll=organization),
        },
    )


@require_http_methods(["GET", "POST"])
@_organization_page
def poll_new(request: HttpRequest, organization: Organization) -> HttpResponse:
    """Create a poll (organizers and returning officers)."""
    if not selectors.may_manage(actor=request.user, poll=organization):
        raise NotAllowed(_(services.NOT_OFFICER))
    form = PollCreateForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(
                actor=request.user, organization=organization, **form.service_arguments()
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("The poll is created as a draft. Open it when the electorate is ready.")
            )
            return redirect("poll", organization.slug, poll.pk)
    return render(request, "voting/poll_new.html", {"organization": organization, "form": form})


def poll_context(request: HttpRequest, organization: Organization, poll: Poll) -> dict[str, Any]:
    """What the poll page shows: rules, electorate, turnout, the booth, the officers' tools, the result."""
    may_manage = selectors.may_manage(actor=request.user, poll=poll)
    state = poll.current_state
    candidates = selectors.candidates(poll=poll)
    member, elector, participation = selectors.elector_of(poll=poll, user=request.user)
    held = selectors.proxies_held(poll=poll, member=member) if member and state == Poll.State.OPEN else []
    turnout = selectors.turnout(poll=poll) if poll.opened_at else None
    listed = turnout is not None and turnout.electors <= selectors.ELECTORS_LISTED
    electorate = selectors.electorate(poll=poll) if listed else []
    context: dict[str, Any] = {
        "organization": organization,
        "poll": poll,
        "state": state,
        "candidates": candidates,
        "ranks": range(1, len(candidates) + 1),
        "member": member,
        "elector": elector,
        "participation": participation,
        "participation_text": "",
        "proxies_held": [p for p in held if not p.voted],  # type: ignore[attr-defined]
        "electorate": electorate,
        "electorate_parts": selectors.electorate_parts(poll=poll)
        if poll.electorate_organization and poll.opened_at
        else [],
        "turnout": turnout,
        "electorate_listed": listed,
        "listed_at_most": selectors.ELECTORS_LISTED,
        "may_manage": may_manage,
        "not_voted": [e for e in electorate if not e.voted]
        if may_manage and state == Poll.State.OPEN and not poll.is_secret
        else [],
        "idempotency_key": uuid.uuid4().hex,
        "steps": records.poll_steps(poll=poll),
        "result": None,
        "named_votes": [],
        "actions": _actions(poll, state) if may_manage else [],
        "proxy_candidates": [e for e in electorate if member and e.member_id != member.pk],
        "roll_call_options": (
            ["yes", "no", "abstain"]
            if poll.kind == Poll.Kind.MOTION
            else [(str(c.pk), c.name) for c in candidates]
        ),
    }
    if poll.is_secret:
        context.update(
            secret_views.secret_context(
                request,
                organization,
                poll,
                elector=elector,
                participation=participation,
                proxies_held=context["proxies_held"],
                may_manage=may_manage,
                state=state,
            )
        )
    if participation is not None and not poll.is_secret:
        names = {c.pk: c.name for c in candidates}
        context["participation_text"] = selectors.describe_ballot(poll, participation.ballot, names)[0]
    if poll.running_result and not poll.is_secret and state == Poll.State.OPEN:
        context["running"] = selectors.running_result(poll=poll)
        context["running_chart"] = charts.bar_chart(
            context["running"],
            title=_("First preferences so far") if poll.is_ranked else _("Votes so far"),
        )
    if poll.result and selectors.result_visible(actor=request.user, poll=poll):
        context.update(result_context(poll))
    if not poll.is_secret and state in (Poll.State.CLOSED, Poll.State.COUNTED, Poll.State.PUBLISHED):
        context["named_votes"] = selectors.named_votes(poll=poll)
    return context


def result_context(poll: Poll) -> dict[str, Any]:
    """The result's pictures and tables: the last stage's bars, the stages with their transfers."""
    result = poll.result or {}
    stages = result.get("stages") or []
    last = stages[-1] if stages else {"votes": {}}
    names = result.get("candidates") or ["yes", "no", "abstain"]
    elected = result.get("elected", [])
    excluded = [n for s in stages for n in s.get("excluded", [])]
    context: dict[str, Any] = {
        "result": result,
        "result_chart": charts.bar_chart(
            {n: last["votes"].get(n, "0") for n in names},
            elected=elected,
            excluded=excluded,
            quota=result.get("quota"),
            title=_("Votes at the last stage"),
        ),
        "stages": stages,
        "stage_names": names,
        "stage_table": [
            (
                name,
                [
                    (
                        charts.shown(charts.number(s["votes"].get(name, 0))),
                        charts.signed(charts.number(s.get("transfers", {}).get(name, 0))),
                    )
                    for s in stages
                ],
            )
            for name in names
        ],
    }
    if len(stages) > 1:
        context["stages_chart"] = charts.stages_chart(names, stages)
    table = result.get("apportionment")
    if table:
        # A list election's apportionment of seats (councils.voting.handlers.lists), in words.
        method = table.get("method", "")
        context["apportionment_method"] = (
            Council.Apportionment(method).label if method in Council.Apportionment.values else method
        )
        context["apportionment_threshold"] = f"{float(table.get('threshold') or 0) * 100:g} %"
    return context


def _actions(poll: Poll, state: str) -> list[tuple[str, str]]:
    found = []
    if state == Poll.State.DRAFT:
        found.append(("open", _("Open the poll (fixes the electorate now)")))
    if poll.state == Poll.State.OPEN:
        found.append(("close", _("Close the poll")))
    if state == Poll.State.CLOSED and not poll.is_secret:
        found.append(("count", _("Count the votes")))
    if state == Poll.State.COUNTED:
        found.append(("publish", _("Publish the result")))
    if state not in (Poll.State.PUBLISHED, Poll.State.CANCELLED):
        found.append(("cancel", _("Cancel the poll")))
    return found


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in _validation_messages(exc):
        messages.error(request, message)


def _poll(organization: Organization, poll_id: int) -> Poll:
    return selectors.poll_get(organization=organization, poll_id=poll_id)


@require_GET
@_organization_page
def poll_page(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """A poll: its rules stated before anyone votes, its electorate and turnout (live), the booth for
    an elector, the officers' tools, and once published its result with every stage."""
    poll = _poll(organization, poll_id)
    return render(request, "voting/poll.html", poll_context(request, organization, poll))


@require_POST
@_organization_page
def poll_vote(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """The booth's form: cast the ballot (for oneself, or for a deputy whose proxy one holds)."""
    poll = _poll(organization, poll_id)
    principal = None
    principal_id = request.POST.get("principal", "")
    if principal_id.isdigit():
        principal = Member.objects.filter(organization=organization, pk=int(principal_id)).first()
    try:
        ballot = ballot_from_post(poll, request.POST)
        outcome = services.ballot_cast(
            actor=request.user,
            poll=poll,
            ballot=ballot,
            principal=principal,
            idempotency_key=request.POST.get("key", ""),
        )
    except ValidationError as exc:
        _refused(request, exc)
    except AlreadyVoted as exc:
        messages.error(request, str(exc))
    else:
        if outcome.replayed:
            messages.info(request, _("Your vote had already been taken; it stands as first cast."))
        else:
            messages.success(request, _("Your vote is taken."))
    return redirect("poll", organization.slug, poll.pk)


@require_POST
@_organization_page
def poll_action(request: HttpRequest, organization: Organization, poll_id: int, action: str) -> HttpResponse:
    """An officer's step in the poll's life: open, close, count, publish, cancel."""
    service = ACTIONS.get(action)
    if service is None:
        raise Http404(action)
    poll = _poll(organization, poll_id)
    try:
        service(actor=request.user, poll=poll)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Done: the poll is now %(state)s.")
            % {"state": _poll(organization, poll_id).get_current_state_display()},
        )
    return redirect("poll", organization.slug, poll.pk)


@require_POST
@_organization_page
def poll_proxy(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """Hand one's vote in this poll to another deputy."""
    poll = _poll(organization, poll_id)
    holder = Member.objects.filter(organization=organization, pk=int(request.POST.get("holder") or 0)).first()
    if holder is None:
        messages.error(request, _("Choose the deputy who will cast your vote."))
    else:
        try:
            services.proxy_give(actor=request.user, poll=poll, holder=holder)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("%(name)s will cast your vote.") % {"name": holder.name})
    return redirect("poll", organization.slug, poll.pk)


@require_POST
@_organization_page
def poll_roll_call(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """A chair enters a vote by hands or on paper: each named elector's answer, and/or totals."""
    poll = _poll(organization, poll_id)
    votes: dict[int, dict[str, Any]] = {}
    totals: dict[str, int] | None = None
    try:
        for name in request.POST:
            value = request.POST.get(name, "")
            if name.startswith("vote-") and name[5:].isdigit() and value:
                votes[int(name[5:])] = {"answer": value}
            elif name.startswith("total-") and value.strip():
                if not value.strip().isdigit():
                    raise ValidationError({"totals": _("Totals are whole numbers, 0 or more.")})
                totals = totals or {}
                totals[name[6:]] = int(value)
        services.poll_roll_call_enter(actor=request.user, poll=poll, votes=votes, totals=totals)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The roll call is entered."))
    return redirect("poll", organization.slug, poll.pk)


EXPORTS = {"results", "votes", "stages", "electorate"}


@require_GET
@_organization_page
def poll_export(
    request: HttpRequest, organization: Organization, poll_id: int, what: str, fmt: str
) -> HttpResponse:
    """Results, named votes or the stage table as CSV or JSON; the electorate fixed at opening as
    CSV; a closed ranked open poll's ballots as BLT."""
    poll = _poll(organization, poll_id)
    filename = f"poll-{poll.pk}-{what}.{fmt}"
    if what == "ballots" and fmt == "blt":
        if (
            poll.is_secret
            or not poll.is_ranked
            or poll.current_state not in (Poll.State.CLOSED, Poll.State.COUNTED, Poll.State.PUBLISHED)
        ):
            raise NotAllowed(_("Only a closed ranked open poll exports its ballots as BLT."))
        return _download(exports.blt(poll), "text/plain; charset=utf-8", filename)
    if what not in EXPORTS or fmt not in ("csv", "json"):
        raise Http404(what)
    if what == "electorate":
        if not poll.opened_at or fmt != "csv":
            raise Http404(what)
        electors = selectors.electorate_rows(poll=poll)
        return _download(
            exports.to_csv(["elector", "constituency", "weight"], electors),
            "text/csv; charset=utf-8",
            filename,
        )
    if what == "votes":
        if poll.is_secret or poll.current_state in (Poll.State.DRAFT, Poll.State.OPEN):
            raise NotAllowed(_("Who voted how is shown once an open poll closes."))
        if fmt == "json":
            return _download(exports.to_json(exports.votes_json(poll)), "application/json", filename)
        return _download(exports.to_csv(*exports.votes_rows(poll)), "text/csv; charset=utf-8", filename)
    if not poll.result or not selectors.result_visible(actor=request.user, poll=poll):
        raise NotAllowed(_("The result is shown once it is published."))
    if fmt == "json":
        data = poll.result if what == "results" else poll.result.get("stages", [])
        return _download(exports.to_json(data), "application/json", filename)
    rows = exports.results_rows(poll) if what == "results" else exports.stage_rows(poll)
    return _download(exports.to_csv(*rows), "text/csv; charset=utf-8", filename)


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
