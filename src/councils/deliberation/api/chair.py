"""The chair's actions on a sitting, as the sitting and attendance pages offer them: open and close,
check credentials, record attendance, add items and move through the agenda, run the list of
speakers, record a vote counted in the hall. Each finds what its URL names and calls one service,
which checks that the caller chairs the sitting (or keeps its minutes, or organizes); each answers
with the sitting's live state (a vote: with the decision)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from councils.deliberation import services
from councils.deliberation.api.reads import _sitting, _state
from councils.deliberation.models import AgendaItem, Amendment, Motion, Sitting, Speech
from councils.deliberation.schemas import (
    AgendaItemIn,
    AttendanceRecordIn,
    DecisionIn,
    DecisionOut,
    ItemFinishIn,
    NextSpeakerIn,
    SittingStateOut,
    SpeakersCloseIn,
    SpeechMoveIn,
)
from councils.federation.api._common import WRITE_ERRORS, ApiRequest

router = Router(tags=["deliberation"])

SITTING = "/organizations/{slug}/sittings/{sitting_id}"
STATE = {200: SittingStateOut, **WRITE_ERRORS}


def _after(sitting: Sitting) -> dict[str, Any]:
    """The sitting's live state after a change (read afresh: the service changed its own copy)."""
    return _state(Sitting.objects.select_related("council", "organization").get(pk=sitting.pk))


def _item(sitting: Sitting, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("sitting__council", "sitting__organization"),
        sitting=sitting,
        pk=item_id,
    )


def _current_item(sitting: Sitting) -> AgendaItem:
    if sitting.current_item_id is None:
        raise ValidationError({"item": _("No item is under discussion.")})
    return _item(sitting, sitting.current_item_id)


def _speech(sitting: Sitting, speech_id: int) -> Speech:
    return get_object_or_404(
        Speech.objects.select_related("item__sitting__organization", "member"),
        item__sitting=sitting,
        pk=speech_id,
    )


@router.post(f"{SITTING}/open", response=STATE)
def sitting_open(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """Open a planned sitting (only when it is quorate; a congress after its credentials check)."""
    sitting = _sitting(request, slug, sitting_id)
    services.sitting_open(actor=request.auth, sitting=sitting)
    return _after(sitting)


@router.post(f"{SITTING}/close", response=STATE)
def sitting_close(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """Close an open sitting; the current item's clock stops."""
    sitting = _sitting(request, slug, sitting_id)
    services.sitting_close(actor=request.auth, sitting=sitting)
    return _after(sitting)


@router.post(f"{SITTING}/credentials", response=STATE)
def sitting_credentials(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """Check the credentials of every delegate of a congress (again at any time)."""
    sitting = _sitting(request, slug, sitting_id)
    services.credentials_check(actor=request.auth, sitting=sitting)
    return _after(sitting)


@router.post(f"{SITTING}/attendance/record", response=STATE)
def sitting_attendance_record(
    request: ApiRequest, slug: str, sitting_id: int, payload: AttendanceRecordIn
) -> Any:
    """Record several deputies as present or absent at once (a paper sign-in, or a walkout): one
    change, one event. Every seat must be held in the sitting's council now."""
    sitting = _sitting(request, slug, sitting_id)
    services.attendance_record(
        actor=request.auth, sitting=sitting, seats=payload.seats, present=payload.present
    )
    return _after(sitting)


@router.post(f"{SITTING}/agenda", response=STATE)
def agenda_item_add(request: ApiRequest, slug: str, sitting_id: int, payload: AgendaItemIn) -> Any:
    """Add an item at the end of the agenda (a motion of the council goes on the agenda with it)."""
    sitting = _sitting(request, slug, sitting_id)
    motion = (
        get_object_or_404(Motion, organization=sitting.organization, pk=payload.motion)
        if payload.motion is not None
        else None
    )
    services.agenda_item_add(
        actor=request.auth,
        sitting=sitting,
        kind=payload.kind,
        title=payload.title,
        motion=motion,
        planned_seconds=payload.planned_seconds,
    )
    return _after(sitting)


@router.post(f"{SITTING}/agenda/{{item_id}}/start", response=STATE)
def agenda_item_start(request: ApiRequest, slug: str, sitting_id: int, item_id: int) -> Any:
    """Move the sitting to an item: it is under discussion and its clock runs."""
    sitting = _sitting(request, slug, sitting_id)
    services.agenda_item_start(actor=request.auth, item=_item(sitting, item_id))
    return _after(sitting)


@router.post(f"{SITTING}/agenda/{{item_id}}/finish", response=STATE)
def agenda_item_finish(
    request: ApiRequest, slug: str, sitting_id: int, item_id: int, payload: ItemFinishIn
) -> Any:
    """Finish the item under discussion, with a note of its outcome."""
    sitting = _sitting(request, slug, sitting_id)
    services.agenda_item_finish(actor=request.auth, item=_item(sitting, item_id), outcome=payload.outcome)
    return _after(sitting)


@router.post(f"{SITTING}/speakers/next", response=STATE)
def speech_start(request: ApiRequest, slug: str, sitting_id: int, payload: NextSpeakerIn) -> Any:
    """Give the floor to the next speaker in order (or to the waiting request named)."""
    sitting = _sitting(request, slug, sitting_id)
    speech = _speech(sitting, payload.speech) if payload.speech is not None else None
    services.speech_start(actor=request.auth, item=_current_item(sitting), speech=speech)
    return _after(sitting)


@router.post(f"{SITTING}/speakers/end", response=STATE)
def speech_end(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """End the current speech."""
    sitting = _sitting(request, slug, sitting_id)
    services.speech_end(actor=request.auth, item=_current_item(sitting))
    return _after(sitting)


@router.post(f"{SITTING}/speakers/close", response=STATE)
def speakers_close(request: ApiRequest, slug: str, sitting_id: int, payload: SpeakersCloseIn) -> Any:
    """Close the current item's list of speakers (points of order are still taken), or reopen it."""
    sitting = _sitting(request, slug, sitting_id)
    services.speakers_close(actor=request.auth, item=_current_item(sitting), closed=payload.closed)
    return _after(sitting)


@router.post(f"{SITTING}/speakers/{{speech_id}}/move", response=STATE)
def speech_move(
    request: ApiRequest, slug: str, sitting_id: int, speech_id: int, payload: SpeechMoveIn
) -> Any:
    """Move a waiting request to another place on the list."""
    sitting = _sitting(request, slug, sitting_id)
    services.speech_move(actor=request.auth, speech=_speech(sitting, speech_id), place=payload.place)
    return _after(sitting)


@router.post(f"{SITTING}/speakers/{{speech_id}}/withdraw", response=STATE)
def speech_withdraw(request: ApiRequest, slug: str, sitting_id: int, speech_id: int) -> Any:
    """Withdraw a waiting request to speak (one's own; the chair any)."""
    sitting = _sitting(request, slug, sitting_id)
    services.speech_withdraw(actor=request.auth, speech=_speech(sitting, speech_id))
    return _after(sitting)


@router.post(f"{SITTING}/decisions", response={201: DecisionOut, **WRITE_ERRORS})
def decision_record(request: ApiRequest, slug: str, sitting_id: int, payload: DecisionIn) -> Any:
    """Record a vote counted in the hall on an amendment or a motion of the sitting's council (an
    amendment before its motion); adopted by the council's majority."""
    sitting = _sitting(request, slug, sitting_id)
    if (payload.motion is None) == (payload.amendment is None):
        raise ValidationError({"motion": _("Name the motion or the amendment decided.")})
    amendment = (
        get_object_or_404(
            Amendment.objects.select_related("motion"), pk=payload.amendment, motion__council=sitting.council
        )
        if payload.amendment is not None
        else None
    )
    motion = (
        get_object_or_404(Motion, pk=payload.motion, council=sitting.council)
        if payload.motion is not None
        else None
    )
    decision = services.decision_record(
        actor=request.auth,
        sitting=sitting,
        motion=motion,
        amendment=amendment,
        yes=payload.yes,
        no=payload.no,
        abstain=payload.abstain,
        note=payload.note,
    )
    return 201, decision
