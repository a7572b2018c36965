"""Checking a board's ballot events, in parallel processes: shape, tracker, weight, proofs, sums."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from councils.voting.crypto.ballot import Ballot, Ciphertext, Question, ballot_check_proofs, ballot_parse
from councils.voting.crypto.board.tally import Tally
from councils.voting.crypto.canonical import canonical_json_trusted
from councils.voting.crypto.errors import CryptoError, InvalidProofError, MalformedError

__all__ = ["check_ballots"]


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


def check_ballots(
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
