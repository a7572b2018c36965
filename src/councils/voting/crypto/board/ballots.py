"""Checking a board's ballot events in parallel processes: their hashes, shape, tracker, weight,
proofs and sums by weight.

This is where ``verify_board`` spends its time (about a millisecond of CPU per yes/no/abstain
ballot), so the work is split into chunks of ballot events that worker processes check
independently. Each result is keyed by the event's position; ``verify_board`` then reports the
first failure in the board's order, exactly as a sequential check would.

Each ballot event's chain hash is computed here too, from the ballot's canonical bytes that the
tracker needs anyway (``_event_hash``): the parent process would otherwise spend a fifth of the
whole verification hashing ballot events one by one while the workers wait.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Ballot, Ciphertext, Question, ballot_check_proofs, ballot_parse
from councils.voting.crypto.board.chain import HASH_MISMATCH, event_hash
from councils.voting.crypto.canonical import canonical_json, canonical_json_trusted
from councils.voting.crypto.errors import CryptoError, InvalidProofError, MalformedError

__all__ = ["BallotContext", "ChunkResult", "check_ballots"]


@dataclass(frozen=True, slots=True)
class BallotContext:
    """What a ballot is checked against, from the board's setup."""

    question: Question
    fingerprint: str
    key: bytes
    proofs: bool = True


@dataclass
class ChunkResult:
    """What the workers found, keyed by the events' positions on the board.

    ``hashes`` holds, for each ballot event hashed, None when its hash matches its content and
    otherwise the chain failure to report. The other fields are filled only with a context.
    """

    hashes: dict[int, str | None] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    trackers: dict[int, str] = field(default_factory=dict)
    alphas: dict[int, tuple[bytes, ...]] = field(default_factory=dict)
    weights: dict[int, int] = field(default_factory=dict)
    by_weight: dict[int, list[Ciphertext]] = field(default_factory=dict)


# Set in the parent before the worker processes fork, so that they read the (large) board from
# their copy of its memory instead of receiving it pickled.
_shared: tuple[list[Any], list[int], BallotContext | None] | None = None


def _event_hash(event: Mapping[str, Any], seq: int, ballot_bytes: bytes) -> str:
    """``event_hash`` of a ballot event whose body has exactly its three fields, from the ballot's
    canonical bytes: canonical JSON writes sorted keys, so the event's bytes are these pieces."""
    body = event["body"]
    data = b"".join(
        (
            b'{"body":{"ballot":',
            ballot_bytes,
            b',"tracker":',
            canonical_json(body["tracker"]),
            b',"weight":',
            canonical_json(body["weight"]),
            b'},"prev":',
            canonical_json(event["prev"]),
            b',"seq":',
            str(seq).encode(),
            b',"type":"ballot"}',
        )
    )
    return hashlib.sha256(data).hexdigest()


def _hash_result(event: Mapping[str, Any], seq: int, ballot_bytes: bytes | None) -> str | None:
    # The chain's hash check of a ballot event, as verify_chain makes it: by the time it reports
    # this event, its seq is its position and its prev the previous event's hash (else it failed).
    try:
        if ballot_bytes is not None and set(event["body"]) == {"ballot", "tracker", "weight"}:
            computed = _event_hash(event, seq, ballot_bytes)
        else:
            computed = event_hash(seq=seq, type_="ballot", prev=event["prev"], body=event["body"])
    except CryptoError:
        # Let the sequential path produce the very same message (its path inside the event).
        try:
            event_hash(seq=seq, type_="ballot", prev=event["prev"], body=event["body"])
        except CryptoError as exc:
            return str(exc)
        raise
    return None if event["hash"] == computed else HASH_MISMATCH


def _check_one(
    body: Mapping[str, Any], context: BallotContext
) -> tuple[Ballot | None, bytes | None, str | None]:
    """Parse a ballot event's body: its ballot, the ballot's canonical bytes, or what is wrong."""
    if set(body) != {"ballot", "tracker", "weight"}:
        return None, None, "expected the fields ['ballot', 'tracker', 'weight']"
    try:
        ballot = ballot_parse(body["ballot"], context.question)
    except CryptoError as exc:
        return None, None, str(exc)
    # ballot_parse accepted only the ballot's exact shape (hexadecimal strings, the version
    # number), so the walk that canonical_json makes to check its value can be skipped.
    return ballot, canonical_json_trusted(body["ballot"]), None


def _check_rest(body: Mapping[str, Any], ballot: Ballot, ballot_bytes: bytes, context: BallotContext) -> int:
    tracker = hashlib.sha256(ballot_bytes).hexdigest()
    if body["tracker"] != tracker:
        raise InvalidProofError("the tracker is not the hash of the ballot")
    weight = body["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise MalformedError(f"weight {weight!r} is not a positive integer")
    if context.proofs:
        ballot_check_proofs(
            ballot, question=context.question, fingerprint=context.fingerprint, key=context.key
        )
    return weight


def _check_range(bounds: tuple[int, int]) -> ChunkResult:
    assert _shared is not None
    events, positions, context = _shared
    out = ChunkResult()
    # The sums by weight and answer, added up once at the end (one decoding per point).
    points: dict[int, list[tuple[list[bytes], list[bytes]]]] = {}
    for seq in positions[bounds[0] : bounds[1]]:
        event = events[seq]
        body = event["body"]
        ballot = ballot_bytes = problem = None
        if context is not None:
            ballot, ballot_bytes, problem = _check_one(body, context)
        out.hashes[seq] = _hash_result(event, seq, ballot_bytes)
        if context is None:
            continue
        if ballot is None or ballot_bytes is None:
            out.failures[seq] = problem or "malformed"
            continue
        try:
            weight = _check_rest(body, ballot, ballot_bytes, context)
        except CryptoError as exc:
            out.failures[seq] = str(exc)
            continue
        out.trackers[seq] = body["tracker"]
        out.alphas[seq] = tuple(ct.alpha for ct in ballot.ciphertexts)
        out.weights[seq] = weight
        sums = points.setdefault(weight, [([], []) for _ in range(context.question.answers)])
        for (alphas, betas), ct in zip(sums, ballot.ciphertexts, strict=True):
            alphas.append(ct.alpha)
            betas.append(ct.beta)
    out.by_weight = {
        weight: [Ciphertext(group.point_sum(a), group.point_sum(b)) for a, b in sums]
        for weight, sums in points.items()
    }
    return out


def check_ballots(
    events: list[Any], positions: list[int], context: BallotContext | None, processes: int
) -> ChunkResult:
    """Check the ballot events at ``positions`` (dictionaries of type "ballot" with a dict body).

    Without a context (the setup could not be read) only their hashes are checked.
    """
    global _shared
    _shared = (events, positions, context)
    try:
        if processes <= 1 or len(positions) < 200 or "fork" not in mp.get_all_start_methods():
            return _check_range((0, len(positions)))
        # Chunks of a few hundred events: small enough that both processes finish together on a
        # loaded machine, large enough that the results' pickling stays negligible.
        size = max(100, min(500, len(positions) // (processes * 8)))
        bounds = [(i, min(i + size, len(positions))) for i in range(0, len(positions), size)]
        merged = ChunkResult()
        with ProcessPoolExecutor(max_workers=processes, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_check_range, bounds):
                merged.hashes.update(part.hashes)
                merged.failures.update(part.failures)
                merged.trackers.update(part.trackers)
                merged.alphas.update(part.alphas)
                merged.weights.update(part.weights)
                for weight, sums in part.by_weight.items():
                    old = merged.by_weight.get(weight)
                    merged.by_weight[weight] = (
                        sums if old is None else [x + y for x, y in zip(old, sums, strict=True)]
                    )
        return merged
    finally:
        _shared = None
