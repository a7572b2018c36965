"""``verify_board``: every check of a board, the first failure named."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Ciphertext, Question, ballot_parse
from councils.voting.crypto.board.ballots import BallotContext, check_ballots
from councils.voting.crypto.board.chain import (
    BOARD_FORMAT,
    BoardError,
    _need,
    is_event,
    poll_fingerprint,
    verify_chain,
)
from councils.voting.crypto.board.tally import Tally, _sums_json
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.trustees import combine, decryption_factors_verify, public_trustees_verify

__all__ = ["VerifiedBoard", "verify_board"]


@dataclass(frozen=True, slots=True)
class VerifiedBoard:
    """What a successful verification establishes."""

    head: str
    fingerprint: str
    ballots: int
    withdrawn: int
    total_weight: int
    counts: tuple[int, ...] | None
    closed: bool
    sums: tuple[Ciphertext, ...]
    threshold: int = 0
    partials: dict[int, list[bytes]] = field(default_factory=dict)


def _ballot_context(events: list[Any], proofs: bool) -> BallotContext | None:
    """The setup's question, fingerprint and key, or None when they cannot be read (step 2 says why)."""
    try:
        setup = events[0]["body"]
        question = Question.from_json(setup["question"], "question")
        key = group.point_from_hex(setup["election_key"], "election_key")
        fingerprint = poll_fingerprint(
            poll=setup["poll"],
            question=question,
            committee=setup["committee"]["fingerprint"],
            election_key=key,
        )
    except (CryptoError, LookupError, TypeError, AttributeError, ValueError):
        return None
    return BallotContext(question, fingerprint, key, proofs)


def verify_board(
    document: Mapping[str, Any],
    *,
    tracker: str | None = None,
    processes: int | None = None,
    check_ballot_proofs: bool = True,
) -> VerifiedBoard:
    """Check a whole board (see the package's docstring) and raise ``BoardError`` at the first failure.

    ``processes`` (default: the machine's cores) check the ballots in parallel; failures are
    still reported in the board's order.
    """
    if processes is None:
        processes = os.cpu_count() or 1
    if not isinstance(document, Mapping) or document.get("format") != BOARD_FORMAT:
        raise BoardError(None, None, f"expected format {BOARD_FORMAT!r}")
    events = document.get("events")
    if not isinstance(events, list) or not events:
        raise BoardError(None, None, "no events")

    # The ballots are checked first, in parallel, with the chain hashes of their events (see
    # ballots.py); their failures are reported below in the board's order, after the chain's.
    context = _ballot_context(events, check_ballot_proofs)
    positions = [i for i, e in enumerate(events) if is_event(e) and e["type"] == "ballot"]
    checked_ballots = check_ballots(events, positions, context, processes)

    # 1. The chain, and the order of the event types.
    head = verify_chain(events, checked_ballots.hashes)

    # 2. The setup: the poll's fingerprint, the trustees' proofs and the election key.
    setup = events[0]["body"]
    _need(setup, {"committee", "election_key", "fingerprint", "poll", "question"}, 0, "setup")
    try:
        question = Question.from_json(setup["question"], "question")
        election_key = group.point_from_hex(setup["election_key"], "election_key")
        committee = setup["committee"]
        fingerprint = poll_fingerprint(
            poll=setup["poll"],
            question=question,
            committee=committee["fingerprint"],
            election_key=election_key,
        )
    except (CryptoError, KeyError, TypeError) as exc:
        raise BoardError(0, "setup", f"malformed: {exc}") from None
    if fingerprint != setup["fingerprint"]:
        raise BoardError(0, "setup", "the poll's fingerprint does not match the poll")
    trustee_events = [e for e in events if e["type"] == "trustee_key"]
    try:
        joint_key, verification_keys = public_trustees_verify(committee, [e["body"] for e in trustee_events])
    except (CryptoError, KeyError, TypeError) as exc:
        seq = trustee_events[0]["seq"] if trustee_events else 0
        raise BoardError(seq, "trustee_key", str(exc)) from None
    if joint_key != election_key:
        raise BoardError(0, "setup", "the election key is not the trustees' joint key")

    # 3. Ballots: shape, trackers, weights, proofs and their sums by weight (checked above, in
    # parallel); then in the board's order: unique trackers, no ciphertext twice, withdrawals.
    if context != BallotContext(question, fingerprint, election_key, check_ballot_proofs):
        raise BoardError(0, "setup", "malformed")  # not reached: the same values, read twice
    tally = Tally(question.answers)
    tally.by_weight = checked_ballots.by_weight
    tally.count = len(checked_ballots.weights)
    tally.total_weight = sum(checked_ballots.weights.values())
    live: dict[str, int] = {}
    seen_trackers: set[str] = set()
    alphas: set[bytes] = set()
    sums: list[Ciphertext] | None = None
    total_weight = 0
    partials: dict[int, list[bytes]] = {}
    counts: list[int] | None = None
    withdrawn = 0
    for e in events[1:]:
        seq, type_, body = e["seq"], e["type"], e["body"]
        if type_ == "ballot":
            if seq in checked_ballots.failures:
                raise BoardError(seq, type_, checked_ballots.failures[seq])
            tracker_here = checked_ballots.trackers[seq]
            if tracker_here in seen_trackers:
                raise BoardError(seq, type_, f"tracker {tracker_here} appears twice")
            these = set(checked_ballots.alphas[seq])
            if these & alphas or len(these) != len(checked_ballots.alphas[seq]):
                raise BoardError(seq, type_, "a ciphertext copied from another ballot")
            alphas |= these
            seen_trackers.add(tracker_here)
            live[tracker_here] = seq
        elif type_ == "ballot_withdrawn":
            _need(body, {"tracker"}, seq, type_)
            if body["tracker"] not in live:
                raise BoardError(seq, type_, f"no ballot {body['tracker']!r} to withdraw")
            old = events[live.pop(body["tracker"])]["body"]
            tally.add(ballot_parse(old["ballot"], question).ciphertexts, old["weight"], sign=-1)
            withdrawn += 1
        elif type_ == "close":
            _need(body, {"count", "sum", "total_weight"}, seq, type_)
            if body["count"] != tally.count:
                raise BoardError(
                    seq, type_, f"declares {body['count']!r} ballots, the board holds {tally.count}"
                )
            if body["total_weight"] != tally.total_weight:
                raise BoardError(
                    seq,
                    type_,
                    f"declares a total weight of {body['total_weight']!r}, "
                    f"the ballots weigh {tally.total_weight}",
                )
            sums = tally.weighted_sums()
            total_weight = tally.total_weight
            if body["sum"] != _sums_json(sums):
                raise BoardError(seq, type_, "the encrypted sum is not the weighted sum of the ballots")
        elif type_ == "partial_decryption":
            _need(body, {"factors", "index"}, seq, type_)
            if sums is None:
                raise BoardError(seq, type_, "out of order: the poll was not closed")
            try:
                factors = decryption_factors_verify(
                    partial=body,
                    fingerprint=fingerprint,
                    election_key=election_key,
                    verification_keys=verification_keys,
                    sums=sums,
                    where="partial decryption",
                )
            except CryptoError as exc:
                raise BoardError(seq, type_, str(exc)) from None
            if body["index"] in partials:
                raise BoardError(seq, type_, f"trustee {body['index']} decrypted twice")
            if len(partials) >= committee["threshold"]:
                # Only threshold x answers factors ever exist: the sum needs no more.
                raise BoardError(seq, type_, "more trustees decrypted than the threshold")
            partials[body["index"]] = factors
        elif type_ == "result":
            _need(body, {"counts"}, seq, type_)
            if sums is None:
                raise BoardError(seq, type_, "out of order: the poll was not closed")
            try:
                counts = combine(
                    sums=sums, factors=partials, threshold=committee["threshold"], bound=total_weight
                )
            except CryptoError as exc:
                raise BoardError(seq, type_, str(exc)) from None
            if body["counts"] != counts:
                raise BoardError(seq, type_, f"declares {body['counts']!r}, the decryption gives {counts}")
    if tracker is not None and tracker not in live:
        where = "was withdrawn" if tracker in seen_trackers else "is not on the board"
        raise BoardError(None, None, f"tracker {tracker} {where}")
    return VerifiedBoard(
        head=head,
        fingerprint=fingerprint,
        ballots=tally.count,
        withdrawn=withdrawn,
        total_weight=tally.total_weight,
        counts=None if counts is None else tuple(counts),
        closed=sums is not None,
        sums=tuple(sums or ()),
        threshold=committee["threshold"],
        partials=partials,
    )
