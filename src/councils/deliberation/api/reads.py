"""Deliberation's JSON endpoints for reading and for deputies: sittings (live state, checking in,
asking to speak, the chair's polls) and motions (with amendments and decisions, and the compliance
report). Each finds what its URL names, checks that the caller may read the organization, and calls
one selector or service."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router

from councils.deliberation import selectors, services
from councils.deliberation.models import Amendment, Motion, Sitting, SittingPoll
from councils.deliberation.schemas import (
    AttendanceIn,
    ComplianceRowOut,
    DelegateVoteOut,
    MotionOut,
    SittingOut,
    SittingPollIn,
    SittingPollOut,
    SittingStateOut,
    SpeechIn,
)
from councils.federation.api._common import ERRORS, WRITE_ERRORS, ApiRequest, organization_for
from councils.federation.models import Seat

router = Router(tags=["deliberation"])


def _sitting(request: ApiRequest, slug: str, sitting_id: int) -> Sitting:
    organization = organization_for(request, slug)
    return get_object_or_404(
        Sitting.objects.select_related("council", "organization"), organization=organization, pk=sitting_id
    )


def _speaker(row: selectors.SpeakerRow, ends_at: Any = None) -> dict[str, Any]:
    s = row.speech
    return {
        "speech": s.pk,
        "name": row.name,
        "faction": row.faction.name if row.faction else None,
        "kind": s.kind,
        "stance": s.stance,
        "first_time": row.first_time,
        "started_at": s.started_at,
        "ends_at": ends_at,
    }


def _state(sitting: Sitting) -> dict[str, Any]:
    state = selectors.sitting_state(sitting=sitting)
    q = state.quorum
    listing = state.speakers
    return {
        "sitting": sitting,
        "quorum": {
            "held": q.held,
            "present": q.present,
            "needed": q.needed,
            "quorate": q.quorate,
            "accredited_only": q.accredited_only,
        },
        "agenda": [
            {
                "id": i.pk,
                "number": i.number,
                "kind": i.kind,
                "title": i.title,
                "state": i.state,
                "motion": i.motion_id,
                "planned_seconds": i.planned_seconds,
                "used_seconds": selectors.used_seconds(i),
            }
            for i in state.items
        ],
        "current_item": state.current.pk if state.current else None,
        "current_speaker": _speaker(listing.current, listing.current_ends_at)
        if listing and listing.current
        else None,
        "waiting": [_speaker(r) for r in listing.waiting] if listing else [],
    }


@router.get("/organizations/{slug}/sittings", response={200: list[SittingOut], **ERRORS})
def sitting_list(request: ApiRequest, slug: str) -> Any:
    """The organization's sittings, newest first."""
    return selectors.sittings(organization=organization_for(request, slug))


@router.get("/organizations/{slug}/sittings/{sitting_id}", response={200: SittingStateOut, **ERRORS})
def sitting_detail(request: ApiRequest, slug: str, sitting_id: int) -> Any:
    """A sitting's live state: quorum, agenda, the current item's speaker (with the end of their
    time) and the waiting speakers in order."""
    return _state(_sitting(request, slug, sitting_id))


@router.post(
    "/organizations/{slug}/sittings/{sitting_id}/attendance", response={200: SittingStateOut, **WRITE_ERRORS}
)
def sitting_attendance(request: ApiRequest, slug: str, sitting_id: int, payload: AttendanceIn) -> Any:
    """Check yourself in (or out) of a sitting of a council where you hold a seat."""
    sitting = _sitting(request, slug, sitting_id)
    services.attendance_check(actor=request.auth, sitting=sitting, present=payload.present)
    return _state(sitting)


@router.post(
    "/organizations/{slug}/sittings/{sitting_id}/speakers", response={200: SittingStateOut, **WRITE_ERRORS}
)
def sitting_speak(request: ApiRequest, slug: str, sitting_id: int, payload: SpeechIn) -> Any:
    """Ask to speak on the item under discussion (a speech, for or against, or a point of order)."""
    sitting = _sitting(request, slug, sitting_id)
    if sitting.current_item is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"item": _("No item is under discussion.")})
    services.speech_request(
        actor=request.auth, item=sitting.current_item, kind=payload.kind, stance=payload.stance
    )
    return _state(sitting)


@router.get("/organizations/{slug}/motions/{motion_id}", response={200: MotionOut, **ERRORS})
def motion_detail(request: ApiRequest, slug: str, motion_id: int) -> Any:
    """A motion with its supporters, amendments, decisions and forwarding."""
    return _motion_out(_motion(request, slug, motion_id))


def _motion(request: ApiRequest, slug: str, motion_id: int) -> Motion:
    organization = organization_for(request, slug)
    return get_object_or_404(
        Motion.objects.select_related("council", "organization"), organization=organization, pk=motion_id
    )


def _motion_out(motion: Motion) -> dict[str, Any]:
    """A motion as :class:`MotionOut` shows it (its council selected with it)."""
    page = selectors.motion_page(motion=motion)
    return {
        "id": motion.pk,
        "council": motion.council.name,
        "number": motion.number,
        "kind": motion.kind,
        "title": motion.title,
        "text": motion.text,
        "state": motion.state,
        "submitted_at": motion.submitted_at,
        "adopted_text": motion.adopted_text,
        "origin": motion.origin_id,
        "forwarded_as": page.forwarded_as.pk if page.forwarded_as else None,
        "supporters": page.supporters,
        "amendments": [r.amendment for r in page.amendments],
        "decisions": page.decisions + [r.decision for r in page.amendments if r.decision is not None],
    }


@router.get(
    "/organizations/{slug}/motions/{motion_id}/compliance", response={200: list[ComplianceRowOut], **ERRORS}
)
def motion_compliance(request: ApiRequest, slug: str, motion_id: int) -> Any:
    """Per delegate, their named vote on the motion and whether it followed their council's instruction."""
    organization = organization_for(request, slug)
    motion = get_object_or_404(Motion, organization=organization, pk=motion_id)
    return [
        {
            "delegate": r.delegate,
            "council": r.council_name or None,
            "instruction": r.instruction.position if r.instruction else None,
            "binding": r.instruction.binding if r.instruction else None,
            "vote": r.vote,
            "complied": r.complied,
        }
        for r in selectors.compliance(motion=motion).rows
    ]


@router.get(
    "/organizations/{slug}/seats/{seat_id}/compliance", response={200: list[DelegateVoteOut], **ERRORS}
)
def seat_compliance(request: ApiRequest, slug: str, seat_id: int) -> Any:
    """A deputy's record as a delegate: each named vote on a motion in a council above, the
    instruction of the council that sent them, and whether the vote followed it."""
    organization = organization_for(request, slug)
    seat = get_object_or_404(Seat, organization=organization, pk=seat_id)
    return [
        {
            "motion": motion.pk,
            "motion_number": motion.number,
            "motion_title": motion.title,
            "council": motion.council.name,
            "sent_by": r.council_name or None,
            "instruction": r.instruction.position if r.instruction else None,
            "binding": r.instruction.binding if r.instruction else None,
            "vote": r.vote,
            "complied": r.complied,
        }
        for r, motion in selectors.delegate_record(seat=seat).entries
    ]


def _sitting_poll(link: SittingPoll) -> dict[str, Any]:
    from councils.deliberation.selectors.polls import poll_outcome
    from councils.voting.models import Elector

    poll = link.poll
    return {
        "poll": poll.pk,
        "sitting": link.sitting_id,
        "subject": link.subject,
        "title": poll.title,
        "state": poll.current_state,
        "electors": Elector.objects.filter(poll=poll).count(),
        "outcome": poll_outcome(poll),
        "decision": link.decision_id,
    }


@router.post(
    "/organizations/{slug}/sittings/{sitting_id}/polls", response={201: SittingPollOut, **WRITE_ERRORS}
)
def sitting_poll_open(request: ApiRequest, slug: str, sitting_id: int, payload: SittingPollIn) -> Any:
    """The chair opens a poll of the deputies present: on an amendment, a motion, an instruction to
    the delegates (a motion of the council above with a position), or an election (method,
    candidates, seats). They vote through the voting API; the chair ends it below."""
    from councils.deliberation.services import polls

    sitting = _sitting(request, slug, sitting_id)
    organization = sitting.organization
    motion = (
        get_object_or_404(Motion, organization=organization, pk=payload.motion) if payload.motion else None
    )
    amendment = (
        get_object_or_404(Amendment, motion__organization=organization, pk=payload.amendment)
        if payload.amendment
        else None
    )
    poll = polls.sitting_poll_open(
        actor=request.auth,
        sitting=sitting,
        motion=motion,
        amendment=amendment,
        position=payload.position,
        title=payload.title,
        method=payload.method,
        seats=payload.seats,
        candidates=payload.candidates,
        secrecy=payload.secrecy,
    )
    return 201, _sitting_poll(SittingPoll.objects.select_related("poll").get(poll=poll))


@router.post(
    "/organizations/{slug}/sittings/{sitting_id}/polls/{poll_id}/close",
    response={200: SittingPollOut, **WRITE_ERRORS},
)
def sitting_poll_close(request: ApiRequest, slug: str, sitting_id: int, poll_id: int) -> Any:
    """The chair ends a poll of the sitting: a named one is counted and published at once (the
    council's decision recorded); a secret one waits for its trustees."""
    from councils.deliberation.services import polls

    sitting = _sitting(request, slug, sitting_id)
    link = get_object_or_404(SittingPoll.objects.select_related("poll"), sitting=sitting, poll_id=poll_id)
    polls.sitting_poll_close(actor=request.auth, poll=link.poll)
    return _sitting_poll(SittingPoll.objects.select_related("poll").get(pk=link.pk))
