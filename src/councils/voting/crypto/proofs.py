"""Fiat-Shamir challenges and the zero-knowledge proofs of secret polls.

Every challenge is ``hash_to_scalar(canonical_json(obj))`` (SHA-512, little-endian, modulo L)
with ``obj`` an object of exactly five keys::

    {"commitments": [...points...], "domain": "...", "fingerprint": "...",
     "key": "...", "statement": {...}}

``domain`` names the proof kind and its version, ``fingerprint`` the poll (or, during key
generation, the committee), ``key`` the public key the proof is made under, ``statement`` every
public value the proof speaks about and ``commitments`` the prover's first messages in order.
Leaving any of them out is the "weak Fiat-Shamir" mistake (Bernhard, Pereira, Warinschi 2012):
``docs/secret-polls.md`` lists them per proof and tests change each one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.canonical import canonical_json_trusted
from councils.voting.crypto.errors import InvalidProofError, MalformedError

__all__ = [
    "DOMAIN_COEFFICIENT",
    "DOMAIN_DECRYPTION",
    "DOMAIN_RANGE",
    "Branch",
    "challenge",
    "decryption_prove",
    "decryption_verify",
    "parse_branches",
    "range_prove",
    "range_verify",
    "schnorr_prove",
    "schnorr_verify",
]

DOMAIN_RANGE = "councils/range/1"
DOMAIN_COEFFICIENT = "councils/coefficient/1"
DOMAIN_DECRYPTION = "councils/decryption/1"

_HEX_64 = re.compile("[0-9a-f]{64}").fullmatch


def challenge(
    *, domain: str, fingerprint: str, key: bytes, statement: dict[str, Any], commitments: Sequence[bytes]
) -> int:
    """The Fiat-Shamir challenge of a proof (see the module's docstring for the exact input)."""
    return group.hash_to_scalar(
        canonical_json_trusted(
            {
                "commitments": [c.hex() for c in commitments],
                "domain": domain,
                "fingerprint": fingerprint,
                "key": key.hex(),
                "statement": statement,
            }
        )
    )


@dataclass(frozen=True, slots=True)
class Branch:
    """One branch ``(c, s)`` of a (possibly disjunctive) Chaum-Pedersen or Schnorr proof."""

    c: int
    s: int

    def to_json(self) -> dict[str, str]:
        """``{"c": hex, "s": hex}``."""
        return {"c": group.scalar_hex(self.c), "s": group.scalar_hex(self.s)}


def parse_branches(value: object, where: str, count: int) -> list[Branch]:
    """Read a list of exactly ``count`` branches."""
    if not isinstance(value, list) or len(value) != count:
        raise MalformedError(f"{where}: expected a list of {count} proof branches")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"c", "s"}:
            raise MalformedError(f'{where}/{i}: expected {{"c", "s"}}')
        c, s = item["c"], item["s"]
        # The usual case without building the error paths (a verifier reads 100,000s of these).
        if type(c) is str and type(s) is str and _HEX_64(c) and _HEX_64(s):
            c_int = int.from_bytes(bytes.fromhex(c), "little")
            s_int = int.from_bytes(bytes.fromhex(s), "little")
            if c_int < group.L and s_int < group.L:
                out.append(Branch(c_int, s_int))
                continue
        out.append(
            Branch(
                group.scalar_from_hex(item["c"], f"{where}/{i}/c"),
                group.scalar_from_hex(item["s"], f"{where}/{i}/s"),
            )
        )
    return out


# --- Disjunctive Chaum-Pedersen: (alpha, beta) encrypts one of `values` -------------------------


def _range_statement(alpha: bytes, beta: bytes, values: Sequence[int]) -> dict[str, Any]:
    return {"alpha": alpha.hex(), "beta": beta.hex(), "values": list(values)}


def _range_challenge(
    fingerprint: str,
    key: bytes,
    alpha: bytes,
    beta: bytes,
    values: Sequence[int],
    commitments: Sequence[bytes],
) -> int:
    """``challenge`` of a range proof, its canonical JSON written directly (a verifier makes 100,000s).

    Every value is hexadecimal or a small integer, so no character needs escaping; a fingerprint
    of another form takes the general path. tests/voting/crypto/test_ballot.py compares the two.
    """
    if not (isinstance(fingerprint, str) and _HEX_64(fingerprint)) or not all(type(v) is int for v in values):
        return challenge(
            domain=DOMAIN_RANGE,
            fingerprint=fingerprint,
            key=key,
            statement=_range_statement(alpha, beta, values),
            commitments=commitments,
        )
    data = "".join(
        (
            '{"commitments":["',
            '","'.join(c.hex() for c in commitments),
            '"],"domain":"' + DOMAIN_RANGE + '","fingerprint":"',
            fingerprint,
            '","key":"',
            key.hex(),
            '","statement":{"alpha":"',
            alpha.hex(),
            '","beta":"',
            beta.hex(),
            '","values":[',
            ",".join(map(str, values)),
            "]}}",
        )
    )
    return group.hash_to_scalar(data.encode())


def _range_commitments(
    key: bytes,
    alpha: bytes,
    beta: bytes,
    values: Sequence[int],
    branches: Sequence[Branch],
    variable_time: bool = True,
) -> list[bytes]:
    # A = s*G - c*alpha ; B = s*Y - c*(beta - v*G)
    return group.range_commitments(
        key,
        alpha,
        beta,
        [(v, b.c, b.s) for v, b in zip(values, branches, strict=True)],
        variable_time=variable_time,
    )


def range_prove(
    *, fingerprint: str, key: bytes, alpha: bytes, beta: bytes, values: Sequence[int], m: int, r: int
) -> list[Branch]:
    """Prove that ``(alpha, beta) = (r*G, m*G + r*Y)`` with ``m`` among ``values``."""
    real = list(values).index(m)
    w = group.random_scalar()
    fakes = {i: Branch(group.random_scalar(), group.random_scalar()) for i in range(len(values)) if i != real}
    commitments: list[bytes] = []
    for i, v in enumerate(values):
        if i == real:
            commitments += [group.base_mul(w), group.mul(w, key)]
        else:
            commitments += _range_commitments(key, alpha, beta, [v], [fakes[i]], variable_time=False)
    c = challenge(
        domain=DOMAIN_RANGE,
        fingerprint=fingerprint,
        key=key,
        statement=_range_statement(alpha, beta, values),
        commitments=commitments,
    )
    c_real = (c - sum(b.c for b in fakes.values())) % group.L
    s_real = (w + c_real * r) % group.L
    return [fakes[i] if i != real else Branch(c_real, s_real) for i in range(len(values))]


def range_verify(
    *,
    fingerprint: str,
    key: bytes,
    alpha: bytes,
    beta: bytes,
    values: Sequence[int],
    branches: Sequence[Branch],
) -> None:
    """Raise ``InvalidProofError`` unless the branches prove ``(alpha, beta)`` encrypts one of ``values``."""
    commitments = _range_commitments(key, alpha, beta, values, branches)
    c = _range_challenge(fingerprint, key, alpha, beta, values, commitments)
    if sum(b.c for b in branches) % group.L != c:
        raise InvalidProofError("the challenges do not add up")


# --- Schnorr: knowledge of a with C = a*G (key generation) --------------------------------------


def schnorr_prove(*, fingerprint: str, key: bytes, statement: dict[str, Any], secret: int) -> Branch:
    """Prove knowledge of ``secret`` for ``statement["commitment"] = secret*G``."""
    w = group.random_scalar()
    c = challenge(
        domain=DOMAIN_COEFFICIENT,
        fingerprint=fingerprint,
        key=key,
        statement=statement,
        commitments=[group.base_mul(w)],
    )
    return Branch(c, (w + c * secret) % group.L)


def schnorr_verify(
    *, fingerprint: str, key: bytes, statement: dict[str, Any], public: bytes, proof: Branch
) -> None:
    """Raise ``InvalidProofError`` unless ``proof`` shows knowledge of the logarithm of ``public``."""
    commitment = group.sub(group.base_mul(proof.s), group.mul(proof.c, public))
    c = challenge(
        domain=DOMAIN_COEFFICIENT,
        fingerprint=fingerprint,
        key=key,
        statement=statement,
        commitments=[commitment],
    )
    if c != proof.c:
        raise InvalidProofError("the Schnorr proof does not verify")


# --- Chaum-Pedersen equal logarithms: X = x*G and D = x*A (decryption factors) ------------------


def decryption_prove(
    *, fingerprint: str, key: bytes, statement: dict[str, Any], alpha: bytes, secret: int
) -> Branch:
    """Prove ``log_G(verification key) = log_alpha(factor)``; both are named in ``statement``."""
    w = group.random_scalar()
    c = challenge(
        domain=DOMAIN_DECRYPTION,
        fingerprint=fingerprint,
        key=key,
        statement=statement,
        commitments=[group.base_mul(w), group.mul(w, alpha)],
    )
    return Branch(c, (w + c * secret) % group.L)


def decryption_verify(
    *,
    fingerprint: str,
    key: bytes,
    statement: dict[str, Any],
    verification_key: bytes,
    alpha: bytes,
    factor: bytes,
    proof: Branch,
) -> None:
    """Raise ``InvalidProofError`` unless ``factor = x*alpha`` for the ``x`` of ``verification_key``."""
    a = group.sub(group.base_mul(proof.s), group.mul(proof.c, verification_key))
    b = group.sub(group.mul(proof.s, alpha), group.mul(proof.c, factor))
    c = challenge(
        domain=DOMAIN_DECRYPTION, fingerprint=fingerprint, key=key, statement=statement, commitments=[a, b]
    )
    if c != proof.c:
        raise InvalidProofError("the decryption proof does not verify")
