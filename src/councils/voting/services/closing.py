"""Closing, counting, publishing and cancelling a poll."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, JSONField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.counting.errors import CountingError, MethodError
from councils.counting.majority import decide, tally
from councils.counting.methods import METHODS, SINGLE_SEAT
from councils.counting.profile import Profile
from councils.federation.services._common import moment_of, require
from councils.live.publish import publish_on_commit
from councils.voting import hooks, purposes, splits
from councils.voting.live import poll_topic
from councils.voting.models import (
    ANSWERS,
    BoardEvent,
    Candidate,
    Elector,
    Participation,
    Poll,
)
from councils.voting.services.common import (
    NOT_OFFICER,
    locked,
)


def participation_digest(poll: Poll) -> tuple[int, int, str]:
    """Participations of ``poll``: how many, their total weight, and the SHA-256 of their rows in
    id order (what ``poll.closed`` records; compare it to find a row changed since)."""
    digest = hashlib.sha256()
    count = weight = 0
    participations = Participation.objects.filter(poll=poll).order_by("pk")
    if poll.is_secret:
        # A secret ballot is stored once, in its board event (found by the tracker's index); the
        # digest is the one computed when participations held it too. A row written before then
        # and not moved by migration 0006 keeps its own.
        participations = participations.annotate(
            stored=Coalesce("ballot", _board_ballot(), output_field=JSONField())
        )
    rows = participations.values_list(
        "pk",
        "principal_id",
        "cast_by_id",
        "weight",
        "idempotency_key",
        "source",
        "stored" if poll.is_secret else "ballot",
    )
    for pk, principal, cast_by, w, key, source, ballot in rows.iterator(chunk_size=5000):
        count += 1
        weight += w
        line = f"{pk}|{principal}|{cast_by or ''}|{w}|{key}|{source}|{json.dumps(ballot, sort_keys=True)}\n"
        digest.update(line.encode())
    return count, weight, digest.hexdigest()


def _board_ballot() -> Subquery:
    """The ballot of the board event with the outer participation's tracker (none if it has none)."""
    events = BoardEvent.objects.filter(
        poll_id=OuterRef("poll_id"), tracker=OuterRef("tracker"), type="ballot"
    ).exclude(tracker="")  # the condition of the (poll, tracker) index, so that it is used
    # No ordering: the model's (by poll, then the poll's own ordering) would join the polls.
    return Subquery(events.order_by().values("body__ballot")[:1], output_field=JSONField())


@transaction.atomic
def poll_close(*, actor: Actor, poll: Poll, at: datetime | None = None, reason: str = "") -> Poll:
    """Close an open poll (at its deadline ``councils tick`` does): no vote is taken after, and
    the participations are sealed into the audit chain by their digest."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    # FOR UPDATE waits for every cast in flight (they KEY SHARE-lock the row): none commits after
    # the seal.
    poll = locked(poll)
    if poll.state != Poll.State.OPEN:
        raise ValidationError(
            {
                "poll": _("Only an open poll can be closed; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    closed_at = moment
    if poll.closes_at is not None and poll.closes_at < moment:
        closed_at = poll.closes_at  # tick writes down a close that happened at the deadline
    poll.state = Poll.State.CLOSED
    poll.closed_at = closed_at
    if poll.is_secret:
        from councils.voting.services.secret_board import secret_close

        secret_close(poll)  # the close event with the encrypted sum
    poll.save(update_fields=["state", "closed_at", "board_head", "board_length"])
    count, weight, digest = participation_digest(poll)
    event_record(
        organization=poll.organization,
        kind="poll.closed",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "participations": count,
            "weight": weight,
            "digest": digest,
            "reason": reason,
            "board_head": poll.board_head,
            "board_length": poll.board_length,
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


def poll_seed(poll: Poll) -> int:
    """The seed of any lot the count draws: derived from the poll, so a recount draws the same."""
    opened = poll.opened_at.isoformat() if poll.opened_at else ""
    return int(hashlib.sha256(f"councils-poll:{poll.pk}:{opened}".encode()).hexdigest()[:8], 16)


def _quorum_argument(poll: Poll) -> Any:
    if poll.quorum == Poll.Quorum.MAJORITY:
        return "majority"
    if poll.quorum == Poll.Quorum.NUMBER and poll.quorum_value is not None:
        return int(poll.quorum_value)
    if poll.quorum == Poll.Quorum.SHARE and poll.quorum_value is not None:
        return Fraction(poll.quorum_value)
    return None


def _number(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else str(value)


def count_result(poll: Poll, secret_totals: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The result of a closed poll as JSON: turnout, quorum, every stage of the count, the decision
    or the elected. Reads the participations (or a secret poll's decrypted totals)."""
    electors = Elector.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    voted = Participation.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    entered = {k: int(v) for k, v in (poll.entered_totals or {}).items()}
    members = int(electors["w"] or 0)
    present = (
        int(voted["w"] or 0) + sum(entered.values())
        if poll.kind == Poll.Kind.MOTION
        else int(voted["w"] or 0)
    )
    turnout = {
        "electors": int(electors["n"] or 0),
        "electorate_weight": members,
        "voters": int(voted["n"] or 0),
        "voted_weight": int(voted["w"] or 0),
        "entered": entered,
    }
    quorum = _quorum_argument(poll)
    # A secret poll's ballots are ciphertexts: it is counted from the decrypted totals alone.
    ballots = (
        []
        if secret_totals is not None
        else list(Participation.objects.filter(poll=poll).order_by("pk").values_list("ballot", "weight"))
    )
    if poll.kind == Poll.Kind.MOTION:
        counts: list[tuple[Any, int]] = []
        if secret_totals is not None:
            counts += [(a, int(secret_totals.get(a, 0))) for a in ANSWERS]
        else:
            for ballot, _w in ballots:
                counts += [(a, int(n)) for a, n in (ballot or {}).get("answers", {}).items()]
        counts += [(a, n) for a, n in entered.items()]
        totals = tally(counts)
        present = max(present, int(totals.yes + totals.no + totals.abstain))
        decision = decide(
            yes=totals.yes,
            no=totals.no,
            abstain=totals.abstain,
            members=max(members, present),
            present=present,
            rule=poll.majority,
            base=poll.majority_base or None,  # type: ignore[arg-type]
            abstentions=poll.abstentions,  # type: ignore[arg-type]
            quorum=quorum,
        )
        votes = {"yes": _number(totals.yes), "no": _number(totals.no), "abstain": _number(totals.abstain)}
        return {
            "kind": "motion",
            "turnout": turnout,
            "decision": decision.to_dict(),
            "adopted": decision.adopted,
            "quorum_met": decision.quorum_met,
            "outcome": "adopted"
            if decision.adopted
            else ("no quorum" if not decision.quorum_met else "rejected"),
            "explanation": decision.explanation,
            "stages": [
                {
                    "number": 1,
                    "action": "Votes",
                    "votes": {k: str(v) for k, v in votes.items()},
                    "transfers": {},
                    "elected": [],
                    "excluded": [],
                }
            ],
            "elected": [],
        }
    candidates = list(
        Candidate.objects.filter(poll=poll).order_by("position", "pk").values_list("pk", "name")
    )
    code = {pk: i for i, (pk, _n) in enumerate(candidates)}
    rankings: list[list[int]] = []
    weights: list[int] = []
    if secret_totals is not None:
        for pk, _n in candidates:
            n = int(secret_totals.get(str(pk), 0))
            if n:
                rankings.append([code[pk]])
                weights.append(n)
    else:
        for ballot, w in ballots:
            # A split ballot counts as one ballot per part, each with its share of the weight.
            for marks, share in splits.weighted_rankings(ballot, int(w)):
                rankings.append([code[c] for c in marks])
                weights.append(share)
    for option, n in entered.items():
        if n and int(option) in code:
            rankings.append([code[int(option)]])
            weights.append(n)
    quorum_met = True
    if quorum is not None:
        quorum_met = decide(
            yes=0, no=0, members=max(members, present), present=present, quorum=quorum
        ).quorum_met
    if not rankings:
        rankings, weights = [[]], [0]
    profile = Profile.from_rankings(
        [n for _pk, n in candidates], rankings, weights, seats=poll.seats, title=poll.title
    )
    seed = poll_seed(poll)
    counted = METHODS[poll.method](
        profile, seats=None if poll.method in SINGLE_SEAT else poll.seats, seed=seed
    )
    result = counted.to_dict()
    elected = list(counted.elected) if quorum_met else []
    ids = {name: pk for pk, name in candidates}
    return {
        **result,
        "kind": "election",
        "turnout": turnout,
        "quorum_met": quorum_met,
        "candidate_ids": ids,
        "counted_elected": list(counted.elected),
        "elected": elected,
        "outcome": ("elected: " + ", ".join(elected))
        if elected
        else ("no quorum" if not quorum_met else "nobody elected"),
    }


@transaction.atomic
def poll_count(
    *, actor: Actor, poll: Poll, at: datetime | None = None, secret_totals: Mapping[str, int] | None = None
) -> Poll:
    """Count a closed poll with ``councils.counting`` and store the result with every stage.

    A secret poll is counted from its decrypted totals (``secret_totals``: answer or candidate id ->
    votes), which only the trustees' decryption gives (:mod:`councils.voting.crypto`).
    """
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = locked(poll)
    if poll.state != Poll.State.CLOSED:
        raise ValidationError(
            {
                "poll": _("Only a closed poll can be counted; this one is %(s)s.")
                % {"s": poll.get_current_state_display()}
            }
        )
    if poll.is_secret and secret_totals is None:
        raise ValidationError(
            {"poll": _("A secret poll is counted from its trustees' decryption of the sum.")}
        )
    try:
        result = count_result(poll, secret_totals)
    except (CountingError, MethodError) as exc:
        raise ValidationError({"poll": str(exc)}) from exc
    result["seed"] = result.get("seed", poll_seed(poll))
    result["counted_at"] = moment.isoformat()
    purposes.on_counted(poll, result)
    poll.result = result
    poll.state = Poll.State.COUNTED
    poll.counted_at = moment
    poll.save(update_fields=["result", "state", "counted_at"])
    event_record(
        organization=poll.organization,
        kind="poll.counted",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "outcome": str(result["outcome"]),
            "elected": [str(e) for e in result.get("elected", [])],
            "digest": hashlib.sha256(json.dumps(result, sort_keys=True, default=str).encode()).hexdigest(),
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


@transaction.atomic
def poll_publish(*, actor: Actor, poll: Poll, at: datetime | None = None) -> Poll:
    """Declare a counted poll's result; what it decides (a recall, seats filled) follows through
    the purpose's handler (:mod:`councils.voting.purposes`) in the same transaction."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = locked(poll)
    if poll.state != Poll.State.COUNTED:
        raise ValidationError(
            {
                "poll": _("Only a counted poll can be published; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    poll.state = Poll.State.PUBLISHED
    poll.published_at = moment
    poll.save(update_fields=["state", "published_at"])
    purposes.on_published(poll, actor=actor, at=moment)
    hooks.published(poll, actor=actor, at=moment)
    event_record(
        organization=poll.organization,
        kind="poll.published",
        actor=actor,
        target=poll,
        data={"title": poll.title, "outcome": str((poll.result or {}).get("outcome", ""))},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


@transaction.atomic
def poll_cancel(*, actor: Actor, poll: Poll, reason: str = "", at: datetime | None = None) -> Poll:
    """Cancel a poll that has not been published. Its votes stay stored, uncounted."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = locked(poll)
    if poll.state in (Poll.State.PUBLISHED, Poll.State.CANCELLED):
        raise ValidationError(
            {"poll": _("A %(s)s poll cannot be cancelled.") % {"s": poll.get_state_display()}}
        )
    if poll.purpose == Poll.Purpose.RECALL:
        # The petition that opened it waits for its result: cancelled, it would wait for ever and
        # block every new petition against the seat.
        raise ValidationError(
            {
                "poll": _(
                    "A recall vote cannot be cancelled: its petition waits for the result. "
                    "Close it to count it."
                )
            }
        )
    poll.state = Poll.State.CANCELLED
    poll.cancelled_at = moment
    poll.save(update_fields=["state", "cancelled_at"])
    event_record(
        organization=poll.organization,
        kind="poll.cancelled",
        actor=actor,
        target=poll,
        data={"title": poll.title, "reason": reason},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll
