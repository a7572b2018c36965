"""A deputy's actions on a motion, as the motion page offers them: support it, propose an amendment
(and withdraw it), withdraw the motion, forward an adopted motion to the council above, and record
a child council's instruction to its delegates on it. Each finds what its URL names and calls the
service the page calls, which checks who may; each answers with what changed."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from councils.deliberation import services
from councils.deliberation.api.reads import _motion, _motion_out
from councils.deliberation.models import Amendment, Motion
from councils.deliberation.schemas import (
    AmendmentIn,
    AmendmentOut,
    InstructionIn,
    InstructionResultOut,
    MotionOut,
)
from councils.federation.api._common import WRITE_ERRORS, ApiRequest
from councils.federation.models import Council

router = Router(tags=["deliberation"])

MOTION = "/organizations/{slug}/motions/{motion_id}"


def _fresh(motion: Motion) -> dict[str, Any]:
    """The motion as it is now (the service changed its own copy)."""
    return _motion_out(Motion.objects.select_related("council").get(pk=motion.pk))


@router.post(f"{MOTION}/support", response={200: MotionOut, **WRITE_ERRORS})
def motion_support(request: ApiRequest, slug: str, motion_id: int) -> Any:
    """Support a deputy's motion as a deputy of its council (once; not one's own)."""
    motion = _motion(request, slug, motion_id)
    services.motion_support(actor=request.auth, motion=motion)
    return _fresh(motion)


@router.post(f"{MOTION}/withdraw", response={200: MotionOut, **WRITE_ERRORS})
def motion_withdraw(request: ApiRequest, slug: str, motion_id: int) -> Any:
    """Withdraw a motion not yet in a vote or decided (its submitter, or an organizer)."""
    motion = _motion(request, slug, motion_id)
    services.motion_withdraw(actor=request.auth, motion=motion)
    return _fresh(motion)


@router.post(f"{MOTION}/forward", response={201: MotionOut, **WRITE_ERRORS})
def motion_forward(request: ApiRequest, slug: str, motion_id: int) -> Any:
    """Forward an adopted motion to the council above, as a new motion there that keeps its origin
    and its adopted text (an officer of the council's sittings, or an organizer). Answers with the
    new motion."""
    motion = _motion(request, slug, motion_id)
    forwarded = services.motion_forward(actor=request.auth, motion=motion)
    return 201, _fresh(forwarded)


@router.post(f"{MOTION}/amendments", response={201: AmendmentOut, **WRITE_ERRORS})
def amendment_submit(request: ApiRequest, slug: str, motion_id: int, payload: AmendmentIn) -> Any:
    """Propose to replace lines ``first_line`` to ``last_line`` of the motion (as submitted,
    numbered from 1) by ``text``; an empty text deletes them."""
    motion = _motion(request, slug, motion_id)
    amendment = services.amendment_submit(
        actor=request.auth,
        motion=motion,
        first_line=payload.first_line,
        last_line=payload.last_line,
        text=payload.text,
        reason=payload.reason,
    )
    return 201, amendment


@router.post(f"{MOTION}/amendments/{{amendment_id}}/withdraw", response={200: AmendmentOut, **WRITE_ERRORS})
def amendment_withdraw(request: ApiRequest, slug: str, motion_id: int, amendment_id: int) -> Any:
    """Withdraw an undecided amendment (its submitter, or an organizer)."""
    motion = _motion(request, slug, motion_id)
    amendment = get_object_or_404(
        Amendment.objects.select_related("motion__organization", "submitter"), motion=motion, pk=amendment_id
    )
    return services.amendment_withdraw(actor=request.auth, amendment=amendment)


@router.post(f"{MOTION}/instructions", response={201: InstructionResultOut, **WRITE_ERRORS})
def instruction_adopt(request: ApiRequest, slug: str, motion_id: int, payload: InstructionIn) -> Any:
    """Record a child council's vote, counted in its hall, on an instruction to its delegates on
    this motion of the council above (an officer of the child council's sittings, or an organizer).
    Adopted by the child council's majority, it is in force and supersedes its earlier one; rejected,
    the decision is recorded all the same."""
    motion = _motion(request, slug, motion_id)
    council = get_object_or_404(Council, parent=motion.council, pk=payload.council)
    instruction = services.instruction_adopt(
        actor=request.auth,
        council=council,
        motion=motion,
        position=payload.position,
        yes=payload.yes,
        no=payload.no,
        abstain=payload.abstain,
    )
    if instruction is None:
        detail = _("%(council)s rejected the instruction.") % {"council": council.name}
    else:
        detail = _("%(council)s instructs its delegates: %(position)s.") % {
            "council": council.name,
            "position": instruction.get_position_display(),
        }
    return 201, {"adopted": instruction is not None, "instruction": instruction, "detail": detail}
