"""Polls opened in a sitting: the deliberation's side of the ``voting`` app.

The chair opens a poll on what is before the sitting (a motion, an amendment, an instruction to
the council's delegates on a motion before the council above, an election or a recall). Its
electorate is the deputies present when it opens (for a congress, the accredited ones), with the
absent deputies whose sitting proxy a present deputy holds (:mod:`.proxies`), and the proxies the
voting app's rules allow among them. While it is open a delegate's named ballot against
a binding instruction of their council below is refused with a message naming the instruction.
When its result is published (by the chair through :func:`sitting_poll_close`, or by the trustees'
decryption for a secret poll), the council's :class:`Decision` is recorded from it, with each named
vote and any departure from an advisory instruction: the motion is adopted or rejected, its adopted
text applies its adopted amendments, an adopted instruction comes into force.

The voting app calls in through :mod:`councils.voting.hooks`; :func:`register` is called once when
the app is ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from councils.accounts.actors import SYSTEM, Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import (
    AgendaItem,
    Amendment,
    Instruction,
    Motion,
    Procedure,
    Sitting,
    SittingPoll,
)
from councils.deliberation.selectors.sittings import procedure_for
from councils.deliberation.services._common import NOT_CHAIR, moment_of, publish_sitting, require
from councils.deliberation.services.motions import DECIDED, UNDECIDED_AMENDMENTS, _change_state, _lock_motion
from councils.deliberation.services.proxies import proxies_apply
from councils.federation.models import Election, RecallPetition
from councils.voting import services as voting
from councils.voting.models import Elector, Poll

# Messages raised and asserted by name.
SITTING_NOT_OPEN = gettext_noop("Polls are opened while the sitting is open.")
POLL_PENDING = gettext_noop("A poll on %(subject)s is already under way.")
NOT_A_SITTING_POLL = gettext_noop("This poll was not opened in a sitting.")

LIVE_STATES = (Poll.State.DRAFT, Poll.State.OPEN, Poll.State.CLOSED, Poll.State.COUNTED)


def _majority_of(procedure: Procedure) -> tuple[str, str]:
    """The council's majority rule as the voting app's rule and abstention count."""
    if procedure.majority == Procedure.Majority.TWO_THIRDS:
        return Poll.Majority.TWO_THIRDS, Poll.Abstentions.COUNT
    return Poll.Majority.SIMPLE, Poll.Abstentions.EXCLUDE


def _current_item(sitting: Sitting) -> AgendaItem | None:
    return AgendaItem.objects.filter(pk=sitting.current_item_id).first() if sitting.current_item_id else None


def _refuse_pending(**subject: Any) -> None:
    """Refuse a second live poll on the same motion, amendment or instruction."""
    live = SittingPoll.objects.filter(poll__state__in=LIVE_STATES, **subject)
    if live.exists():
        raise ValidationError({"poll": _(POLL_PENDING) % {"subject": str(next(iter(subject.values())))}})


@transaction.atomic
def sitting_poll_open(
    *,
    actor: Actor,
    sitting: Sitting,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    position: str = "",
    title: str = "",
    method: str = "",
    seats: int = 1,
    candidates: Sequence[str] = (),
    secrecy: str = Poll.Secrecy.OPEN,
    running_result: bool = True,
    recall_petition: RecallPetition | None = None,
    election: Election | None = None,
    purpose: str = Poll.Purpose.GENERAL,
    at: datetime | None = None,
) -> Poll:
    """The chair opens a poll in an open sitting, its electorate the deputies present now.

    What is voted on: ``amendment`` (voted before its motion); ``motion`` of the sitting's council
    (every amendment decided first; the motion goes into a vote); ``motion`` of the council above
    with ``position`` (yes, no, abstain, free): an instruction to this council's delegates; or, with
    ``method`` and ``candidates``, an election (``recall_petition``, ``election`` and ``purpose``
    passed on to the voting app for a recall vote or an election of deputies or delegates). A
    motion, amendment or instruction is decided by the council's majority rule. Returns the open
    poll; the voting app records its creation and opening, this service the sitting's event.
    """
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = Sitting.objects.select_for_update().select_related("council", "organization").get(pk=sitting.pk)
    if sitting.state != Sitting.State.OPEN:
        raise ValidationError({"sitting": _(SITTING_NOT_OPEN)})
    moment = moment_of(at)
    council = sitting.council
    majority, abstentions = _majority_of(procedure_for(council=council))
    kind = Poll.Kind.MOTION
    subject: str
    if amendment is not None:
        motion = _lock_motion(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if motion.council_id != council.pk:
            raise ValidationError({"amendment": _("The motion was submitted to another council.")})
        if amendment.state != Amendment.State.SUBMITTED:
            raise ValidationError({"amendment": _("This amendment is already decided or withdrawn.")})
        if motion.state in DECIDED or motion.state == Motion.State.IN_VOTE:
            raise ValidationError(
                {"amendment": _("The motion is in a vote or decided: its amendments came first.")}
            )
        _refuse_pending(amendment=amendment)
        subject = SittingPoll.Subject.AMENDMENT
        title = title or _("Amendment %(a)s to motion %(m)s: %(title)s") % {
            "a": amendment.number,
            "m": motion.number,
            "title": motion.title,
        }
    elif motion is not None and position:
        motion = _lock_motion(motion)
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
            raise ValidationError(
                {"position": _("An instruction is to vote yes, no, abstain, or a free vote.")}
            )
        _refuse_pending(motion=motion, subject=SittingPoll.Subject.INSTRUCTION, sitting__council=council)
        subject = SittingPoll.Subject.INSTRUCTION
        title = title or _("Instruction to the delegates on motion %(n)s of %(parent)s: %(position)s") % {
            "n": motion.number,
            "parent": motion.council.name,
            "position": Instruction.Position(position).label,
        }
    elif motion is not None:
        motion = _lock_motion(motion)
        if motion.council_id != council.pk:
            raise ValidationError({"motion": _("The motion was submitted to another council.")})
        if motion.state not in (Motion.State.SUBMITTED, Motion.State.ON_AGENDA, Motion.State.IN_VOTE):
            raise ValidationError(
                {"motion": _("The motion is %(state)s.") % {"state": motion.get_state_display()}}
            )
        pending = list(
            motion.amendments.filter(state=Amendment.State.SUBMITTED)
            .order_by("number")
            .values_list("number", flat=True)
        )
        if pending:
            raise ValidationError(
                {"motion": _(UNDECIDED_AMENDMENTS) % {"numbers": ", ".join(map(str, pending))}}
            )
        _refuse_pending(motion=motion, subject=SittingPoll.Subject.MOTION)
        subject = SittingPoll.Subject.MOTION
        title = title or _("Motion %(n)s: %(title)s") % {"n": motion.number, "title": motion.title}
    else:
        if not method and recall_petition is None:
            raise ValidationError(
                {"motion": _("Name the motion, the amendment or the instruction voted on, or an election.")}
            )
        kind = Poll.Kind.ELECTION
        majority, abstentions = Poll.Majority.SIMPLE, Poll.Abstentions.EXCLUDE
        subject = SittingPoll.Subject.RECALL if recall_petition is not None else SittingPoll.Subject.ELECTION
        if recall_petition is not None:
            kind = Poll.Kind.MOTION
            method = ""
    poll = voting.poll_create(
        actor=SYSTEM,
        organization=sitting.organization,
        title=title,
        kind=kind,
        electorate_council=council,
        method=method if kind == Poll.Kind.ELECTION else "",
        seats=seats,
        candidates=candidates if kind == Poll.Kind.ELECTION else (),
        secrecy=secrecy,
        majority=majority,
        abstentions=abstentions,
        running_result=running_result and secrecy == Poll.Secrecy.OPEN,
        purpose=purpose,
        recall_petition=recall_petition,
        election=election,
        description=_("Opened in %(sitting)s.") % {"sitting": sitting.title},
        at=at,
    )
    item = _current_item(sitting)
    SittingPoll.objects.create(
        poll=poll,
        sitting=sitting,
        item=item,
        subject=subject,
        motion=motion,
        amendment=amendment,
        position=position if subject == SittingPoll.Subject.INSTRUCTION else "",
        opened_by=actor if is_person(actor) else None,
        opened_at=moment,
    )
    poll = voting.poll_open(
        actor=SYSTEM, poll=poll, at=at, reason=_("opened by the chair of %(s)s") % {"s": sitting.title}
    )
    # Absent deputies whose sitting proxy a present deputy holds vote through them (the filter in
    # poll_hooks put them in the electorate); the voting app's per-poll proxies say so.
    proxies = proxies_apply(poll=poll, sitting=sitting, at=at)
    if subject == SittingPoll.Subject.MOTION and motion is not None and motion.state != Motion.State.IN_VOTE:
        _change_state(motion, Motion.State.IN_VOTE, actor, moment, sitting.title)
    electors = Elector.objects.filter(poll=poll).count()
    event_record(
        organization=sitting.organization,
        kind="sitting.poll_opened",
        actor=actor,
        target=sitting,
        data={
            "poll": poll.pk,
            "title": poll.title,
            "subject": subject,
            "motion": motion.pk if motion else None,
            "amendment": amendment.pk if amendment else None,
            "item": item.pk if item else None,
            "electors": electors,
            "proxies": proxies,
            "sitting_title": sitting.title,
        },
        at=at,
    )
    publish_sitting(sitting)
    return poll


@transaction.atomic
def sitting_poll_close(*, actor: Actor, poll: Poll, at: datetime | None = None) -> Poll:
    """The chair ends the vote: the poll is closed and, when named, counted and published at once
    (which records the council's decision). A secret poll stays closed until its trustees decrypt
    the sum; its decision is recorded when it is published."""
    link = SittingPoll.objects.select_related("sitting").filter(poll_id=poll.pk).first()
    if link is None:
        raise ValidationError({"poll": _(NOT_A_SITTING_POLL)})
    require(actor, "deliberation.chair", link.sitting, NOT_CHAIR)
    reason = _("closed by the chair of %(s)s") % {"s": link.sitting.title}
    poll = voting.poll_close(actor=SYSTEM, poll=poll, at=at, reason=reason)
    if not poll.is_secret:
        poll = voting.poll_count(actor=SYSTEM, poll=poll, at=at)
        # The voting app's services run as the system (a chair need not be a returning officer);
        # the chair's permission was checked above and the decision names the sitting.
        poll = voting.poll_publish(actor=SYSTEM, poll=poll, at=at)
    publish_sitting(link.sitting)
    return poll


def register() -> None:
    """Take part in the voting app's polls (called when the app is ready): the hooks are in
    :mod:`.poll_hooks`."""
    from councils.deliberation.services import poll_hooks

    poll_hooks.register()
