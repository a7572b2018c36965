"""The board's hash chain: the event format, its hashes, appending, and the check of the chain."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from councils.voting.crypto.ballot import Question
from councils.voting.crypto.canonical import canonical_json
from councils.voting.crypto.errors import CryptoError

__all__ = [
    "BOARD_FORMAT",
    "GENESIS",
    "HASH_MISMATCH",
    "BoardError",
    "board_append",
    "event_hash",
    "is_event",
    "poll_fingerprint",
    "verify_chain",
]

BOARD_FORMAT = "councils-board/1"
GENESIS = "0" * 64
HASH_MISMATCH = "its hash does not match its content (chain broken)"
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


def _need(body: Any, keys: set[str], seq: int, type_: str) -> None:
    if not isinstance(body, dict) or set(body) != keys:
        raise BoardError(seq, type_, f"expected the fields {sorted(keys)}")


def is_event(event: Any) -> bool:
    """True for a dictionary with exactly an event's fields and a dictionary as its body."""
    return (
        isinstance(event, dict)
        and set(event) == {"body", "hash", "prev", "seq", "type"}
        and isinstance(event["body"], dict)
    )


def verify_chain(events: list[Any], known: Mapping[int, str | None] | None = None) -> str:
    """Check the events' shape, numbering, links, hashes and the order of their types; return the head.

    Raises ``BoardError`` naming the first event that fails. ``known`` gives, by position, hash
    checks already made (by ``ballots.check_ballots``'s workers): None for a hash that matches
    the event's content, or the failure to report.
    """
    known = known or {}
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
        if seq in known:
            failure = known[seq]
            if failure is not None:
                raise BoardError(seq, type_, failure)
            computed = event["hash"]
        else:
            try:
                computed = event_hash(seq=seq, type_=type_, prev=prev, body=event["body"])
            except CryptoError as exc:
                raise BoardError(seq, type_, str(exc)) from None
            if event["hash"] != computed:
                raise BoardError(seq, type_, HASH_MISMATCH)
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
    return head
