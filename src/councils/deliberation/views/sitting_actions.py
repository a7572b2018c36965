"""A sitting's actions (a POST each): check in and out, open and close, the agenda, the list of
speakers, attendance, decisions, polls. Each parses its input and calls one service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from councils.deliberation import selectors, services
from councils.deliberation.forms import (
    AgendaItemForm,
    AttendanceFilterForm,
    AttendanceForm,
    DecisionForm,
    SpeechRequestForm,
)
from councils.deliberation.models import AgendaItem, Amendment, Motion, Sitting, SittingProxy, Speech
from councils.deliberation.views.polls import poll_close_action, poll_open_action
from councils.deliberation.views.sittings import _decision_subjects, _sitting
from councils.federation.models import Member, Organization
from councils.web.views._common import _organization_page, _validation_messages

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


def _attendance_filter(request: HttpRequest, sitting: Sitting) -> AttendanceFilterForm:
    councils = [(c.pk, c.name) for c in selectors.sending_councils(sitting=sitting)]
    return AttendanceFilterForm(request.POST, councils=councils)


def _attendance(request: HttpRequest, sitting: Sitting) -> str:
    """Record the checked deputies, or everyone the page's filter showed, as present or absent: one
    call of the service, one event for the change."""
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    data = form.cleaned_data
    if data["scope"] == "shown":
        shown = _attendance_filter(request, sitting)
        if not shown.is_valid():
            raise ValidationError({k: v for k, v in shown.errors.items()})
        # Everyone the filter shows now (the service writes only those whose presence changes).
        seats = [r.seat_id for r in selectors.attendance(sitting=sitting, **shown.filters())]
    else:
        seats = data["seats"]  # the service names any that are not held in the council
    if not seats:
        raise ValidationError({"seats": _("Check at least one deputy (or record everyone shown).")})
    changed = services.attendance_record(
        actor=request.user, sitting=sitting, seats=seats, present=data["present"]
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


def _deputy(sitting: Sitting, request: HttpRequest, field: str) -> Member | None:
    """The deputy a proxy form names in ``field`` (a member id), or None when it names nobody."""
    value = request.POST.get(field, "")
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({field: _("Choose a deputy from the list.")})
    return get_object_or_404(Member, organization_id=sitting.organization_id, pk=value)


def _proxy_give(request: HttpRequest, sitting: Sitting) -> str:
    """Hand one's vote for the sitting (the chair: record a paper proxy for the giver named)."""
    holder = _deputy(sitting, request, "holder")
    if holder is None:
        raise ValidationError({"holder": _("Choose the deputy who will carry the vote.")})
    giver = _deputy(sitting, request, "giver")
    proxy = services.sitting_proxy_give(actor=request.user, sitting=sitting, holder=holder, giver=giver)
    return _("%(giver)s's vote for this sitting is handed to %(holder)s.") % {
        "giver": proxy.giver.name,
        "holder": proxy.holder.name,
    }


def _proxy_withdraw(request: HttpRequest, sitting: Sitting) -> str:
    proxy_id = request.POST.get("proxy", "")
    proxy = get_object_or_404(SittingProxy, sitting=sitting, pk=int(proxy_id) if proxy_id.isdigit() else 0)
    services.sitting_proxy_withdraw(actor=request.user, proxy=proxy)
    return _("The proxy is withdrawn.")


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
    "proxy-give": _proxy_give,
    "proxy-withdraw": _proxy_withdraw,
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
        # Back to the same part of the list the chair was looking at.
        query = _attendance_filter(request, found).query()
        return redirect(reverse("sitting_attendance", args=[organization.slug, found.pk]) + query)
    return redirect("sitting", organization.slug, found.pk)
