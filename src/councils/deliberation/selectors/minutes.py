"""The minutes of a sitting: who attended, each item with its speakers and decisions, the texts
adopted. One structure feeds the page, the PDF and the CSV/JSON exports, in a constant number of
queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from councils.deliberation.models import AgendaItem, AttendanceRecord, Decision, RollCallVote, Sitting, Speech
from councils.deliberation.selectors.polls import MinutesPoll, sitting_polls
from councils.deliberation.selectors.sittings import Quorum, quorum, spoken_seconds


@dataclass(frozen=True)
class MinutesSpeech:
    name: str
    faction: str
    kind: str
    stance: str
    started_at: datetime
    seconds: int


@dataclass(frozen=True)
class MinutesVote:
    name: str
    choice: str
    departed: bool


@dataclass(frozen=True)
class MinutesDecision:
    decision: Decision
    subject: str
    votes: list[MinutesVote]


@dataclass(frozen=True)
class MinutesItem:
    item: AgendaItem
    speeches: list[MinutesSpeech]
    decisions: list[MinutesDecision]
    adopted_text: str
    polls: list[MinutesPoll] = field(default_factory=list)


@dataclass(frozen=True)
class MinutesAttendance:
    name: str
    first_in: datetime | None
    last_out: datetime | None
    present_at_end: bool


@dataclass(frozen=True)
class Minutes:
    sitting: Sitting
    quorum: Quorum
    attendance: list[MinutesAttendance]
    items: list[MinutesItem]
    other_decisions: list[MinutesDecision] = field(default_factory=list)
    other_polls: list[MinutesPoll] = field(default_factory=list)


def _subject(decision: Decision) -> str:
    from django.utils.translation import gettext as _

    if decision.amendment_id is not None and decision.amendment is not None and decision.motion is not None:
        return _("Amendment %(a)s to motion %(m)s") % {
            "a": decision.amendment.number,
            "m": decision.motion.number,
        }
    if decision.motion is not None:
        return _("Motion %(m)s: %(title)s") % {"m": decision.motion.number, "title": decision.motion.title}
    return decision.note


def minutes(*, sitting: Sitting) -> Minutes:
    """The minutes of ``sitting`` (eleven queries, whatever its size)."""
    items = list(sitting.items.select_related("motion").order_by("number"))
    speeches: dict[int, list[MinutesSpeech]] = defaultdict(list)
    for s in (
        Speech.objects.filter(item__sitting=sitting, started_at__isnull=False)
        .select_related("member", "faction")
        .order_by("started_at", "pk")
    ):
        speeches[s.item_id].append(
            MinutesSpeech(
                name=s.member.name,
                faction=s.faction.name if s.faction else "",
                kind=s.get_kind_display(),
                stance=s.get_stance_display() if s.stance else "",
                started_at=s.started_at,  # type: ignore[arg-type]
                seconds=spoken_seconds(s, s.ended_at or s.started_at),  # type: ignore[arg-type]
            )
        )
    decisions = list(
        Decision.objects.filter(sitting=sitting).select_related("motion", "amendment").order_by("at", "pk")
    )
    votes: dict[int, list[MinutesVote]] = defaultdict(list)
    choice_labels = dict(RollCallVote.Choice.choices)
    # Plain values, not model instances: a congress's roll call has thousands of rows.
    for decision_id, name, choice, departed in (
        RollCallVote.objects.filter(decision__sitting=sitting)
        .order_by("seat__holder__name")
        .values_list("decision_id", "seat__holder__name", "choice", "departed_from_id")
    ):
        votes[decision_id].append(
            MinutesVote(
                name=name, choice=str(choice_labels.get(choice, choice)), departed=departed is not None
            )
        )
    by_item: dict[int | None, list[MinutesDecision]] = defaultdict(list)
    for d in decisions:
        by_item[d.item_id].append(MinutesDecision(decision=d, subject=_subject(d), votes=votes.get(d.pk, [])))
    first_in: dict[int, datetime] = {}
    last_out: dict[int, datetime] = {}
    present: dict[int, bool] = {}
    names: dict[int, str] = {}
    for seat_id, name, is_present, at in (
        AttendanceRecord.objects.filter(sitting=sitting)
        .order_by("at", "pk")
        .values_list("seat_id", "seat__holder__name", "present", "at")
    ):
        names[seat_id] = name
        present[seat_id] = is_present
        if is_present:
            first_in.setdefault(seat_id, at)
        else:
            last_out[seat_id] = at
    attendance = sorted(
        (
            MinutesAttendance(
                name=names[seat_id],
                first_in=first_in.get(seat_id),
                last_out=last_out.get(seat_id) if not present[seat_id] else None,
                present_at_end=present[seat_id],
            )
            for seat_id in names
        ),
        key=lambda a: a.name,
    )
    polls = sitting_polls(sitting=sitting)
    rows = []
    for item in items:
        motion = item.motion
        adopted = motion.adopted_text if motion is not None and motion.adopted_text else ""
        rows.append(
            MinutesItem(
                item=item,
                speeches=speeches.get(item.pk, []),
                decisions=by_item.get(item.pk, []),
                adopted_text=adopted,
                polls=polls.get(item.pk, []),
            )
        )
    return Minutes(
        sitting=sitting,
        quorum=quorum(sitting=sitting, at=sitting.closed_at),
        attendance=attendance,
        items=rows,
        other_decisions=by_item.get(None, []),
        other_polls=polls.get(None, []),
    )


def minutes_data(m: Minutes) -> dict[str, Any]:
    """The minutes as plain data (for the JSON export): strings, numbers, ISO moments."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    def decision(d: MinutesDecision) -> dict[str, Any]:
        return {
            "subject": d.subject,
            "method": d.decision.method,
            "yes": d.decision.yes,
            "no": d.decision.no,
            "abstain": d.decision.abstain,
            "adopted": d.decision.adopted,
            "at": iso(d.decision.at),
            "note": d.decision.note,
            "votes": [
                {"deputy": v.name, "choice": v.choice, "departed_from_instruction": v.departed}
                for v in d.votes
            ],
        }

    def poll(p: MinutesPoll) -> dict[str, Any]:
        return {
            "poll": p.poll.pk,
            "title": p.poll.title,
            "subject": p.subject,
            "state": p.poll.state,
            "secrecy": p.poll.secrecy,
            "outcome": p.outcome,
            "voters": p.voters,
            "electors": p.electors,
            "votes": [{"deputy": name, "vote": vote} for name, vote in p.named],
        }

    s = m.sitting
    return {
        "sitting": {
            "id": s.pk,
            "title": s.title,
            "council": s.council.name,
            "kind": s.kind,
            "state": s.state,
            "starts_at": iso(s.starts_at),
            "opened_at": iso(s.opened_at),
            "closed_at": iso(s.closed_at),
            "place": s.place,
            "video_url": s.video_url,
        },
        "quorum": {"held": m.quorum.held, "present": m.quorum.present, "needed": m.quorum.needed},
        "attendance": [
            {
                "deputy": a.name,
                "first_in": iso(a.first_in),
                "last_out": iso(a.last_out),
                "present_at_end": a.present_at_end,
            }
            for a in m.attendance
        ],
        "items": [
            {
                "number": i.item.number,
                "kind": i.item.kind,
                "title": i.item.title,
                "planned_seconds": i.item.planned_seconds,
                "used_seconds": i.item.used_seconds,
                "outcome": i.item.outcome,
                "motion": i.item.motion.number if i.item.motion else None,
                "speeches": [
                    {
                        "speaker": sp.name,
                        "faction": sp.faction,
                        "kind": sp.kind,
                        "stance": sp.stance,
                        "started_at": iso(sp.started_at),
                        "seconds": sp.seconds,
                    }
                    for sp in i.speeches
                ],
                "decisions": [decision(d) for d in i.decisions],
                "polls": [poll(p) for p in i.polls],
                "adopted_text": i.adopted_text,
            }
            for i in m.items
        ],
        "other_decisions": [decision(d) for d in m.other_decisions],
        "other_polls": [poll(p) for p in m.other_polls],
    }
