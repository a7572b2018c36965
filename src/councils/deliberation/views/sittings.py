"""The sittings' pages: the list (and planning), a sitting for its deputies and its chair, the
projector for the hall's screen, and the live state fragment both swap in. The chair's and the
deputies' actions are in :mod:`.sitting_actions`."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from councils.accounts.actors import is_person
from councils.deliberation import selectors, services
from councils.deliberation.forms import (
    AgendaItemForm,
    AttendanceFilterForm,
    AttendanceForm,
    DecisionForm,
    SittingForm,
    SpeechRequestForm,
)
from councils.deliberation.models import Amendment, Motion, Sitting
from councils.deliberation.selectors.attendance import HISTORY_SHOWN
from councils.deliberation.views import tables
from councils.deliberation.views.polls import PollOpenForm, open_poll
from councils.federation.models import Council, Organization
from councils.web.views._common import _organization_page, _validation_messages, page_of

PER_PAGE = 25  # sittings on a page of the list


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
            "sittings": page_of(Paginator(selectors.sittings(organization=organization), PER_PAGE), request),
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
        "agenda_rows": tables.agenda_rows(request, organization, sitting, state.items, chair=chair),
    }
    if sitting.state != Sitting.State.CLOSED and (seat is not None or chair):
        context["deputies"] = selectors.council_deputies(sitting=sitting)
    if seat is not None:
        mine = selectors.live_proxies(sitting=sitting, member_id=seat.holder_id)
        context["my_proxy"] = next((p for p in mine if p.giver_id == seat.holder_id), None)
        context["held_proxies"] = [p for p in mine if p.holder_id == seat.holder_id]
    if chair:
        context["proxies"] = selectors.live_proxies(sitting=sitting)
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
    """Who holds a seat and who is present (with credentials at a congress), the latest check-ins
    and check-outs, and for the chair one form that records many at once: the checked deputies, or
    everyone the filter shows (a name, the council that sent them, present or absent)."""
    found = _sitting(organization, sitting_id)
    chair = rules.has_perm("deliberation.chair", request.user, found)
    councils = [(c.pk, c.name) for c in selectors.sending_councils(sitting=found)]
    filter_form = AttendanceFilterForm(request.GET or None, councils=councils)
    filters = filter_form.filters()
    rows = selectors.attendance(sitting=found, **filters)
    congress = found.kind == Sitting.Kind.CONGRESS or bool(councils)
    return render(
        request,
        "deliberation/attendance.html",
        {
            "organization": organization,
            "sitting": found,
            "attendance": rows,
            "rows_html": tables.attendance_rows(rows, chair=chair, congress=congress),
            "congress": congress,
            "quorum": selectors.quorum(sitting=found),
            "history": selectors.recent_attendance(sitting=found),
            "history_shown": HISTORY_SHOWN,
            "filter_form": filter_form,
            "filtered": any(v not in (None, "") for v in filters.values()),
            "attendance_form": AttendanceForm() if chair else None,
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
            "state": selectors.sitting_state(sitting=found, with_agenda=False),
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
            "state": selectors.sitting_state(sitting=found, with_agenda=False),
            "live": True,
        },
    )
