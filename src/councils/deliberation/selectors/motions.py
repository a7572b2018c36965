"""Motions as read by pages, API and minutes: the list, one motion with its amendments, history and
forwarding, and the compliance report of delegates with their councils' instructions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from councils.deliberation.models import Amendment, Decision, Instruction, Motion, RollCallVote
from councils.deliberation.text import Change, apply_changes, lines_of
from councils.federation.models import Council, Organization, Seat, open_at


def motions(*, organization: Organization, council: Council | None = None) -> QuerySet[Motion]:
    """The organization's motions (of one council) by council and number, with their council, source
    and counts of supporters and amendments."""
    rows = (
        Motion.objects.filter(organization=organization)
        .select_related("council", "submitter", "faction", "origin__council")
        .annotate(
            supporter_count=Count("supports", distinct=True),
            amendment_count=Count("amendments", distinct=True),
        )
    )
    if council is not None:
        rows = rows.filter(council=council)
    return rows.order_by("council__name", "number")


@dataclass(frozen=True)
class AmendmentRow:
    amendment: Amendment
    replaced: list[tuple[int, str]]
    decision: Decision | None


@dataclass(frozen=True)
class MotionPage:
    """Everything a motion's page shows, read in a constant number of queries."""

    motion: Motion
    lines: list[tuple[int, str]]
    amendments: list[AmendmentRow]
    decisions: list[Decision]
    supporters: list[str]
    history: list[object]
    adopted_text: str
    forwarded_as: Motion | None
    forwarded_decisions: list[Decision]
    origin_decisions: list[Decision]
    instructions: list[Instruction]


def _decisions(motion_ids: list[int]) -> list[Decision]:
    return list(
        Decision.objects.filter(motion_id__in=motion_ids)
        .select_related("sitting", "amendment")
        .order_by("at", "pk")
    )


def motion_page(*, motion: Motion) -> MotionPage:
    """A motion with its numbered lines, amendments (with what they replace and how they were
    decided), decisions, supporters, history, the text as adopted (or as it would be with the
    amendments adopted so far), where it was forwarded and how that went, and the instructions
    child councils gave on it."""
    lines = list(enumerate(lines_of(motion.text), start=1))
    amendments = list(
        motion.amendments.select_related("submitter", "faction").order_by("first_line", "number")
    )
    forwarded = Motion.objects.filter(origin=motion).select_related("council").first()
    ids = (
        [motion.pk] + ([forwarded.pk] if forwarded else []) + ([motion.origin_id] if motion.origin_id else [])
    )
    decisions = _decisions(ids)
    by_amendment = {d.amendment_id: d for d in decisions if d.amendment_id is not None}
    rows = [
        AmendmentRow(
            amendment=a,
            replaced=[(n, t) for n, t in lines if a.first_line <= n <= a.last_line],
            decision=by_amendment.get(a.pk),
        )
        for a in amendments
    ]
    adopted = motion.adopted_text or apply_changes(
        motion.text,
        [Change(a.first_line, a.last_line, a.text) for a in amendments if a.state == Amendment.State.ADOPTED],
    )
    return MotionPage(
        motion=motion,
        lines=lines,
        amendments=rows,
        decisions=[d for d in decisions if d.motion_id == motion.pk and d.amendment_id is None],
        supporters=list(
            motion.supports.select_related("member").order_by("at").values_list("member__name", flat=True)
        ),
        history=list(motion.history.select_related("actor").order_by("at", "pk")),
        adopted_text=adopted,
        forwarded_as=forwarded,
        forwarded_decisions=[
            d for d in decisions if forwarded and d.motion_id == forwarded.pk and d.amendment_id is None
        ],
        origin_decisions=[
            d
            for d in decisions
            if motion.origin_id and d.motion_id == motion.origin_id and d.amendment_id is None
        ],
        instructions=list(
            Instruction.objects.filter(motion=motion, ended_at__isnull=True)
            .select_related("council")
            .order_by("council__name")
        ),
    )


# --- compliance --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    """One delegate's named vote on a motion against their council's instruction (plain values: a
    congress has thousands of delegates, and a row of model instances per vote would cost more
    than the query)."""

    seat_id: int
    delegate: str
    council_id: int | None
    council_name: str
    instruction: Instruction | None
    vote: str
    decision_id: int
    motion_id: int

    @property
    def instructed(self) -> bool:
        return self.instruction is not None and self.instruction.position != Instruction.Position.FREE

    @property
    def complied(self) -> bool | None:
        """True: voted as instructed; False: departed; None: no instruction (or a free vote)."""
        if not self.instructed or self.instruction is None:
            return None
        return self.vote == self.instruction.position


@dataclass(frozen=True)
class Compliance:
    motion: Motion
    rows: list[ComplianceRow]

    @property
    def complied(self) -> int:
        return sum(1 for r in self.rows if r.complied is True)

    @property
    def departed(self) -> int:
        return sum(1 for r in self.rows if r.complied is False)


_VOTE_FIELDS = (
    "seat_id",
    "seat__holder__name",
    "seat__child_council_id",
    "seat__child_council__name",
    "choice",
    "decision_id",
    "decision__motion_id",
)


def compliance(*, motion: Motion) -> Compliance:
    """Per delegate, how they voted on ``motion`` in its named votes (roll calls; named polls once the
    voting app is integrated) and whether that followed the instruction of the council that sent
    them: two queries, whatever the number of delegates."""
    instructions = {i.council_id: i for i in Instruction.objects.filter(motion=motion, ended_at__isnull=True)}
    votes = (
        RollCallVote.objects.filter(decision__motion=motion, decision__amendment__isnull=True)
        .order_by("seat__child_council__name", "seat__holder__name")
        .values_list(*_VOTE_FIELDS)
    )
    rows = [
        ComplianceRow(
            seat_id=seat_id,
            delegate=name,
            council_id=council_id,
            council_name=council_name or "",
            instruction=instructions.get(council_id or 0),
            vote=choice,
            decision_id=decision_id,
            motion_id=motion_id,
        )
        for seat_id, name, council_id, council_name, choice, decision_id, motion_id in votes
    ]
    return Compliance(motion=motion, rows=rows)


def seat_compliance(*, seat: Seat) -> list[ComplianceRow]:
    """A delegate's record: every named vote they cast on a motion, with the instruction of their
    council on it (what a constituency sees beside its deputy when a recall is proposed). Two queries."""
    votes = list(
        RollCallVote.objects.filter(
            seat=seat, decision__amendment__isnull=True, decision__motion__isnull=False
        )
        .order_by("decision__at")
        .values_list(*_VOTE_FIELDS)
    )
    instructions = (
        {
            i.motion_id: i
            for i in Instruction.objects.filter(
                motion_id__in=[v[6] for v in votes], council_id=seat.child_council_id, ended_at__isnull=True
            )
        }
        if seat.child_council_id is not None
        else {}
    )
    return [
        ComplianceRow(
            seat_id=seat_id,
            delegate=name,
            council_id=council_id,
            council_name=council_name or "",
            instruction=instructions.get(motion_id),
            vote=choice,
            decision_id=decision_id,
            motion_id=motion_id,
        )
        for seat_id, name, council_id, council_name, choice, decision_id, motion_id in votes
    ]


@dataclass(frozen=True)
class DelegateRecord:
    """How a deputy voted as a delegate above, in named votes where their council had instructed them."""

    complied: int
    departed: int

    @property
    def instructed(self) -> int:
        return self.complied + self.departed


def delegate_records(*, seats: list[Seat]) -> dict[int, DelegateRecord]:
    """For deputies' seats (a constituency's), their record as delegates: the named votes cast from
    the delegate seats derived from them, against their council's instructions. Keyed by the
    deputy's seat; two queries, whatever the number of seats and votes."""
    votes = list(
        RollCallVote.objects.filter(
            seat__derives_from__in=[s.pk for s in seats],
            decision__motion__isnull=False,
            decision__amendment__isnull=True,
        ).values_list("seat__derives_from_id", "seat__child_council_id", "choice", "decision__motion_id")
    )
    if not votes:
        return {}
    positions = {
        (council_id, motion_id): position
        for council_id, motion_id, position in Instruction.objects.filter(
            motion_id__in={v[3] for v in votes}, council_id__in={v[1] for v in votes}, ended_at__isnull=True
        ).values_list("council_id", "motion_id", "position")
    }
    counts: dict[int, list[int]] = {}
    for below, council_id, choice, motion_id in votes:
        position = positions.get((council_id, motion_id))
        if below is None or position is None or position == Instruction.Position.FREE:
            continue
        tally = counts.setdefault(below, [0, 0])
        tally[0 if choice == position else 1] += 1
    return {seat_id: DelegateRecord(complied=c, departed=d) for seat_id, (c, d) in counts.items()}


def delegates_of(*, council: Council, at: datetime | None = None) -> QuerySet[Seat]:
    """The seats held in ``council`` now, with their holders and the child councils that sent them."""
    return (
        Seat.objects.filter(open_at(at or timezone.now()), council=council)
        .select_related("holder", "child_council")
        .order_by("child_council__name", "holder__name")
    )


__all__ = [
    "AmendmentRow",
    "Compliance",
    "ComplianceRow",
    "DelegateRecord",
    "MotionPage",
    "compliance",
    "delegate_records",
    "delegates_of",
    "motion_page",
    "motions",
    "seat_compliance",
]
