"""Building a board in memory, each event checked as it is appended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from councils.voting.crypto.ballot import Ballot, Ciphertext, Question, ballot_verify
from councils.voting.crypto.board.chain import BOARD_FORMAT, GENESIS, event_hash, poll_fingerprint
from councils.voting.crypto.board.tally import Tally, _sums_json
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.trustees import (
    PublicTrustee,
    combine,
    decryption_factors_verify,
    public_trustees_verify,
)

__all__ = ["BoardWriter"]


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
