"""Decisions: how a council resolved a motion or an amendment (a show of hands, a roll call checked
against the delegates' instructions, or a poll of the ``voting`` app), with their consequences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
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
    Procedure,
    RollCallVote,
    Sitting,
)
from councils.deliberation.selectors.sittings import procedure_for
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_COUNCIL_OFFICER,
    moment_of,
    publish_sitting,
    require,
)
from councils.deliberation.services.amendments import adopted_text
from councils.deliberation.services.motions import (
    DECIDED,
    OVERLAPPING_AMENDMENT,
    UNDECIDED_AMENDMENTS,
    _change_state,
    _lock_motion,
)
from councils.federation.models import Council, Seat, open_at


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
