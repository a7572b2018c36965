"""Motions: submitting, supporting, withdrawing, referring, putting to the vote and forwarding to
the parent council. Amendments are in :mod:`.amendments`, decisions in :mod:`.decisions`, the
instructions to delegates in :mod:`.instructions`."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    Amendment,
    Motion,
    MotionStateChange,
    MotionSupport,
    Sitting,
)
from councils.deliberation.selectors.sittings import seat_of
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_COUNCIL_OFFICER,
    NOT_DEPUTY,
    NOT_SUBMITTER,
    full_clean,
    moment_of,
    publish_sitting,
    require,
)
from councils.federation.models import Council, Faction

UNDECIDED_AMENDMENTS = "Amendments %(numbers)s are not decided yet: they are voted before the motion."
OVERLAPPING_AMENDMENT = (
    "Amendment %(number)s changes lines that the adopted amendment %(other)s already changed."
)
DECIDED = (Motion.State.ADOPTED, Motion.State.REJECTED, Motion.State.WITHDRAWN, Motion.State.FORWARDED)


def _change_state(motion: Motion, state: str, actor: Actor, moment: datetime, note: str = "") -> str:
    previous = motion.state
    motion.state = state
    motion.save(update_fields=["state"])
    MotionStateChange.objects.create(
        motion=motion, state=state, at=moment, actor=actor if is_person(actor) else None, note=note[:300]
    )
    return previous


def _state_event(motion: Motion, actor: Actor, previous: str, note: str, at: datetime | None) -> None:
    event_record(
        organization=motion.organization,
        kind="motion.state_changed",
        actor=actor,
        target=motion,
        data={"number": motion.number, "state": motion.state, "previous": previous, "note": note},
        at=at,
    )


def _next_number(council: Council) -> int:
    return (Motion.objects.filter(council=council).aggregate(m=Max("number"))["m"] or 0) + 1


def _lock_motion(motion: Motion) -> Motion:
    return Motion.objects.select_for_update().select_related("council", "organization").get(pk=motion.pk)


@transaction.atomic
def motion_submit(
    *,
    actor: Actor,
    council: Council,
    title: str,
    text: str,
    kind: str = Motion.Kind.RESOLUTION,
    faction: Faction | None = None,
    at: datetime | None = None,
) -> Motion:
    """Submit a motion to ``council``: by the acting deputy, or (``faction``) by a faction the deputy
    sits with. A deputy's motion needs the supporters the council's rule asks for before it can go
    on an agenda (:func:`motion_support`)."""
    require(actor, "deliberation.submit_motion", council, NOT_DEPUTY)
    moment = moment_of(at)
    if not title.strip():
        raise ValidationError({"title": _("A motion needs a title.")})
    if not text.strip():
        raise ValidationError({"text": _("A motion needs a text.")})
    if kind not in Motion.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of motion: %(kind)s.") % {"kind": kind}})
    seat = seat_of(user=actor, council=council, at=moment)
    if faction is not None:
        if faction.organization_id != council.organization_id:
            raise ValidationError({"faction": _("The faction belongs to another organization.")})
        if seat is not None and seat.faction_id != faction.pk:
            raise ValidationError({"faction": _("You can submit only for the faction you sit with.")})
    elif seat is None:
        raise ValidationError({"faction": _("Only a deputy submits in their own name; name a faction.")})
    # Numbers are per council: lock the council's motions' maximum by locking the council row.
    Council.objects.select_for_update().filter(pk=council.pk).first()
    motion = Motion(
        organization_id=council.organization_id,
        council=council,
        number=_next_number(council),
        kind=kind,
        title=title.strip(),
        text=text.replace("\r\n", "\n").strip("\n"),
        submitted_at=moment,
        submitter=seat.holder if seat is not None and faction is None else None,
        faction=faction,
    )
    full_clean(motion, exclude=["origin"])
    motion.save()
    MotionStateChange.objects.create(
        motion=motion, state=motion.state, at=moment, actor=actor if is_person(actor) else None
    )
    event_record(
        organization=council.organization,
        kind="motion.submitted",
        actor=actor,
        target=motion,
        data={
            "council": council.pk,
            "number": motion.number,
            "submitter": motion.submitter_id,
            "faction": faction.pk if faction else None,
            "origin": None,
            "title": motion.title,
            "council_name": council.name,
        },
        at=at,
    )
    return motion


@transaction.atomic
def motion_support(*, actor: Actor, motion: Motion, at: datetime | None = None) -> MotionSupport:
    """A deputy of the council supports a deputy's motion (once)."""
    require(actor, "deliberation.support_motion", motion, NOT_DEPUTY)
    motion = _lock_motion(motion)
    if motion.state in DECIDED:
        raise ValidationError({"motion": _("The motion is already decided.")})
    seat = seat_of(user=actor, council=motion.council)
    if seat is None:
        raise ValidationError({"motion": _(NOT_DEPUTY)})
    if seat.holder_id == motion.submitter_id:
        raise ValidationError({"motion": _("The submitter does not support their own motion.")})
    try:
        with transaction.atomic():
            support = MotionSupport.objects.create(motion=motion, member=seat.holder, at=moment_of(at))
    except IntegrityError:
        raise ValidationError({"motion": _("You already support this motion.")}) from None
    event_record(
        organization=motion.organization,
        kind="motion.supported",
        actor=actor,
        target=motion,
        data={
            "number": motion.number,
            "member": seat.holder_id,
            "supporters": motion.supports.count(),
            "name": seat.holder.name,
        },
        at=at,
    )
    return support


@transaction.atomic
def motion_withdraw(*, actor: Actor, motion: Motion, at: datetime | None = None) -> Motion:
    """The submitter (or an organizer) withdraws a motion not yet decided."""
    require(actor, "deliberation.withdraw_motion", motion, NOT_SUBMITTER)
    motion = _lock_motion(motion)
    if motion.state in DECIDED or motion.state == Motion.State.IN_VOTE:
        raise ValidationError({"motion": _("A motion in a vote or decided cannot be withdrawn.")})
    moment = moment_of(at)
    previous = _change_state(motion, Motion.State.WITHDRAWN, actor, moment)
    _state_event(motion, actor, previous, "", at)
    return motion


@transaction.atomic
def motion_refer(*, actor: Actor, motion: Motion, note: str = "", at: datetime | None = None) -> Motion:
    """Refer a motion (to a committee, to a later sitting): it leaves the agenda undecided."""
    require(actor, "deliberation.decide", motion, NOT_COUNCIL_OFFICER)
    motion = _lock_motion(motion)
    if motion.state in DECIDED:
        raise ValidationError({"motion": _("The motion is already decided.")})
    previous = _change_state(motion, Motion.State.REFERRED, actor, moment_of(at), note)
    _state_event(motion, actor, previous, note, at)
    return motion


def _undecided_amendments(motion: Motion) -> list[int]:
    return list(
        motion.amendments.filter(state=Amendment.State.SUBMITTED)
        .order_by("number")
        .values_list("number", flat=True)
    )


@transaction.atomic
def motion_put_to_vote(
    *, actor: Actor, motion: Motion, sitting: Sitting, at: datetime | None = None
) -> Motion:
    """The chair puts a motion on the agenda to the vote: its amendments must all be decided first.
    (A poll of the ``voting`` app opens here once it is integrated.)"""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    motion = _lock_motion(motion)
    if motion.council_id != sitting.council_id:
        raise ValidationError({"motion": _("The motion was submitted to another council.")})
    if motion.state != Motion.State.ON_AGENDA:
        raise ValidationError({"motion": _("Only a motion on the agenda can be put to the vote.")})
    pending = _undecided_amendments(motion)
    if pending:
        raise ValidationError({"motion": _(UNDECIDED_AMENDMENTS) % {"numbers": ", ".join(map(str, pending))}})
    previous = _change_state(motion, Motion.State.IN_VOTE, actor, moment_of(at), sitting.title)
    _state_event(motion, actor, previous, sitting.title, at)
    publish_sitting(sitting)
    return motion


@transaction.atomic
def motion_forward(*, actor: Actor, motion: Motion, at: datetime | None = None) -> Motion:
    """Forward an adopted motion to the parent council as a new motion that keeps its origin (this
    motion, with the child's decision) and its adopted text. The parent's outcome shows on the
    child's page through ``forwarded_as``."""
    require(actor, "deliberation.decide", motion, NOT_COUNCIL_OFFICER)
    motion = _lock_motion(motion)
    if motion.state != Motion.State.ADOPTED:
        raise ValidationError({"motion": _("Only an adopted motion can be forwarded.")})
    parent = motion.council.parent
    if parent is None:
        raise ValidationError(
            {"motion": _("%(council)s has no council above it.") % {"council": motion.council.name}}
        )
    moment = moment_of(at)
    Council.objects.select_for_update().filter(pk=parent.pk).first()
    forwarded = Motion(
        organization_id=motion.organization_id,
        council=parent,
        number=_next_number(parent),
        kind=motion.kind,
        title=motion.title,
        text=motion.adopted_text or motion.text,
        submitted_at=moment,
        origin=motion,
    )
    full_clean(forwarded)
    forwarded.save()
    MotionStateChange.objects.create(
        motion=forwarded,
        state=forwarded.state,
        at=moment,
        actor=actor if is_person(actor) else None,
        note=_("forwarded by %(council)s") % {"council": motion.council.name},
    )
    _change_state(motion, Motion.State.FORWARDED, actor, moment, parent.name)
    event_record(
        organization=motion.organization,
        kind="motion.forwarded",
        actor=actor,
        target=motion,
        data={
            "number": motion.number,
            "new_motion": forwarded.pk,
            "new_number": forwarded.number,
            "council": parent.pk,
            "council_name": parent.name,
        },
        at=at,
    )
    return forwarded
