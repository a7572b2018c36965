"""Encrypted ballots: exponential ElGamal per answer, a 0/1 proof per answer, one overall proof.

A question with ``k`` answers and bounds ``[min, max]`` is encrypted as ``k`` ciphertexts
``(alpha, beta) = (r*G, m*G + r*Y)`` with ``m`` in {0, 1}; each carries a disjunctive
Chaum-Pedersen proof over the values ``[0, 1]``, and the sum of all ``k`` ciphertexts carries one
over ``[min, ..., max]``. The ballot's JSON form (written canonically, see ``canonical.py``)::

    {"answers": [{"alpha": P, "beta": P, "proof": [{"c": S, "s": S}, {"c": S, "s": S}]}, ...],
     "overall": [{"c": S, "s": S}, ...  one per value of min..max],
     "poll": FINGERPRINT, "version": 1}

and its tracker is the SHA-256 of those bytes, in hexadecimal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.canonical import canonical_json_trusted, parse_json
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.proofs import Branch, parse_branches, range_prove, range_verify

__all__ = [
    "BALLOT_VERSION",
    "Ballot",
    "Ciphertext",
    "EncryptedAnswer",
    "Question",
    "ballot_audit_check",
    "ballot_check_proofs",
    "ballot_encrypt",
    "ballot_parse",
    "ballot_verify",
    "tracker_of",
]

BALLOT_VERSION = 1
_ZERO_ONE = (0, 1)


@dataclass(frozen=True, slots=True)
class Question:
    """The shape of a secret question: ``answers`` ciphertexts whose sum lies in ``[low, high]``."""

    answers: int
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.answers < 1:
            raise MalformedError("a question needs at least one answer")
        if not 0 <= self.low <= self.high <= self.answers:
            raise MalformedError(f"bounds [{self.low}, {self.high}] do not fit {self.answers} answers")

    @classmethod
    def yes_no_abstain(cls) -> Question:
        """Yes, no, abstain: exactly one of the three."""
        return cls(3, 1, 1)

    @classmethod
    def plurality(cls, answers: int, *, blank_allowed: bool = False) -> Question:
        """One of ``answers`` candidates, or none when a blank ballot is allowed."""
        return cls(answers, 0 if blank_allowed else 1, 1)

    @classmethod
    def approval(cls, answers: int, *, most: int | None = None) -> Question:
        """Any number of candidates up to ``most`` (all of them by default)."""
        return cls(answers, 0, answers if most is None else most)

    @property
    def overall_values(self) -> tuple[int, ...]:
        """The values the overall proof ranges over."""
        return tuple(range(self.low, self.high + 1))

    def to_json(self) -> dict[str, int]:
        """``{"answers": k, "max": high, "min": low}``."""
        return {"answers": self.answers, "max": self.high, "min": self.low}

    @classmethod
    def from_json(cls, value: object, where: str = "question") -> Question:
        """Read the form written by ``to_json``."""
        if not isinstance(value, dict) or set(value) != {"answers", "min", "max"}:
            raise MalformedError(f'{where}: expected {{"answers", "min", "max"}}')
        if not all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in value):
            raise MalformedError(f"{where}: answers, min and max must be integers")
        return cls(value["answers"], value["min"], value["max"])


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An exponential ElGamal ciphertext ``(r*G, m*G + r*Y)``."""

    alpha: bytes
    beta: bytes

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(group.add(self.alpha, other.alpha), group.add(self.beta, other.beta))

    def __sub__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(group.sub(self.alpha, other.alpha), group.sub(self.beta, other.beta))

    def scaled(self, k: int) -> Ciphertext:
        """``k`` times the ciphertext (it then encrypts ``k*m``)."""
        return Ciphertext(group.mul(k, self.alpha), group.mul(k, self.beta))

    def to_json(self) -> dict[str, str]:
        """``{"alpha": hex, "beta": hex}``."""
        return {"alpha": self.alpha.hex(), "beta": self.beta.hex()}

    @classmethod
    def from_json(cls, value: object, where: str) -> Ciphertext:
        """Read ``{"alpha": hex, "beta": hex}``."""
        if not isinstance(value, dict) or set(value) != {"alpha", "beta"}:
            raise MalformedError(f'{where}: expected {{"alpha", "beta"}}')
        return cls(
            group.point_from_hex(value["alpha"], f"{where}/alpha"),
            group.point_from_hex(value["beta"], f"{where}/beta"),
        )


ZERO = Ciphertext(group.IDENTITY, group.IDENTITY)


@dataclass(frozen=True, slots=True)
class EncryptedAnswer:
    """One answer's ciphertext and its 0/1 proof."""

    ciphertext: Ciphertext
    proof: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class Ballot:
    """An encrypted ballot as it travels and is stored (no randomness, no plaintext)."""

    poll: str
    answers: tuple[EncryptedAnswer, ...]
    overall: tuple[Branch, ...]

    def to_json(self) -> dict[str, Any]:
        """The ballot's JSON form (see the module's docstring)."""
        return {
            "answers": [
                {**a.ciphertext.to_json(), "proof": [b.to_json() for b in a.proof]} for a in self.answers
            ],
            "overall": [b.to_json() for b in self.overall],
            "poll": self.poll,
            "version": BALLOT_VERSION,
        }

    def canonical(self) -> bytes:
        """The canonical bytes of the ballot."""
        # Every value of to_json() is built here from points, scalars and small integers (the poll
        # is a string), so the walk that checks a value's types has nothing to find.
        return canonical_json_trusted(self.to_json())

    @property
    def tracker(self) -> str:
        """SHA-256 of the canonical bytes, hexadecimal."""
        return tracker_of(self.canonical())

    @property
    def ciphertexts(self) -> tuple[Ciphertext, ...]:
        """The answers' ciphertexts in order."""
        return tuple(a.ciphertext for a in self.answers)


def tracker_of(canonical: bytes) -> str:
    """The tracker of a ballot's canonical bytes."""
    return hashlib.sha256(canonical).hexdigest()


def _sum(ciphertexts: Sequence[Ciphertext]) -> Ciphertext:
    return Ciphertext(
        group.point_sum([ct.alpha for ct in ciphertexts]), group.point_sum([ct.beta for ct in ciphertexts])
    )


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    """A freshly encrypted ballot with what only the voter's device may ever hold."""

    ballot: Ballot
    choices: tuple[int, ...]
    randomness: tuple[int, ...]


def ballot_encrypt(
    *, question: Question, fingerprint: str, key: bytes, choices: Sequence[int]
) -> EncryptedBallot:
    """Encrypt and prove ``choices`` (one 0 or 1 per answer) under the election ``key``.

    The server never calls this for a real voter (ballots are encrypted in the browser); it is
    here for tests, benchmarks, the demonstration and as the reference ``booth-crypto.js`` follows.
    """
    if len(choices) != question.answers or any(c not in _ZERO_ONE for c in choices):
        raise MalformedError(f"choices: expected {question.answers} values, each 0 or 1")
    if not question.low <= sum(choices) <= question.high:
        raise MalformedError(f"choices: {sum(choices)} marks, allowed {question.low} to {question.high}")
    answers: list[EncryptedAnswer] = []
    rs: list[int] = []
    for m in choices:
        r = group.random_scalar()
        ct = Ciphertext(
            group.base_mul(r), group.add(group.base_mul(m), group.mul(r, key)) if m else group.mul(r, key)
        )
        proof = range_prove(
            fingerprint=fingerprint, key=key, alpha=ct.alpha, beta=ct.beta, values=_ZERO_ONE, m=m, r=r
        )
        answers.append(EncryptedAnswer(ct, tuple(proof)))
        rs.append(r)
    total = _sum([a.ciphertext for a in answers])
    overall = range_prove(
        fingerprint=fingerprint,
        key=key,
        alpha=total.alpha,
        beta=total.beta,
        values=question.overall_values,
        m=sum(choices),
        r=sum(rs) % group.L,
    )
    return EncryptedBallot(Ballot(fingerprint, tuple(answers), tuple(overall)), tuple(choices), tuple(rs))


def ballot_parse(value: object, question: Question, where: str = "ballot") -> Ballot:
    """Read a ballot's JSON form, checking its shape and encodings (not its proofs)."""
    if isinstance(value, bytes | str):
        value = parse_json(value)
    if not isinstance(value, dict) or set(value) != {"answers", "overall", "poll", "version"}:
        raise MalformedError(f'{where}: expected {{"answers", "overall", "poll", "version"}}')
    if type(value["version"]) is not int or value["version"] != BALLOT_VERSION:
        raise MalformedError(f"{where}/version: unknown ballot version {value['version']!r}")
    if not isinstance(value["poll"], str):
        raise MalformedError(f"{where}/poll: expected the poll's fingerprint")
    raw_answers = value["answers"]
    if not isinstance(raw_answers, list) or len(raw_answers) != question.answers:
        raise MalformedError(f"{where}/answers: expected {question.answers} answers")
    answers = []
    for i, item in enumerate(raw_answers):
        at = f"{where}/answers/{i}"
        if not isinstance(item, dict) or set(item) != {"alpha", "beta", "proof"}:
            raise MalformedError(f'{at}: expected {{"alpha", "beta", "proof"}}')
        ct = Ciphertext.from_json({"alpha": item["alpha"], "beta": item["beta"]}, at)
        answers.append(EncryptedAnswer(ct, tuple(parse_branches(item["proof"], f"{at}/proof", 2))))
    overall = parse_branches(value["overall"], f"{where}/overall", len(question.overall_values))
    return Ballot(value["poll"], tuple(answers), tuple(overall))


def ballot_verify(
    value: object, *, question: Question, fingerprint: str, key: bytes, where: str = "ballot"
) -> Ballot:
    """Parse a ballot and check every proof; raise naming the first part that fails."""
    return ballot_check_proofs(
        ballot_parse(value, question, where), question=question, fingerprint=fingerprint, key=key, where=where
    )


def ballot_check_proofs(
    ballot: Ballot, *, question: Question, fingerprint: str, key: bytes, where: str = "ballot"
) -> Ballot:
    """Check every proof of a parsed ballot; raise naming the first part that fails."""
    if ballot.poll != fingerprint:
        raise InvalidProofError(f"{where}/poll: the ballot was made for another poll")
    for i, a in enumerate(ballot.answers):
        if a.ciphertext.alpha == group.IDENTITY:
            raise InvalidProofError(f"{where}/answers/{i}: a ciphertext without randomness")
        try:
            range_verify(
                fingerprint=fingerprint,
                key=key,
                alpha=a.ciphertext.alpha,
                beta=a.ciphertext.beta,
                values=_ZERO_ONE,
                branches=a.proof,
            )
        except InvalidProofError as exc:
            raise InvalidProofError(f"{where}/answers/{i}/proof: {exc}") from None
    total = _sum(ballot.ciphertexts)
    try:
        range_verify(
            fingerprint=fingerprint,
            key=key,
            alpha=total.alpha,
            beta=total.beta,
            values=question.overall_values,
            branches=ballot.overall,
        )
    except InvalidProofError as exc:
        raise InvalidProofError(f"{where}/overall: {exc}") from None
    return ballot


def ballot_audit_check(
    *, ballot: Ballot, key: bytes, choices: Sequence[int], randomness: Sequence[int]
) -> None:
    """Check a Benaloh challenge: the revealed randomness and choices give exactly these ciphertexts."""
    if len(choices) != len(ballot.answers) or len(randomness) != len(ballot.answers):
        raise InvalidProofError("audit: one choice and one randomness per answer are needed")
    for i, (a, m, r) in enumerate(zip(ballot.answers, choices, randomness, strict=True)):
        beta = group.add(group.base_mul(m), group.mul(r, key))
        if a.ciphertext.alpha != group.base_mul(r) or a.ciphertext.beta != beta:
            raise InvalidProofError(f"audit: answer {i} does not encrypt {m} with the revealed randomness")


def ciphertext_sum(ciphertexts: Sequence[Ciphertext]) -> Ciphertext:
    """The homomorphic sum of ciphertexts."""
    return _sum(ciphertexts)
