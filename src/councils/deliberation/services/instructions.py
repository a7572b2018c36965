"""Instructions: a child council's instruction to its delegates on a motion before its parent,
decided as any decision is (the check of a delegate's vote against it is in :mod:`.decisions`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    AgendaItem,
    Decision,
    Instruction,
    Motion,
    Sitting,
)
from councils.deliberation.selectors.sittings import organization_procedure, procedure_for
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_COUNCIL_OFFICER,
    moment_of,
    publish_sitting,
    require,
)
from councils.deliberation.services.decisions import _adopted, _current_item, _decision_totals, _roll_call
from councils.deliberation.services.motions import DECIDED
from councils.federation.models import Council, Seat


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
