"""A secret poll's pages: its booth's data and the cast it posts, the tracker check, the board's
download, the statement of what the secrecy protects against, and the decryption by trustees.

The booth (``web/static/web/booth.js``) encrypts in the browser and posts JSON here; the server
never receives a choice. Thin: each view looks up, calls one service or selector, answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from councils.federation.models import Member, Organization
from councils.voting import selectors, services
from councils.voting.errors import AlreadyVoted
from councils.voting.models import BoardEvent, Poll, SecretTally, Trustee, TrusteeCommittee
from councils.web.views._common import _organization_page, _validation_messages

TRACKER = re.compile(r"^[0-9a-f]{64}$")
#: Below this many electors the result itself may tell how someone voted: the page warns.
SMALL_ELECTORATE = 10


@dataclass(frozen=True)
class Secrecy:
    """What a committee's make-up protects against: ``kind`` is ``trustees`` (human trustees
    only), ``embedded`` (the server holds one share; humans are still needed) or ``operator``
    (the server's shares alone decrypt: no secrecy against its operator)."""

    kind: str
    threshold: int
    size: int
    humans_needed: int


def secrecy_of(committee: TrusteeCommittee) -> Secrecy:
    """Read the committee's trustees: how many shares the server holds against the threshold."""
    embedded = sum(1 for t in committee.trustees.all() if t.member_id is None)
    needed = max(0, committee.threshold - embedded)
    kind = "trustees" if embedded == 0 else ("embedded" if needed else "operator")
    return Secrecy(kind, committee.threshold, committee.size, needed)


def _board_event(poll: Poll, **lookup: Any) -> BoardEvent | None:
    return BoardEvent.objects.filter(poll=poll, **lookup).first()


def board_state(poll: Poll) -> tuple[str, int]:
    """The board's head and length now (the live tally's while the poll is open)."""
    live = SecretTally.objects.filter(poll=poll).values_list("head", "length").first()
    return (live[0], live[1]) if live else (poll.board_head, poll.board_length)


def answer_labels(poll: Poll) -> list[str]:
    """The booth's answers in the question's order: yes, no, abstain; or the candidates."""
    if poll.kind == Poll.Kind.MOTION:
        return [_("Yes"), _("No"), _("Abstain")]
    return [c.name for c in selectors.candidates(poll=poll)]


def _booth_texts() -> dict[str, str]:
    # What booth.js says, translated here (the script holds no words of its own).
    return {
        "encrypted": _(
            "Your ballot is encrypted. Note its tracker to check later that it was counted; then "
            "cast it, or audit it to check the encryption."
        ),
        "sending": _("Sending your encrypted ballot…"),
        "acknowledged": _("Your ballot is cast and on the board."),
        "replayed": _(
            "Your ballot had already been taken (the first answer was lost on the way); "
            "it stands as first cast."
        ),
        "retrying": _(
            "No answer from the server. Your ballot is kept in this browser and goes again in %(seconds)s s."
        ),
        "kept": _(
            "The server cannot be reached. Your encrypted ballot is kept in this browser: send it again "
            "now, or open this page later and it is sent."
        ),
        "resending": _(
            "A ballot cast from this browser was not yet acknowledged: the same ballot goes again."
        ),
        "refused": _("The server refused the ballot."),
        "mismatch": _(
            "The server's receipt names the tracker %(theirs)s, not your ballot's %(mine)s: tell the "
            "poll's officers."
        ),
        "audited": _(
            "This ballot is revealed and will never be cast. Keep the text below to check it, then "
            "encrypt your choice afresh."
        ),
        "copied": _("Copied."),
        "afresh": _("Choose, then encrypt your ballot afresh."),
        "choose": _("Mark your choice as the question asks, then encrypt it."),
        "cast_for": _("Cast for %(name)s."),
        "checking": _("checking…"),
        "tracker_counted": _("on the board (event %(seq)s)."),
        "tracker_withdrawn": _("on the board, withdrawn (a later ballot replaced it)."),
        "tracker_missing": _("NOT on the board: tell the poll's officers."),
        "tracker_unknown": _("could not be checked now."),
    }


def secret_context(
    request: HttpRequest,
    organization: Organization,
    poll: Poll,
    *,
    elector: Any,
    participation: Any,
    proxies_held: list[Any],
    may_manage: bool,
    state: str,
) -> dict[str, Any]:
    """What a secret poll's page adds: the secrecy statement, the board, and for an elector the
    booth's data (question, key, fingerprint, where to post) as JSON for booth.js."""
    committee = poll.committee
    head, length = board_state(poll)
    board_url = request.build_absolute_uri(reverse("poll_board", args=[organization.slug, poll.pk]))
    context: dict[str, Any] = {
        "secrecy": secrecy_of(committee) if committee else None,
        "board_head": head,
        "board_length": length,
        "board_url": board_url,
        "verify_command": f"councils verify-poll {board_url}",
        "audit_command": f"councils verify-poll {board_url} --audit audited-ballot.json",
        "small_electorate": SMALL_ELECTORATE,
        "booth": None,
        "secret_answers": [],
        "decryption": None,
    }
    setup = _board_event(poll, seq=0) if poll.fingerprint else None
    if setup is not None and state == Poll.State.OPEN and committee and (elector or proxies_held):
        context["secret_answers"] = answer_labels(poll)
        context["booth"] = {
            "scope": str(request.user.pk),
            "fingerprint": poll.fingerprint,
            "electionKey": committee.election_key,
            "question": setup.body["question"],
            "castUrl": reverse("poll_secret_ballot", args=[organization.slug, poll.pk]),
            "trackerUrl": reverse("poll_tracker", args=[organization.slug, poll.pk]),
            "csrfToken": get_token(request),
            "may_vote": bool(elector and not participation) or bool(proxies_held),
            "text": _booth_texts(),
        }
    if committee and state in (Poll.State.CLOSED, Poll.State.COUNTED, Poll.State.PUBLISHED):
        posted = set(
            BoardEvent.objects.filter(poll=poll, type="partial_decryption").values_list(
                "body__index", flat=True
            )
        )
        trustees = list(committee.trustees.select_related("member").all())
        mine = [t for t in trustees if _is_trustee(request, t)]
        context["decryption"] = {
            "posted": len(posted),
            "threshold": committee.threshold,
            "trustees": [(t, t.index in posted) for t in trustees],
            "mine": [t for t in mine if t.index not in posted],
            "embedded": may_manage and any(t.member_id is None and t.index not in posted for t in trustees),
            "done": len(posted) >= committee.threshold,
        }
    return context


def _is_trustee(request: HttpRequest, trustee: Trustee) -> bool:
    """May this user take the trustee's step here (the trustee, or an officer relaying for a
    trustee without an account; the server's own trustee has its own button)?"""
    return trustee.member_id is not None and bool(
        rules.has_perm("voting.trustee_step", request.user, trustee)
    )


def _poll(organization: Organization, poll_id: int) -> Poll:
    return selectors.poll_get(organization=organization, poll_id=poll_id)


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@require_POST
@_organization_page
def poll_secret_ballot(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """The booth's cast: JSON ``{"ballot": {...}, "principal": id | null}`` with an
    ``Idempotency-Key`` header; answers ``{"tracker", "board_head", "replayed"}`` or
    ``{"error"}`` with 4xx (409 names the tracker that stands). The body is never logged."""
    poll = _poll(organization, poll_id)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(_("The ballot is not JSON."), 400)
    if not isinstance(payload, dict) or not isinstance(payload.get("ballot"), dict):
        return _error(_("The request carries no ballot."), 400)
    principal = None
    principal_id = payload.get("principal")
    if principal_id not in (None, ""):
        principal = Member.objects.filter(organization=organization, pk=_int(principal_id)).first()
        if principal is None:
            return _error(_("There is no such member to vote for."), 400)
    try:
        receipt = services.secret_ballot_cast(
            actor=request.user,
            poll=poll,
            ballot=payload["ballot"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            principal=principal,
        )
    except ValidationError as exc:
        return _error(" ".join(_validation_messages(exc)), 400)
    except AlreadyVoted as exc:
        return _error(str(exc), 409, tracker=getattr(exc, "tracker", ""))
    except PermissionDenied as exc:
        return _error(str(exc) or _("You may not vote in this poll."), 403)
    body = {"tracker": receipt.tracker, "board_head": receipt.board_head, "replayed": receipt.replayed}
    return JsonResponse(body, status=200 if receipt.replayed else 201)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@_organization_page
def poll_tracker(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """Is this tracker on the poll's board? For a person, a page; for the booth (JSON), the ballot's
    board event itself, whose hash and tracker the booth recomputes."""
    poll = _poll(organization, poll_id)
    tracker = request.GET.get("tracker", "").strip().lower()
    head, length = board_state(poll)
    board_url = request.build_absolute_uri(reverse("poll_board", args=[organization.slug, poll.pk]))
    valid = bool(TRACKER.match(tracker))
    event = _board_event(poll, type="ballot", tracker=tracker) if valid else None
    withdrawn = (
        event is not None
        and BoardEvent.objects.filter(poll=poll, type="ballot_withdrawn", body__tracker=tracker).exists()
    )
    if _wants_json(request):
        if not valid:
            return _error(_("A tracker is 64 hexadecimal digits."), 400)
        found: dict[str, Any] = {"found": event is not None, "withdrawn": withdrawn}
        if event is not None:
            found["event"] = {
                "body": event.body,
                "hash": event.hash,
                "prev": event.prev,
                "seq": event.seq,
                "type": event.type,
            }
        return JsonResponse(found | {"board_head": head, "board_length": length})
    return render(
        request,
        "voting/tracker.html",
        {
            "organization": organization,
            "poll": poll,
            "tracker": tracker,
            "valid": valid,
            "event": event,
            "withdrawn": withdrawn,
            "board_head": head,
            "board_length": length,
            "verify_command": f"councils verify-poll {board_url}"
            + (f" --tracker {tracker}" if valid else ""),
        },
    )


@require_GET
@_organization_page
def poll_board(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponseBase:
    """The poll's board as ``board.json`` (what ``councils verify-poll`` and the trustees read)."""
    poll = _poll(organization, poll_id)
    if not poll.is_secret or not poll.fingerprint:
        return _error(_("Only an opened secret poll has a board."), 404)
    # Streamed: a board of 100,000 ballots weighs about 150 MB.
    response = StreamingHttpResponse(services.board_json_chunks(poll), content_type="application/json")
    if not _wants_json(request):
        response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-board.json"'
    return response


@require_http_methods(["GET", "POST"])
@_organization_page
def poll_decrypt(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """A trustee's decryption step: the board to download, the command that decrypts its sum on the
    trustee's own computer, and a form for the factors it writes (the key never comes here)."""
    poll = _poll(organization, poll_id)
    committee = poll.committee
    if committee is None:
        return redirect("poll", organization.slug, poll.pk)
    trustees = [t for t in committee.trustees.select_related("member") if _is_trustee(request, t)]
    if not trustees:
        raise PermissionDenied(_("Only this poll's trustees decrypt it."))
    if request.method == "POST":
        trustee = next((t for t in trustees if t.index == _int(request.POST.get("index"))), trustees[0])
        try:
            factors = _uploaded_json(request, "factors")
            services.trustee_factors_post(actor=request.user, poll=poll, index=trustee.index, factors=factors)
        except ValidationError as exc:
            for message in _validation_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Your decryption factors are on the board."))
            return redirect("poll", organization.slug, poll.pk)
    return render(
        request,
        "voting/trustee_decrypt.html",
        {
            "organization": organization,
            "poll": poll,
            "trustees": trustees,
            "state": poll.current_state,
            "commands": [
                f"councils trustee decrypt board.json --key trustee-{t.index}.key --out factors.json"
                for t in trustees
            ],
        },
    )


@require_POST
@_organization_page
def poll_embedded_decrypt(request: HttpRequest, organization: Organization, poll_id: int) -> HttpResponse:
    """An officer asks the server's own trustee to post its factors (from its key file)."""
    poll = _poll(organization, poll_id)
    try:
        services.embedded_trustee_decrypt(actor=request.user, poll=poll)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The server's trustee has posted its decryption factors."))
    return redirect("poll", organization.slug, poll.pk)


def _uploaded_json(request: HttpRequest, field: str) -> dict[str, Any]:
    """A trustee's message from the uploaded file, or else the pasted text."""
    upload = request.FILES.get("file")
    text = upload.read(1_000_000).decode("utf-8", "replace") if upload else request.POST.get("text", "")
    if not text.strip():
        raise ValidationError({field: _("Choose the file the command wrote, or paste its text.")})
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError({field: _("This is not JSON: %(error)s") % {"error": exc}}) from exc
    if not isinstance(value, dict):
        raise ValidationError({field: _("Expected a JSON object, as the command writes it.")})
    return value
