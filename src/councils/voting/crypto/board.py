"""A secret poll's bulletin board: an append-only hash chain of public events, built and verified.

A board is ``{"events": [...], "format": "councils-board/1"}``. Each event is::

    {"body": {...}, "hash": H, "prev": H_previous, "seq": n, "type": T}

with ``seq`` counting from 0, ``prev`` the previous event's hash (64 zeros for the first) and
``hash = SHA-256(canonical_json({"body", "prev", "seq", "type"}))``. The types, in the order a
board allows them::

    setup               {"committee", "election_key", "fingerprint", "poll", "question"}
    trustee_key  x n    {"commitments", "exchange_key", "index", "proofs"}
    ballot              {"ballot", "tracker", "weight"}          (no voter, no time)
    ballot_withdrawn    {"tracker"}
    close               {"count", "sum", "total_weight"}
    partial_decryption  {"factors", "index"}                     (at least t of them)
    result              {"counts"}

``verify_board`` checks all of it and raises ``BoardError`` naming the first event that fails.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.ballot import (
    ZERO,
    Ballot,
    Ciphertext,
    Question,
    ballot_check_proofs,
    ballot_parse,
    ballot_verify,
)
from councils.voting.crypto.canonical import canonical_json, canonical_json_trusted
from councils.voting.crypto.errors import CryptoError, InvalidProofError, MalformedError, RefusedError
from councils.voting.crypto.trustees import (
    PublicTrustee,
    combine,
    decryption_factors,
    decryption_factors_verify,
    public_trustees_verify,
)

__all__ = [
    "BOARD_FORMAT",
    "GENESIS",
    "BoardError",
    "BoardWriter",
    "Tally",
    "VerifiedBoard",
    "board_add_partial",
    "board_append",
    "board_publish_result",
    "event_hash",
    "poll_fingerprint",
    "trustee_decrypt",
    "verify_board",
]

BOARD_FORMAT = "councils-board/1"
GENESIS = "0" * 64
_ORDER = ("setup", "trustee_key", "ballot", "close", "partial_decryption", "result")
_PHASE = {
    "setup": 0,
    "trustee_key": 1,
    "ballot": 2,
    "ballot_withdrawn": 2,
    "close": 3,
    "partial_decryption": 4,
    "result": 5,
}


class BoardError(CryptoError):
    """A board fails verification at event ``seq`` (of ``type``); the message says what."""

    def __init__(self, seq: int | None, type_: str | None, message: str) -> None:
        self.seq, self.type, self.detail = seq, type_, message
        where = "board" if seq is None else f"event {seq} ({type_})"
        super().__init__(f"{where}: {message}")


def event_hash(*, seq: int, type_: str, prev: str, body: Mapping[str, Any]) -> str:
    """The hash of an event."""
    return hashlib.sha256(
        canonical_json({"body": dict(body), "prev": prev, "seq": seq, "type": type_})
    ).hexdigest()


def poll_fingerprint(
    *, poll: Mapping[str, Any], question: Question, committee: str, election_key: bytes
) -> str:
    """SHA-256 of ``{"committee", "election_key", "poll", "question"}``, canonical: the poll's identity."""
    return hashlib.sha256(
        canonical_json(
            {
                "committee": committee,
                "election_key": election_key.hex(),
                "poll": dict(poll),
                "question": question.to_json(),
            }
        )
    ).hexdigest()


class Tally:
    """The encrypted sums kept up to date as ballots arrive, grouped by weight.

    Adding a ballot costs one point addition per answer; ``weighted_sums`` costs one
    multiplication per distinct weight and answer.
    """

    def __init__(self, answers: int) -> None:
        self.answers = answers
        self.by_weight: dict[int, list[Ciphertext]] = {}
        self.count = 0
        self.total_weight = 0

    def add(self, ciphertexts: Sequence[Ciphertext], weight: int, sign: int = 1) -> None:
        """Add (or with ``sign=-1`` take away) one ballot's ciphertexts with its weight."""
        sums = self.by_weight.setdefault(weight, [ZERO] * self.answers)
        for a, ct in enumerate(ciphertexts):
            sums[a] = sums[a] + ct if sign > 0 else sums[a] - ct
        self.count += sign
        self.total_weight += sign * weight

    def weighted_sums(self) -> list[Ciphertext]:
        """``sum over weights w of w * (sum of the ciphertexts of weight w)``, per answer."""
        out = [ZERO] * self.answers
        for weight in sorted(self.by_weight):
            for a, ct in enumerate(self.by_weight[weight]):
                out[a] = out[a] + (ct if weight == 1 else ct.scaled(weight))
        return out


def _sums_json(sums: Iterable[Ciphertext]) -> list[dict[str, str]]:
    return [ct.to_json() for ct in sums]


@dataclass
class BoardWriter:
    """Builds a board in memory, checking each event as it is appended (tests, demo, the server's model)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    question: Question | None = None
    fingerprint: str = ""
    election_key: bytes = b""
    committee: dict[str, Any] = field(default_factory=dict)
    verification_keys: dict[int, bytes] = field(default_factory=dict)
    tally: Tally | None = None
    ballots: dict[str, tuple[Ballot, int]] = field(default_factory=dict)
    alphas: set[bytes] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    sums: list[Ciphertext] = field(default_factory=list)
    partials: dict[int, list[bytes]] = field(default_factory=dict)

    @property
    def head(self) -> str:
        """The hash of the last event (the genesis value when empty)."""
        return self.events[-1]["hash"] if self.events else GENESIS

    def _append(self, type_: str, body: dict[str, Any]) -> dict[str, Any]:
        seq, prev = len(self.events), self.head
        event = {
            "body": body,
            "hash": event_hash(seq=seq, type_=type_, prev=prev, body=body),
            "prev": prev,
            "seq": seq,
            "type": type_,
        }
        self.events.append(event)
        return event

    def setup(
        self,
        *,
        poll: dict[str, Any],
        question: Question,
        committee: dict[str, Any],
        trustees: Sequence[PublicTrustee],
        election_key: bytes,
    ) -> str:
        """The setup event and one trustee_key event per trustee; returns the poll's fingerprint."""
        if self.events:
            raise MalformedError("setup: the board is not empty")
        key, verification = public_trustees_verify(committee, [t.to_json() for t in trustees])
        if key != election_key:
            raise InvalidProofError("setup: the election key is not the trustees' joint key")
        self.question, self.election_key, self.committee = question, election_key, committee
        self.verification_keys = verification
        self.fingerprint = poll_fingerprint(
            poll=poll, question=question, committee=committee["fingerprint"], election_key=election_key
        )
        self.tally = Tally(question.answers)
        self._append(
            "setup",
            {
                "committee": committee,
                "election_key": election_key.hex(),
                "fingerprint": self.fingerprint,
                "poll": poll,
                "question": question.to_json(),
            },
        )
        for t in trustees:
            self._append("trustee_key", t.to_json())
        return self.fingerprint

    def cast(self, ballot_json: Any, weight: int) -> str:
        """Verify a ballot and append it; return its tracker. Refuses copies and replays."""
        if self.tally is None or self.question is None or self.sums:
            raise MalformedError("cast: the poll is not open on this board")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise MalformedError("weight: must be a positive integer")
        ballot = ballot_verify(
            ballot_json, question=self.question, fingerprint=self.fingerprint, key=self.election_key
        )
        tracker = ballot.tracker
        if tracker in self.ballots:
            raise MalformedError("ballot: this ballot is already on the board")
        alphas = {ct.alpha for ct in ballot.ciphertexts}
        if alphas & self.alphas or len(alphas) != len(ballot.ciphertexts):
            raise MalformedError("ballot: a ciphertext copied from another ballot")
        self.alphas |= alphas
        self.ballots[tracker] = (ballot, weight)
        self.tally.add(ballot.ciphertexts, weight)
        self._append("ballot", {"ballot": ballot.to_json(), "tracker": tracker, "weight": weight})
        return tracker

    def withdraw(self, tracker: str) -> None:
        """Withdraw a ballot (its voter's later ballot replaces it, by the organization's rule)."""
        if self.tally is None or self.sums:
            raise MalformedError("withdraw: the poll is not open on this board")
        if tracker not in self.ballots or tracker in self.withdrawn:
            raise MalformedError(f"withdraw: no ballot {tracker} to withdraw")
        ballot, weight = self.ballots[tracker]
        self.tally.add(ballot.ciphertexts, weight, sign=-1)
        self.withdrawn.add(tracker)
        self._append("ballot_withdrawn", {"tracker": tracker})

    def close(self) -> None:
        """Append the count, the total weight and the encrypted weighted sum."""
        if self.tally is None or self.sums:
            raise MalformedError("close: the poll is not open on this board")
        self.sums = self.tally.weighted_sums()
        self._append(
            "close",
            {
                "count": self.tally.count,
                "sum": _sums_json(self.sums),
                "total_weight": self.tally.total_weight,
            },
        )

    def add_partial(self, partial: Mapping[str, Any]) -> None:
        """Verify a trustee's factors against the closed sum and append them."""
        if not self.sums:
            raise MalformedError("partial decryption: the poll is not closed")
        factors = decryption_factors_verify(
            partial=partial,
            fingerprint=self.fingerprint,
            election_key=self.election_key,
            verification_keys=self.verification_keys,
            sums=self.sums,
            where="partial decryption",
        )
        index = partial["index"]
        if index in self.partials:
            raise MalformedError(f"partial decryption: trustee {index} has already decrypted")
        if len(self.partials) >= self.committee["threshold"]:
            raise MalformedError("partial decryption: the threshold of trustees has already decrypted")
        self.partials[index] = factors
        self._append("partial_decryption", {"factors": list(partial["factors"]), "index": index})

    def counts(self) -> list[int]:
        """Combine the factors received so far (at least the threshold) into the counts."""
        assert self.tally is not None
        return combine(
            sums=self.sums,
            factors=self.partials,
            threshold=self.committee["threshold"],
            bound=self.tally.total_weight,
        )

    def publish_result(self) -> list[int]:
        """Append the result event (the decrypted counts) and return the counts."""
        counts = self.counts()
        self._append("result", {"counts": counts})
        return counts

    def to_json(self) -> dict[str, Any]:
        """The board document."""
        return {"events": self.events, "format": BOARD_FORMAT}


# --- Verification -------------------------------------------------------------------------------


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


@dataclass
class _ChunkResult:
    """What a worker found in a run of ballot events: failures, trackers, ciphertexts, sums."""

    failures: dict[int, str] = field(default_factory=dict)
    trackers: dict[int, str] = field(default_factory=dict)
    alphas: dict[int, tuple[bytes, ...]] = field(default_factory=dict)
    weights: dict[int, int] = field(default_factory=dict)
    by_weight: dict[int, list[Ciphertext]] = field(default_factory=dict)


# Set in the parent before the worker processes fork, so that they read the (large) board from
# their copy of its memory instead of receiving it pickled.
_shared: tuple[list[dict[str, Any]], Question, str, bytes, bool] | None = None


def _check_one(
    event: Mapping[str, Any], question: Question, fingerprint: str, key: bytes, proofs: bool
) -> tuple[str, Ballot, int]:
    body = event["body"]
    if not isinstance(body, dict) or set(body) != {"ballot", "tracker", "weight"}:
        raise MalformedError("expected the fields ['ballot', 'tracker', 'weight']")
    ballot = ballot_parse(body["ballot"], question)
    # ballot_parse accepted only the ballot's exact shape (hexadecimal strings, the version number),
    # so the walk that canonical_json makes to check its value can be skipped.
    tracker = hashlib.sha256(canonical_json_trusted(body["ballot"])).hexdigest()
    if body["tracker"] != tracker:
        raise InvalidProofError("the tracker is not the hash of the ballot")
    weight = body["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise MalformedError(f"weight {weight!r} is not a positive integer")
    if proofs:
        ballot_check_proofs(ballot, question=question, fingerprint=fingerprint, key=key)
    return tracker, ballot, weight


def _check_range(bounds: tuple[int, int]) -> _ChunkResult:
    assert _shared is not None
    events, question, fingerprint, key, proofs = _shared
    out = _ChunkResult()
    tally = Tally(question.answers)
    for event in events[bounds[0] : bounds[1]]:
        seq = event["seq"]
        try:
            tracker, ballot, weight = _check_one(event, question, fingerprint, key, proofs)
        except CryptoError as exc:
            out.failures[seq] = str(exc)
            continue
        out.trackers[seq] = tracker
        out.alphas[seq] = tuple(ct.alpha for ct in ballot.ciphertexts)
        out.weights[seq] = weight
        tally.add(ballot.ciphertexts, weight)
    out.by_weight = tally.by_weight
    return out


def _check_ballots(
    events: list[dict[str, Any]],
    question: Question,
    fingerprint: str,
    key: bytes,
    processes: int,
    proofs: bool,
) -> _ChunkResult:
    global _shared
    _shared = (events, question, fingerprint, key, proofs)
    try:
        if processes <= 1 or len(events) < 200 or "fork" not in mp.get_all_start_methods():
            return _check_range((0, len(events)))
        size = max(100, len(events) // (processes * 8))
        bounds = [(i, min(i + size, len(events))) for i in range(0, len(events), size)]
        merged = _ChunkResult()
        tally = Tally(question.answers)
        with ProcessPoolExecutor(max_workers=processes, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_check_range, bounds):
                merged.failures.update(part.failures)
                merged.trackers.update(part.trackers)
                merged.alphas.update(part.alphas)
                merged.weights.update(part.weights)
                for weight, sums in part.by_weight.items():
                    tally.add(sums, weight)
        merged.by_weight = tally.by_weight
        return merged
    finally:
        _shared = None


def _need(body: Any, keys: set[str], seq: int, type_: str) -> None:
    if not isinstance(body, dict) or set(body) != keys:
        raise BoardError(seq, type_, f"expected the fields {sorted(keys)}")


def verify_board(
    document: Mapping[str, Any],
    *,
    tracker: str | None = None,
    processes: int | None = None,
    check_ballot_proofs: bool = True,
) -> VerifiedBoard:
    """Check a whole board (see the module's docstring) and raise ``BoardError`` at the first failure.

    ``processes`` (default: 2, or 1 on a one-core machine) verify the ballots' proofs in parallel;
    failures are still reported in the board's order.
    """
    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    if not isinstance(document, Mapping) or document.get("format") != BOARD_FORMAT:
        raise BoardError(None, None, f"expected format {BOARD_FORMAT!r}")
    events = document.get("events")
    if not isinstance(events, list) or not events:
        raise BoardError(None, None, "no events")

    # 1. The chain, and the order of the event types.
    prev, phase = GENESIS, -1
    for seq, event in enumerate(events):
        if not isinstance(event, dict) or set(event) != {"body", "hash", "prev", "seq", "type"}:
            raise BoardError(seq, None, 'expected {"body", "hash", "prev", "seq", "type"}')
        type_ = event["type"]
        if not isinstance(type_, str) or type_ not in _PHASE:
            raise BoardError(seq, None, f"unknown event type {type_!r}")
        if not isinstance(event["body"], dict):
            raise BoardError(seq, type_, "its body is not an object")
        if event["seq"] != seq:
            raise BoardError(seq, type_, f"numbered {event['seq']!r}")
        if event["prev"] != prev:
            raise BoardError(seq, type_, "does not link to the previous event (chain broken)")
        try:
            computed = event_hash(seq=seq, type_=type_, prev=prev, body=event["body"])
        except CryptoError as exc:
            raise BoardError(seq, type_, str(exc)) from None
        if event["hash"] != computed:
            raise BoardError(seq, type_, "its hash does not match its content (chain broken)")
        new_phase = _PHASE[type_]
        if new_phase < phase or (type_ in {"setup", "close", "result"} and new_phase == phase):
            raise BoardError(seq, type_, "out of order")
        if phase == 0 and new_phase > 1:
            raise BoardError(seq, type_, "out of order: the trustees' keys come first")
        phase = new_phase
        prev = computed
    head = prev
    if events[0]["type"] != "setup":
        raise BoardError(0, events[0]["type"], "the first event must be the setup")

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

    # 3. Ballots: shape, trackers, weights, proofs and their sums by weight, in parallel; then
    # in the board's order: unique trackers, no ciphertext twice, withdrawals.
    ballot_events = [e for e in events if e["type"] == "ballot"]
    checked_ballots = _check_ballots(
        ballot_events, question, fingerprint, election_key, processes, check_ballot_proofs
    )
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


def board_append(document: dict[str, Any], type_: str, body: dict[str, Any]) -> dict[str, Any]:
    """Append one event to a board document (the caller has checked that it belongs there)."""
    events = document["events"]
    seq, prev = len(events), events[-1]["hash"] if events else GENESIS
    event = {
        "body": body,
        "hash": event_hash(seq=seq, type_=type_, prev=prev, body=body),
        "prev": prev,
        "seq": seq,
        "type": type_,
    }
    events.append(event)
    return event


def board_add_partial(
    document: dict[str, Any], partial: Mapping[str, Any], *, processes: int | None = None
) -> None:
    """Verify the board and a trustee's factors against its sum, then append them."""
    checked = verify_board(document, processes=processes)
    if not checked.closed or any(e["type"] == "result" for e in document["events"]):
        raise MalformedError("partial decryption: the board is not closed, or already has its result")
    setup = document["events"][0]["body"]
    _, verification_keys = public_trustees_verify(
        setup["committee"], [e["body"] for e in document["events"] if e["type"] == "trustee_key"]
    )
    decryption_factors_verify(
        partial=partial,
        fingerprint=checked.fingerprint,
        election_key=bytes.fromhex(setup["election_key"]),
        verification_keys=verification_keys,
        sums=checked.sums,
        where="partial decryption",
    )
    if partial["index"] in checked.partials:
        raise MalformedError(f"partial decryption: trustee {partial['index']} has already decrypted")
    if len(checked.partials) >= checked.threshold:
        raise MalformedError("partial decryption: the threshold of trustees has already decrypted")
    board_append(
        document, "partial_decryption", {"factors": list(partial["factors"]), "index": partial["index"]}
    )


def board_publish_result(document: dict[str, Any], *, processes: int | None = None) -> list[int]:
    """Combine the board's factors (at least the threshold), append the result and return the counts."""
    checked = verify_board(document, processes=processes)
    if not checked.closed or checked.counts is not None:
        raise MalformedError("result: the board is not closed, or already has its result")
    counts = combine(
        sums=checked.sums, factors=checked.partials, threshold=checked.threshold, bound=checked.total_weight
    )
    board_append(document, "result", {"counts": counts})
    return counts


def trustee_decrypt(
    document: Mapping[str, Any], key: Mapping[str, Any], *, processes: int | None = None
) -> dict[str, Any]:
    """A trustee's factors for the board's sum, after verifying the whole board up to its close.

    The sum decrypted is the one recomputed here from the board's ballots, never one supplied by
    the server; a board that is not closed, or whose declared sum differs, is refused.
    """
    try:
        checked = verify_board(document, processes=processes)
    except BoardError as exc:
        raise RefusedError(f"refusing to decrypt: the board does not verify: {exc}") from None
    if not checked.closed:
        raise RefusedError("refusing to decrypt: the poll is not closed on its board")
    setup = document["events"][0]["body"]
    if key.get("committee") != setup["committee"]["fingerprint"]:
        raise RefusedError("refusing to decrypt: this key belongs to another committee")
    return decryption_factors(
        key=key,
        committee_fingerprint=setup["committee"]["fingerprint"],
        fingerprint=checked.fingerprint,
        election_key=bytes.fromhex(setup["election_key"]),
        sums=checked.sums,
    )
