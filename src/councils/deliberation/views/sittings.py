"""The sittings' pages: the list (and planning), a sitting for its deputies and its chair, the
projector for the hall's screen, and the live state fragment both swap in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.accounts.actors import is_person
from councils.deliberation import selectors, services
from councils.deliberation.forms import (
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    SittingForm,
    SpeechRequestForm,
)
from councils.deliberation.models import AgendaItem, Amendment, Motion, Sitting, Speech
from councils.deliberation.views.polls import PollOpenForm, open_poll, poll_close_action, poll_open_action
from councils.federation.models import Council, Organization, Seat
from councils.web.views._common import _organization_page, _validation_messages


def _sitting(organization: Organization, sitting_id: int) -> Sitting:
    return get_object_or_404(
        Sitting.objects.select_related("council", "organization", "chair", "secretary"),
        organization=organization,
        pk=sitting_id,
    )


@_organization_page
def sittings(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's sittings, newest first; organizers plan one (or convene a congress) here."""
    may_plan = rules.has_perm("deliberation.plan_sitting", request.user, organization)
    councils = [(c.pk, c.name) for c in Council.objects.filter(organization=organization).order_by("name")]
    form = SittingForm(request.POST or None, councils=councils) if may_plan else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            council = Council.objects.get(organization=organization, pk=data["council"])
            plan = services.congress_convene if data["congress"] else services.sitting_create
            try:
                sitting = plan(
                    actor=request.user,
                    council=council,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    place=data["place"],
                    video_url=data["video_url"],
                    chair=request.user if is_person(request.user) else None,
                )
            except ValidationError as exc:
                for message in _validation_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The sitting %(title)s is planned.") % {"title": sitting.title})
                return redirect("sitting", organization.slug, sitting.pk)
        status = 400
    return render(
        request,
        "deliberation/sittings.html",
        {
            "organization": organization,
            "sittings": selectors.sittings(organization=organization),
            "form": form,
        },
        status=status,
    )


def _decision_subjects(state: selectors.SittingState) -> list[tuple[str, str]]:
    """What the chair can record a vote on: the current item's motion and its undecided amendments."""
    item = state.current
    if item is None or item.motion is None:
        return []
    motion = item.motion
    subjects = [
        (
            f"amendment-{a.pk}",
            _("Amendment %(n)s (lines %(first)s–%(last)s)")
            % {"n": a.number, "first": a.first_line, "last": a.last_line},
        )
        for a in motion.amendments.filter(state=Amendment.State.SUBMITTED).order_by("number")
    ]
    if not subjects and motion.state in (Motion.State.ON_AGENDA, Motion.State.IN_VOTE):
        subjects.append(
            (
                f"motion-{motion.pk}",
                _("Motion %(n)s: %(title)s") % {"n": motion.number, "title": motion.title},
            )
        )
    return subjects


def _agenda_rows(
    request: HttpRequest,
    organization: Organization,
    sitting: Sitting,
    items: list[AgendaItem],
    *,
    chair: bool,
) -> str:
    """The agenda's table rows, built in Python: an agenda of hundreds of items costs the template
    engine about a millisecond a row. Every text is escaped by ``format_html``."""
    kinds, states = dict(AgendaItem.Kind.choices), dict(AgendaItem.State.choices)
    start_url = reverse("sitting_action", args=[organization.slug, sitting.pk, "item-start"])
    token = get_token(request)
    rows = []
    for item in items:
        current = item.pk == sitting.current_item_id
        if item.motion_id is not None:
            url = reverse("motion", args=[organization.slug, item.motion_id])
            title = format_html('<a href="{}">{}</a>', url, item.title)
        else:
            title = format_html("{}", item.title)
        planned = _("%(n)s min") % {"n": item.planned_seconds // 60} if item.planned_seconds else ""
        action = ""
        if chair:
            button = ""
            if sitting.state == Sitting.State.OPEN and not current:
                button = format_html(
                    '<form method="post" action="{}" class="inline">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<input type="hidden" name="item" value="{}">'
                    '<button type="submit" class="secondary">{}</button></form>',
                    start_url,
                    token,
                    item.pk,
                    _("Discuss item %(n)s") % {"n": item.number},
                )
            action = format_html("<td>{}</td>", button)
        rows.append(
            format_html(
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                mark_safe(' aria-current="true"') if current else "",
                item.number,
                title,
                kinds.get(item.kind, item.kind),
                planned,
                _("%(n)s min") % {"n": selectors.used_seconds(item) // 60},
                states.get(item.state, item.state),
                action,
            )
        )
    return mark_safe("\n".join(rows))  # each row is built by format_html above


def sitting_context(request: HttpRequest, organization: Organization, sitting: Sitting) -> dict[str, Any]:
    """What the sitting page shows: the live state, the viewer's seat and place on the list, and for
    the chair the forms that move the sitting on."""
    state = selectors.sitting_state(sitting=sitting)
    seat = selectors.seat_of(user=request.user, council=sitting.council)
    chair = rules.has_perm("deliberation.chair", request.user, sitting)
    present = seat is not None and selectors.is_present(sitting=sitting, seat=seat)
    waiting = None
    if seat is not None and state.speakers is not None:
        waiting = next(
            (r.speech for r in state.speakers.waiting if r.speech.member_id == seat.holder_id), None
        )
    context: dict[str, Any] = {
        "organization": organization,
        "sitting": sitting,
        "state": state,
        "seat": seat,
        "present": present,
        "waiting": waiting,
        "request_form": SpeechRequestForm() if seat is not None and state.current is not None else None,
        "chair": chair,
        "live": True,
        "agenda_rows": _agenda_rows(request, organization, sitting, state.items, chair=chair),
    }
    if chair:
        motions = Motion.objects.filter(
            council=sitting.council, state__in=[Motion.State.SUBMITTED, Motion.State.REFERRED]
        ).order_by("number")
        context["item_form"] = AgendaItemForm(motions=[(m.pk, f"{m.number}. {m.title}") for m in motions])
        subjects = _decision_subjects(state)
        context["decision_form"] = DecisionForm(subjects=subjects) if subjects else None
        context["open_poll"] = open_poll(sitting)
        if subjects and context["open_poll"] is None and sitting.state == Sitting.State.OPEN:
            context["poll_form"] = PollOpenForm(subjects=subjects)
    return context


@require_GET
@_organization_page
def sitting(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """A sitting: quorum, agenda, the current item with its speakers; deputies check in and ask to
    speak here; the chair moves the sitting on."""
    found = _sitting(organization, sitting_id)
    return render(request, "deliberation/sitting.html", sitting_context(request, organization, found))


@require_GET
@_organization_page
def attendance(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """Who holds a seat and who is present (with credentials at a congress), the history of
    check-ins and check-outs, and for the chair the form that records attendance."""
    found = _sitting(organization, sitting_id)
    rows = selectors.attendance(sitting=found)
    chair = rules.has_perm("deliberation.chair", request.user, found)
    return render(
        request,
        "deliberation/attendance.html",
        {
            "organization": organization,
            "sitting": found,
            "attendance": rows,
            "quorum": selectors.quorum(sitting=found),
            "history": selectors.attendance_history(sitting=found),
            "attendance_form": AttendanceForm(seats=[(r.seat.pk, r.name) for r in rows]) if chair else None,
        },
    )


@require_GET
@_organization_page
def projector(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The hall's screen: the current item, the speaker and the countdown, the next speakers, the quorum."""
    found = _sitting(organization, sitting_id)
    return render(
        request,
        "deliberation/projector.html",
        {
            "organization": organization,
            "sitting": found,
            "state": selectors.sitting_state(sitting=found),
            "live": True,
        },
    )


@require_GET
@_organization_page
def sitting_state(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The live state fragment alone (what the stream sends; for a page that re-reads it)."""
    found = _sitting(organization, sitting_id)
    return render(
        request,
        "deliberation/partials/sitting_state.html",
        {
            "organization": organization,
            "sitting": found,
            "state": selectors.sitting_state(sitting=found),
            "live": True,
        },
    )


# --- actions: each parses its input and calls one service ---------------------------------------

Action = Callable[[HttpRequest, Sitting], str | None]


def _item(sitting: Sitting, request: HttpRequest) -> AgendaItem:
    item_id = request.POST.get("item") or sitting.current_item_id
    if not str(item_id or "").isdigit():
        raise ValidationError({"item": _("No item is under discussion.")})
    item = get_object_or_404(
        AgendaItem.objects.select_related("sitting__council", "sitting__organization"),
        sitting=sitting,
        pk=item_id,
    )
    return item


def _check_in(request: HttpRequest, sitting: Sitting) -> str:
    services.attendance_check(actor=request.user, sitting=sitting, present=True)
    return _("You are checked in.")


def _check_out(request: HttpRequest, sitting: Sitting) -> str:
    services.attendance_check(actor=request.user, sitting=sitting, present=False)
    return _("You are checked out.")


def _open(request: HttpRequest, sitting: Sitting) -> str:
    services.sitting_open(actor=request.user, sitting=sitting)
    return _("The sitting is open.")


def _close(request: HttpRequest, sitting: Sitting) -> str:
    services.sitting_close(actor=request.user, sitting=sitting)
    return _("The sitting is closed.")


def _credentials(request: HttpRequest, sitting: Sitting) -> str:
    results = services.credentials_check(actor=request.user, sitting=sitting)
    refused = sum(1 for c in results if c.status == "refused")
    return _("Credentials checked: %(ok)s accredited, %(refused)s refused.") % {
        "ok": len(results) - refused,
        "refused": refused,
    }


def _item_add(request: HttpRequest, sitting: Sitting) -> str:
    form = AgendaItemForm(
        request.POST, motions=[(m.pk, "") for m in Motion.objects.filter(council=sitting.council)]
    )
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    data = form.cleaned_data
    motion = (
        Motion.objects.filter(pk=data["motion"], council=sitting.council).first() if data["motion"] else None
    )
    item = services.agenda_item_add(
        actor=request.user,
        sitting=sitting,
        kind=data["kind"],
        title=data["title"],
        motion=motion,
        planned_seconds=(data["planned_minutes"] or 0) * 60,
    )
    return _("Item %(n)s added.") % {"n": item.number}


def _item_start(request: HttpRequest, sitting: Sitting) -> str:
    item = services.agenda_item_start(actor=request.user, item=_item(sitting, request))
    return _("Item %(n)s is under discussion.") % {"n": item.number}


def _item_finish(request: HttpRequest, sitting: Sitting) -> str:
    item = services.agenda_item_finish(
        actor=request.user, item=_item(sitting, request), outcome=request.POST.get("outcome", "")
    )
    return _("Item %(n)s is done.") % {"n": item.number}


def _speech_request(request: HttpRequest, sitting: Sitting) -> str:
    form = SpeechRequestForm(request.POST)
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    services.speech_request(
        actor=request.user,
        item=_item(sitting, request),
        kind=form.cleaned_data["kind"],
        stance=form.cleaned_data["stance"] or "",
    )
    return _("You are on the list of speakers.")


def _speech_withdraw(request: HttpRequest, sitting: Sitting) -> str:
    speech = get_object_or_404(
        Speech.objects.select_related("item__sitting__organization", "member"),
        item__sitting=sitting,
        pk=request.POST.get("speech"),
    )
    services.speech_withdraw(actor=request.user, speech=speech)
    return _("The request to speak is withdrawn.")


def _speech_move(request: HttpRequest, sitting: Sitting) -> str:
    speech = get_object_or_404(
        Speech.objects.select_related("item__sitting__organization", "member"),
        item__sitting=sitting,
        pk=request.POST.get("speech"),
    )
    place = request.POST.get("place", "")
    if not place.isdigit():
        raise ValidationError({"place": _("Give the new place as a number.")})
    services.speech_move(actor=request.user, speech=speech, place=int(place))
    return _("%(name)s is moved on the list.") % {"name": speech.member.name}


def _speech_next(request: HttpRequest, sitting: Sitting) -> str:
    speech_id = request.POST.get("speech")
    speech = Speech.objects.filter(item__sitting=sitting, pk=speech_id).first() if speech_id else None
    started = services.speech_start(actor=request.user, item=_item(sitting, request), speech=speech)
    return _("%(name)s has the floor.") % {"name": started.member.name}


def _speech_end(request: HttpRequest, sitting: Sitting) -> str:
    services.speech_end(actor=request.user, item=_item(sitting, request))
    return _("The speech is ended.")


def _speakers_close(request: HttpRequest, sitting: Sitting) -> str:
    closed = request.POST.get("closed", "1") == "1"
    services.speakers_close(actor=request.user, item=_item(sitting, request), closed=closed)
    return _("The list of speakers is closed.") if closed else _("The list of speakers is open again.")


def _attendance(request: HttpRequest, sitting: Sitting) -> str:
    rows = selectors.attendance(sitting=sitting)
    form = AttendanceForm(request.POST, seats=[(r.seat.pk, r.name) for r in rows])
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    seats = list(Seat.objects.filter(pk__in=form.cleaned_data["seats"]))
    changed = services.attendance_record(
        actor=request.user, sitting=sitting, seats=seats, present=form.cleaned_data["present"]
    )
    return _("Attendance recorded: %(n)s changed.") % {"n": changed}


def _decide(request: HttpRequest, sitting: Sitting) -> str:
    state = selectors.sitting_state(sitting=sitting)
    form = DecisionForm(request.POST, subjects=_decision_subjects(state))
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    data = form.cleaned_data
    kind, _dash, pk = data["subject"].partition("-")
    counts = {"yes": data["yes"], "no": data["no"], "abstain": data["abstain"] or 0, "note": data["note"]}
    if kind == "amendment":
        amendment = get_object_or_404(
            Amendment.objects.select_related("motion"), pk=pk, motion__council=sitting.council
        )
        decision = services.decision_record(
            actor=request.user, sitting=sitting, amendment=amendment, **counts
        )
    else:
        motion = get_object_or_404(Motion, pk=pk, council=sitting.council)
        decision = services.decision_record(actor=request.user, sitting=sitting, motion=motion, **counts)
    return _("Adopted.") if decision.adopted else _("Rejected.")


ACTIONS: dict[str, Action] = {
    "check-in": _check_in,
    "check-out": _check_out,
    "open": _open,
    "close": _close,
    "credentials": _credentials,
    "item-add": _item_add,
    "item-start": _item_start,
    "item-finish": _item_finish,
    "speak": _speech_request,
    "withdraw": _speech_withdraw,
    "next-speaker": _speech_next,
    "move-speaker": _speech_move,
    "end-speech": _speech_end,
    "close-speakers": _speakers_close,
    "record-attendance": _attendance,
    "decide": _decide,
    "poll-open": poll_open_action,
    "poll-close": poll_close_action,
}


@require_POST
@_organization_page
def sitting_action(
    request: HttpRequest, organization: Organization, sitting_id: int, action: str
) -> HttpResponseBase:
    """One step of a sitting (``action`` names it); back to the sitting page with what happened."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404(action)
    found = _sitting(organization, sitting_id)
    try:
        outcome = handler(request, found)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    else:
        if outcome:
            messages.success(request, outcome)
    if action == "record-attendance":
        return redirect("sitting_attendance", organization.slug, found.pk)
    return redirect("sitting", organization.slug, found.pk)
