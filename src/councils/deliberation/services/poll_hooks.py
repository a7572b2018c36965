"""The voting app's hooks for polls opened in a sitting (:mod:`.polls` opens and closes them): the
electorate is the deputies present when the poll opens (for a congress, the accredited ones), a
delegate's named ballot against a binding instruction is refused, and the published result is
recorded as the council's :class:`Decision` (with each named vote and any departure from an
advisory instruction). :func:`register` is called once when the app is ready."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError

from councils.accounts.actors import SYSTEM
from councils.deliberation.models import (
    Credential,
    Decision,
    Motion,
    Presence,
    Sitting,
    SittingPoll,
)
from councils.deliberation.services._common import publish_sitting
from councils.deliberation.services.decisions import decision_apply, instruction_check
from councils.deliberation.services.instructions import instruction_apply
from councils.deliberation.services.motions import _lock_motion
from councils.deliberation.services.proxies import proxied_seats
from councils.federation.models import Seat
from councils.voting import hooks
from councils.voting.models import Elector, Participation, Poll

# Whether a poll was opened in a sitting, and on which motion, never changes once the poll is open:
# cached per process so a cast in any other poll spends no query on it. Keyed by id and creation
# time (an id may be given again after a rollback on SQLite, never with the same creation time).
_links: dict[tuple[int, datetime], tuple[int, int] | None] = {}
_links_lock = threading.Lock()


def _motion_link(poll: Poll) -> tuple[int, int] | None:
    """(motion id, council id) of a sitting's poll on a motion of its council; None otherwise."""
    key = (poll.pk, poll.created_at)
    if key in _links:
        return _links[key]
    row = (
        SittingPoll.objects.filter(poll_id=poll.pk, subject=SittingPoll.Subject.MOTION)
        .values_list("motion_id", "sitting__council_id")
        .first()
    )
    found = (int(row[0]), int(row[1])) if row is not None else None
    if poll.state != Poll.State.DRAFT:
        with _links_lock:
            _links[key] = found
    return found


def present_seats(poll: Poll, moment: datetime) -> set[int] | None:
    """Electorate filter: for a sitting's poll, the seats whose deputies are present (for a
    congress, accredited and present) and those of absent deputies whose sitting proxy a present
    deputy holds; None for any other poll."""
    link = SittingPoll.objects.filter(poll_id=poll.pk).select_related("sitting").first()
    if link is None:
        return None
    present = Presence.objects.filter(sitting_id=link.sitting_id, present=True)
    accredited = Credential.objects.filter(sitting_id=link.sitting_id, status=Credential.Status.ACCREDITED)
    congress = link.sitting.kind == Sitting.Kind.CONGRESS
    if congress:
        present = present.filter(seat_id__in=accredited.values("seat_id"))
    seats = set(present.values_list("seat_id", flat=True))
    proxied = proxied_seats(sitting=link.sitting, present=seats, moment=moment)
    if congress and proxied:
        proxied = set(accredited.filter(seat_id__in=proxied).values_list("seat_id", flat=True))
    return seats | proxied


def _choices(ballot: Mapping[str, Any]) -> list[str]:
    """The answers a motion's ballot gives weight to."""
    return [a for a, n in (ballot.get("answers") or {}).items() if n]


def instruction_applies(poll: Poll) -> bool:
    """Whether a delegate's instruction may refuse a ballot of ``poll``: a named vote on a motion
    of a sitting."""
    return (
        poll.kind == Poll.Kind.MOTION and poll.secrecy == Poll.Secrecy.OPEN and _motion_link(poll) is not None
    )


def check_instruction(poll: Poll, principal_id: int, ballot: Mapping[str, Any], moment: datetime) -> None:
    """Ballot check: a delegate's named ballot on a motion of a sitting against a binding instruction
    of their council below is refused, with the message naming the instruction."""
    if poll.kind != Poll.Kind.MOTION or poll.secrecy != Poll.Secrecy.OPEN:
        return
    link = _motion_link(poll)
    if link is None:
        return
    motion_id, _council_id = link
    seat = (
        Seat.objects.filter(
            pk__in=Elector.objects.filter(poll_id=poll.pk, member_id=principal_id).values("seat_id")
        )
        .only("pk", "child_council_id")
        .first()
    )
    if seat is None or seat.child_council_id is None:
        return
    motion = Motion.objects.only("pk", "number").get(pk=motion_id)
    for choice in _choices(ballot):
        check = instruction_check(seat=seat, motion=motion, choice=choice, at=moment)
        if not check.allowed:
            raise ValidationError({"ballot": check.message})


def _whole(value: Any) -> int:
    """A weighted total as a whole number of votes (a split weight may leave a fraction)."""
    return round(Fraction(str(value)))


def _named_votes(poll: Poll) -> list[tuple[Seat, str]]:
    """Each named ballot of a motion's poll as (seat, choice): the answer given the most weight."""
    seats = {
        e.member_id: e.seat
        for e in Elector.objects.filter(poll=poll, seat__isnull=False).select_related("seat__holder")
    }
    out: list[tuple[Seat, str]] = []
    for principal_id, ballot in (
        Participation.objects.filter(poll=poll, ballot__isnull=False)
        .order_by("pk")
        .values_list("principal_id", "ballot")
    ):
        answers = {a: n for a, n in (ballot or {}).get("answers", {}).items() if n}
        seat = seats.get(principal_id)
        if not answers or seat is None:
            continue
        out.append((seat, max(answers, key=lambda a: (answers[a], a == "yes"))))
    return out


def record_decision(poll: Poll, *, actor: Any, at: datetime) -> None:
    """Published listener: a sitting's poll on a motion, an amendment or an instruction records the
    council's decision from its declared result (once)."""
    link = (
        SittingPoll.objects.select_for_update(of=("self",))
        .select_related("sitting__council", "motion", "amendment")
        .filter(poll_id=poll.pk)
        .first()
    )
    if link is None or link.decision_id is not None:
        return
    result = poll.result or {}
    if link.subject not in (
        SittingPoll.Subject.MOTION,
        SittingPoll.Subject.AMENDMENT,
        SittingPoll.Subject.INSTRUCTION,
    ):
        publish_sitting(link.sitting)
        return
    votes = (result.get("stages") or [{}])[0].get("votes", {})
    yes, no, abstain = (_whole(votes.get(a, 0)) for a in ("yes", "no", "abstain"))
    adopted = bool(result.get("adopted"))
    named = None if poll.is_secret else _named_votes(poll)
    moment = poll.closed_at or at
    actor = actor if actor is not None else SYSTEM
    if link.subject == SittingPoll.Subject.INSTRUCTION:
        assert link.motion is not None
        decision, _instruction = instruction_apply(
            actor=actor,
            council=link.sitting.council,
            motion=link.motion,
            position=link.position,
            sitting=link.sitting,
            item=link.item,
            yes=yes,
            no=no,
            abstain=abstain,
            method=Decision.Method.POLL,
            adopted=adopted,
            votes=named,
            moment=moment,
            at=at,
        )
    else:
        assert link.motion is not None
        motion = _lock_motion(link.motion)
        decision = decision_apply(
            actor=actor,
            motion=motion,
            amendment=link.amendment,
            sitting=link.sitting,
            item=link.item,
            yes=yes,
            no=no,
            abstain=abstain,
            method=Decision.Method.POLL,
            adopted=adopted,
            votes=named,
            note=str(result.get("explanation", ""))[:300],
            moment=moment,
            at=at,
            enforce_instructions=False,
        )
    link.decision = decision
    link.save(update_fields=["decision"])


def register() -> None:
    """Take part in the voting app's polls (called when the app is ready)."""
    hooks.register_electorate_filter(present_seats)
    hooks.register_ballot_check(check_instruction, applies=instruction_applies)
    hooks.register_published_listener(record_decision)
