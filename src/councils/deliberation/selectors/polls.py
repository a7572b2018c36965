"""The polls of a sitting as the minutes show them: each poll with its result and, for a named
election, how each deputy voted (a named motion's votes are its decision's, shown with it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from councils.deliberation.models import Sitting, SittingPoll
from councils.federation.models import Member
from councils.voting.models import Candidate, Participation, Poll


@dataclass(frozen=True)
class MinutesPoll:
    poll: Poll
    subject: str
    state: str
    outcome: str
    voters: int
    electors: int
    named: list[tuple[str, str]] = field(default_factory=list)


def poll_outcome(poll: Poll) -> str:
    """A counted poll's outcome in words (adopted with its figures, or who was elected); empty
    before it is counted."""
    return _outcome(poll)


def _outcome(poll: Poll) -> str:
    result = poll.result or {}
    if poll.state not in (Poll.State.COUNTED, Poll.State.PUBLISHED) or not result:
        return ""
    if result.get("kind") == "motion":
        if not result.get("quorum_met", True):
            return _("no quorum")
        votes = (result.get("stages") or [{}])[0].get("votes", {})
        outcome = _("adopted") if result.get("adopted") else _("rejected")
        return _("%(outcome)s: %(yes)s for, %(no)s against, %(abstain)s abstaining") % {
            "outcome": outcome,
            "yes": votes.get("yes", 0),
            "no": votes.get("no", 0),
            "abstain": votes.get("abstain", 0),
        }
    elected = result.get("elected") or []
    if elected:
        return _("elected: %(names)s") % {"names": ", ".join(map(str, elected))}
    return _("no quorum") if not result.get("quorum_met", True) else _("nobody elected")


def sitting_polls(*, sitting: Sitting) -> dict[int | None, list[MinutesPoll]]:
    """The sitting's polls by agenda item (None: outside any item), in the order they opened: four
    queries whatever the number of polls and voters."""
    links = list(
        SittingPoll.objects.filter(sitting=sitting).select_related("poll").order_by("opened_at", "pk")
    )
    if not links:
        return {}
    election_ids = [
        link.poll_id
        for link in links
        if link.poll.kind == Poll.Kind.ELECTION
        and not link.poll.is_secret
        and link.poll.state == Poll.State.PUBLISHED
    ]
    candidates = dict(Candidate.objects.filter(poll_id__in=election_ids).values_list("pk", "name"))
    named: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for poll_id, principal_id, ballot in (
        Participation.objects.filter(poll_id__in=election_ids, ballot__isnull=False)
        .order_by("pk")
        .values_list("poll_id", "principal_id", "ballot")
    ):
        named[poll_id].append((principal_id, list((ballot or {}).get("ranking", []))))
    member_ids = {m for rows in named.values() for m, _r in rows}
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
    out: dict[int | None, list[MinutesPoll]] = defaultdict(list)
    for link in links:
        poll = link.poll
        turnout = (poll.result or {}).get("turnout", {})
        votes = sorted(
            (
                names.get(m, str(m)),
                " > ".join(candidates.get(c, str(c)) for c in ranking) or _("blank"),
            )
            for m, ranking in named.get(poll.pk, [])
        )
        out[link.item_id].append(
            MinutesPoll(
                poll=poll,
                subject=link.get_subject_display(),
                state=poll.get_current_state_display(),
                outcome=_outcome(poll),
                voters=int(turnout.get("voters", 0)),
                electors=int(turnout.get("electors", 0)),
                named=votes,
            )
        )
    return dict(out)


@dataclass(frozen=True)
class SittingPollNow:
    """The sitting's latest poll as the projector shows it: its turnout while open, its outcome once
    counted."""

    poll: Poll
    subject: str
    turnout: Any
    outcome: str


def current_poll(*, sitting: Sitting) -> SittingPollNow | None:
    """The poll of the sitting opened last (three queries; one when there is none)."""
    from councils.voting import selectors as voting_selectors

    link = (
        SittingPoll.objects.filter(sitting=sitting)
        .select_related("poll")
        .order_by("-opened_at", "-pk")
        .first()
    )
    if link is None:
        return None
    return SittingPollNow(
        poll=link.poll,
        subject=link.get_subject_display(),
        turnout=voting_selectors.turnout(poll=link.poll),
        outcome=_outcome(link.poll),
    )
