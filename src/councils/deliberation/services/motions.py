"""Motions and amendments: submitting, supporting, withdrawing, referring, deciding (with a roll
call checked against the delegates' instructions), forwarding to the parent council; and the
instructions a child council gives its delegates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation import text as motion_text
from councils.deliberation.models import (
    AgendaItem,
    Amendment,
    Decision,
    Instruction,
    Motion,
    MotionStateChange,
    MotionSupport,
    Procedure,
    RollCallVote,
    Sitting,
)
from councils.deliberation.selectors.sittings import organization_procedure, procedure_for, seat_of
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
from councils.federation.models import Council, Faction, Seat, open_at

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


# --- amendments ----------------------------------------------------------------------------------


@transaction.atomic
def amendment_submit(
    *,
    actor: Actor,
    motion: Motion,
    first_line: int,
    last_line: int,
    text: str,
    reason: str = "",
    faction: Faction | None = None,
    at: datetime | None = None,
) -> Amendment:
    """Propose to replace lines ``first_line``..``last_line`` of a motion by ``text`` (empty: delete
    them). Lines are those of the motion as submitted, numbered from 1."""
    require(actor, "deliberation.amend", motion, NOT_DEPUTY)
    motion = _lock_motion(motion)
    if motion.state in DECIDED or motion.state == Motion.State.IN_VOTE:
        raise ValidationError({"motion": _("A motion in a vote or decided cannot be amended.")})
    count = len(motion_text.lines_of(motion.text))
    if first_line < 1 or first_line > count:
        raise ValidationError({"first_line": _("The motion has lines 1 to %(n)s.") % {"n": count}})
    if last_line < first_line or last_line > count:
        raise ValidationError(
            {
                "last_line": _("The last line must be between %(first)s and %(n)s.")
                % {"first": first_line, "n": count}
            }
        )
    seat = seat_of(user=actor, council=motion.council)
    number = (motion.amendments.aggregate(m=Max("number"))["m"] or 0) + 1
    amendment = Amendment(
        motion=motion,
        number=number,
        first_line=first_line,
        last_line=last_line,
        text=text.replace("\r\n", "\n").strip("\n"),
        reason=reason.strip(),
        submitter=seat.holder if seat is not None else None,
        faction=faction,
        submitted_at=moment_of(at),
    )
    full_clean(amendment)
    amendment.save()
    event_record(
        organization=motion.organization,
        kind="amendment.submitted",
        actor=actor,
        target=amendment,
        data={
            "motion": motion.pk,
            "motion_number": motion.number,
            "number": number,
            "first_line": first_line,
            "last_line": last_line,
        },
        at=at,
    )
    return amendment


@transaction.atomic
def amendment_withdraw(*, actor: Actor, amendment: Amendment, at: datetime | None = None) -> Amendment:
    """The submitter (or an organizer) withdraws an undecided amendment."""
    require(actor, "deliberation.withdraw_motion", amendment, NOT_SUBMITTER)
    amendment = (
        Amendment.objects.select_for_update().select_related("motion__organization").get(pk=amendment.pk)
    )
    if amendment.state != Amendment.State.SUBMITTED:
        raise ValidationError({"amendment": _("Only an undecided amendment can be withdrawn.")})
    amendment.state = Amendment.State.WITHDRAWN
    amendment.save(update_fields=["state"])
    event_record(
        organization=amendment.motion.organization,
        kind="amendment.withdrawn",
        actor=actor,
        target=amendment,
        data={
            "motion": amendment.motion_id,
            "motion_number": amendment.motion.number,
            "number": amendment.number,
        },
        at=at,
    )
    return amendment


def adopted_text(motion: Motion, amendments: Sequence[Amendment] | None = None) -> str:
    """The motion's text with its adopted amendments applied."""
    rows = amendments if amendments is not None else list(motion.amendments.all())
    changes = [
        motion_text.Change(a.first_line, a.last_line, a.text)
        for a in rows
        if a.state == Amendment.State.ADOPTED
    ]
    return motion_text.apply_changes(motion.text, changes)


# --- decisions and instructions ------------------------------------------------------------------


@dataclass(frozen=True)
class InstructionCheck:
    """What a delegate's instruction says of a vote: ``allowed`` False stops it (binding), and
    ``departure`` names the instruction a vote departs from (binding or advisory)."""

    allowed: bool
    departure: Instruction | None
    message: str


def instruction_check(
    *, seat: Seat, motion: Motion, choice: str, at: datetime | None = None
) -> InstructionCheck:
    """Check a delegate's vote (``yes``, ``no``, ``abstain``) on ``motion`` against the instruction
    in force from the child council that gave the seat. The roll call uses it, and a named poll of the
    ``voting`` app calls it before accepting a ballot: a binding instruction stops a contrary ballot
    with this message; an advisory one lets it through and records the departure."""
    if seat.child_council_id is None:
        return InstructionCheck(True, None, "")
    instruction = (
        Instruction.objects.filter(council_id=seat.child_council_id, motion=motion, ended_at__isnull=True)
        .select_related("council")
        .first()
    )
    if instruction is None or instruction.position in (Instruction.Position.FREE, choice):
        return InstructionCheck(True, None, "")
    message = _(
        "%(council)s instructed its delegates to %(position)s on motion %(number)s (instruction of %(date)s)."
    ) % {
        "council": instruction.council.name,
        "position": instruction.get_position_display(),
        "number": motion.number,
        "date": instruction.adopted_at.date().isoformat(),
    }
    return InstructionCheck(not instruction.binding, instruction, message)


def _adopted(procedure: Procedure, yes: int, no: int, abstain: int) -> bool:
    if procedure.majority == Procedure.Majority.TWO_THIRDS:
        return 3 * yes >= 2 * (yes + no + abstain) and yes > 0
    return yes > no


def _decision_totals(
    votes: Sequence[tuple[Seat, str]] | None, yes: int, no: int, abstain: int
) -> tuple[int, int, int, str]:
    if votes is None:
        if min(yes, no, abstain) < 0:
            raise ValidationError({"yes": _("Votes cannot be negative.")})
        return yes, no, abstain, Decision.Method.SHOW_OF_HANDS
    choices = [c for _s, c in votes]
    bad = [c for c in choices if c not in RollCallVote.Choice.values]
    if bad:
        raise ValidationError({"votes": _("Unknown choice %(c)s: yes, no or abstain.") % {"c": bad[0]}})
    seats_ = [s.pk for s, _c in votes]
    if len(set(seats_)) != len(seats_):
        raise ValidationError({"votes": _("A deputy is named twice in the roll call.")})
    return choices.count("yes"), choices.count("no"), choices.count("abstain"), Decision.Method.ROLL_CALL


def _roll_call(
    decision: Decision,
    votes: Sequence[tuple[Seat, str]],
    motion: Motion | None,
    council: Council,
    moment: datetime,
    *,
    enforce: bool = True,
) -> int:
    """Store the named votes; a vote against a binding instruction stops the whole decision (unless
    ``enforce`` is False: then it is recorded as a departure)."""
    held = set(Seat.objects.filter(open_at(moment), council=council).values_list("pk", flat=True))
    rows, departures = [], 0
    for seat, choice in votes:
        if seat.pk not in held:
            raise ValidationError(
                {
                    "votes": _("Seat %(id)s is not held in %(council)s.")
                    % {"id": seat.pk, "council": council.name}
                }
            )
        departed = None
        if motion is not None:
            check = instruction_check(seat=seat, motion=motion, choice=choice, at=moment)
            if enforce and not check.allowed:
                raise ValidationError(
                    {
                        "votes": _("%(deputy)s: %(message)s")
                        % {"deputy": seat.holder.name, "message": check.message}
                    }
                )
            departed = check.departure
            departures += departed is not None
        rows.append(RollCallVote(decision=decision, seat=seat, choice=choice, departed_from=departed))
    RollCallVote.objects.bulk_create(rows)
    return departures


def _current_item(sitting: Sitting | None) -> AgendaItem | None:
    """The item under discussion in ``sitting`` now (read afresh: the caller's copy may be old)."""
    if sitting is None:
        return None
    return AgendaItem.objects.filter(
        pk=Sitting.objects.filter(pk=sitting.pk).values("current_item_id")[:1]
    ).first()


@transaction.atomic
def decision_record(
    *,
    actor: Actor,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    sitting: Sitting | None = None,
    yes: int = 0,
    no: int = 0,
    abstain: int = 0,
    votes: Sequence[tuple[Seat, str]] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Decision:
    """Record how the council decided a motion or an amendment: counted by a show of hands
    (``yes``, ``no``, ``abstain``), or by a roll call (``votes``: each seat's choice; the totals are
    counted from them, and a delegate's vote against a binding instruction is refused). Adopted by
    the council's majority. Amendments are decided before their motion; an adopted motion's text is
    fixed with its adopted amendments applied."""
    if amendment is not None:
        motion = amendment.motion
    if motion is None:
        raise ValidationError({"motion": _("Name the motion or the amendment decided.")})
    motion = _lock_motion(motion)
    if sitting is not None:
        require(actor, "deliberation.chair", sitting, NOT_CHAIR)
        if sitting.council_id != motion.council_id:
            raise ValidationError({"sitting": _("The motion was submitted to another council.")})
    else:
        require(actor, "deliberation.decide", motion, NOT_COUNCIL_OFFICER)
    moment = moment_of(at)
    yes, no, abstain, method = _decision_totals(votes, yes, no, abstain)
    procedure = procedure_for(council=motion.council)
    return decision_apply(
        actor=actor,
        motion=motion,
        amendment=amendment,
        sitting=sitting,
        item=_current_item(sitting),
        yes=yes,
        no=no,
        abstain=abstain,
        method=method,
        adopted=_adopted(procedure, yes, no, abstain),
        votes=votes,
        note=note,
        moment=moment,
        at=at,
    )


def decision_apply(
    *,
    actor: Actor,
    motion: Motion,
    amendment: Amendment | None,
    sitting: Sitting | None,
    item: AgendaItem | None,
    yes: int,
    no: int,
    abstain: int,
    method: str,
    adopted: bool,
    votes: Sequence[tuple[Seat, str]] | None,
    note: str,
    moment: datetime,
    at: datetime | None,
    enforce_instructions: bool = True,
) -> Decision:
    """Write a decision already counted (by the hall, or by a poll of the ``voting`` app) with its
    consequences: the amendment's or the motion's state, the adopted text, the named votes and any
    departure from an instruction, one ``decision.recorded`` event. Part of the caller's
    transaction and permission check (``motion`` locked by the caller). ``enforce_instructions``
    False records a binding instruction's departure instead of refusing it (a poll's ballots were
    checked when cast)."""
    amendments = list(motion.amendments.select_for_update().order_by("number"))
    if amendment is not None:
        amendment = next(a for a in amendments if a.pk == amendment.pk)
        if amendment.state != Amendment.State.SUBMITTED:
            raise ValidationError({"amendment": _("This amendment is already decided or withdrawn.")})
        if motion.state in DECIDED or motion.state == Motion.State.IN_VOTE:
            raise ValidationError(
                {"amendment": _("The motion is in a vote or decided: its amendments came first.")}
            )
        if adopted:
            for other in amendments:
                if other.state == Amendment.State.ADOPTED and motion_text.overlapping(
                    [
                        motion_text.Change(other.first_line, other.last_line, ""),
                        motion_text.Change(amendment.first_line, amendment.last_line, ""),
                    ]
                ):
                    raise ValidationError(
                        {
                            "amendment": _(OVERLAPPING_AMENDMENT)
                            % {"number": amendment.number, "other": other.number}
                        }
                    )
    else:
        if motion.state not in (Motion.State.ON_AGENDA, Motion.State.IN_VOTE, Motion.State.SUBMITTED):
            raise ValidationError(
                {"motion": _("The motion is %(state)s.") % {"state": motion.get_state_display()}}
            )
        pending = [a.number for a in amendments if a.state == Amendment.State.SUBMITTED]
        if pending:
            raise ValidationError(
                {"motion": _(UNDECIDED_AMENDMENTS) % {"numbers": ", ".join(map(str, pending))}}
            )
    decision = Decision.objects.create(
        organization_id=motion.organization_id,
        council_id=motion.council_id,
        sitting=sitting,
        item=item,
        motion=motion,
        amendment=amendment,
        method=method,
        yes=yes,
        no=no,
        abstain=abstain,
        adopted=adopted,
        note=note.strip()[:300],
        at=moment,
        recorded_by=actor if is_person(actor) else None,
    )
    departures = (
        _roll_call(decision, votes, motion, motion.council, moment, enforce=enforce_instructions)
        if votes is not None
        else 0
    )
    if amendment is not None:
        amendment.state = Amendment.State.ADOPTED if adopted else Amendment.State.REJECTED
        amendment.save(update_fields=["state"])
        subject = _("Amendment %(a)s to motion %(m)s") % {"a": amendment.number, "m": motion.number}
    else:
        if adopted:
            motion.adopted_text = adopted_text(motion, amendments)
            motion.save(update_fields=["adopted_text"])
        _change_state(
            motion,
            Motion.State.ADOPTED if adopted else Motion.State.REJECTED,
            actor,
            moment,
            _("%(yes)s for, %(no)s against, %(abstain)s abstaining")
            % {"yes": yes, "no": no, "abstain": abstain},
        )
        subject = _("Motion %(m)s") % {"m": motion.number}
    event_record(
        organization=motion.organization,
        kind="decision.recorded",
        actor=actor,
        target=decision,
        data={
            "decision": decision.pk,
            "motion": motion.pk,
            "amendment": amendment.pk if amendment else None,
            "instruction": None,
            "method": method,
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "adopted": adopted,
            "named_votes": len(votes or ()),
            "departures": departures,
            "subject": subject,
        },
        at=at,
    )
    if sitting is not None:
        publish_sitting(sitting)
    return decision


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


@transaction.atomic
def instruction_adopt(
    *,
    actor: Actor,
    council: Council,
    motion: Motion,
    position: str,
    sitting: Sitting | None = None,
    yes: int = 0,
    no: int = 0,
    abstain: int = 0,
    votes: Sequence[tuple[Seat, str]] | None = None,
    at: datetime | None = None,
) -> Instruction | None:
    """A child council decides an instruction to its delegates on ``motion`` before its parent:
    vote yes, no, abstain, or free. Counted as :func:`decision_record` counts; when adopted, the
    instruction is in force (superseding any earlier one of the council on the motion), binding or
    advisory by the organization's rule. Returns None when the council rejected it (the decision is
    recorded all the same)."""
    if sitting is not None:
        require(actor, "deliberation.chair", sitting, NOT_CHAIR)
        if sitting.council_id != council.pk:
            raise ValidationError({"sitting": _("The sitting is of another council.")})
    else:
        require(actor, "deliberation.decide", council, NOT_COUNCIL_OFFICER)
    if motion.council_id != council.parent_id:
        raise ValidationError(
            {
                "motion": _("The motion is not before the council directly above %(council)s.")
                % {"council": council.name}
            }
        )
    if motion.state in DECIDED:
        raise ValidationError({"motion": _("The motion is already decided in the council above.")})
    if position not in Instruction.Position.values:
        raise ValidationError({"position": _("An instruction is to vote yes, no, abstain, or a free vote.")})
    moment = moment_of(at)
    yes, no, abstain, method = _decision_totals(votes, yes, no, abstain)
    _decision, instruction = instruction_apply(
        actor=actor,
        council=council,
        motion=motion,
        position=position,
        sitting=sitting,
        item=_current_item(sitting),
        yes=yes,
        no=no,
        abstain=abstain,
        method=method,
        adopted=_adopted(procedure_for(council=council), yes, no, abstain),
        votes=votes,
        moment=moment,
        at=at,
    )
    return instruction


def instruction_apply(
    *,
    actor: Actor,
    council: Council,
    motion: Motion,
    position: str,
    sitting: Sitting | None,
    item: AgendaItem | None,
    yes: int,
    no: int,
    abstain: int,
    method: str,
    adopted: bool,
    votes: Sequence[tuple[Seat, str]] | None,
    moment: datetime,
    at: datetime | None,
) -> tuple[Decision, Instruction | None]:
    """Write a council's decision on an instruction already counted (by the hall or by a poll): the
    decision, its named votes, and when adopted the instruction in force (superseding the council's
    earlier one on the motion), binding or advisory by the organization's rule. One audit event.
    Part of the caller's transaction and permission check. Returns the decision and the instruction
    (None when rejected)."""
    label = Instruction.Position(position).label
    decision = Decision.objects.create(
        organization_id=council.organization_id,
        council=council,
        sitting=sitting,
        item=item,
        method=method,
        yes=yes,
        no=no,
        abstain=abstain,
        adopted=adopted,
        note=(
            _("Instruction to the delegates on motion %(n)s of %(parent)s: %(position)s")
            % {"n": motion.number, "parent": motion.council.name, "position": label}
        )[:300],
        at=moment,
        recorded_by=actor if is_person(actor) else None,
    )
    if votes is not None:
        _roll_call(decision, votes, None, council, moment)
    instruction = None
    superseded = None
    if adopted:
        previous = (
            Instruction.objects.select_for_update()
            .filter(council=council, motion=motion, ended_at__isnull=True)
            .first()
        )
        if previous is not None:
            previous.ended_at = moment
            previous.save(update_fields=["ended_at"])
            superseded = previous.pk
        instruction = Instruction.objects.create(
            organization_id=council.organization_id,
            council=council,
            motion=motion,
            position=position,
            binding=organization_procedure(organization=council.organization).instructions_binding,
            decision=decision,
            adopted_at=moment,
        )
        event_record(
            organization=council.organization,
            kind="instruction.adopted",
            actor=actor,
            target=instruction,
            data={
                "instruction": instruction.pk,
                "motion": motion.pk,
                "motion_number": motion.number,
                "position": position,
                "binding": instruction.binding,
                "decision": decision.pk,
                "superseded": superseded,
                "council_name": council.name,
            },
            at=at,
        )
    else:
        event_record(
            organization=council.organization,
            kind="decision.recorded",
            actor=actor,
            target=decision,
            data={
                "decision": decision.pk,
                "motion": None,
                "amendment": None,
                "instruction": None,
                "method": method,
                "yes": yes,
                "no": no,
                "abstain": abstain,
                "adopted": False,
                "named_votes": len(votes or ()),
                "departures": 0,
                "subject": decision.note,
            },
            at=at,
        )
    if sitting is not None:
        publish_sitting(sitting)
    return decision, instruction
