"""Decryption: a trustee's factors with their proofs, their check, and the combination into counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Ciphertext
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.proofs import decryption_prove, decryption_verify, parse_branches
from councils.voting.crypto.trustees.ceremony import _check_key

__all__ = [
    "combine",
    "decryption_factors",
    "decryption_factors_verify",
    "dlog_bounded",
    "factor_statement",
    "lagrange_at_zero",
]


def factor_statement(index: int, verification_key: bytes, alpha: bytes, factor: bytes) -> dict[str, Any]:
    """The statement of a decryption proof (what its challenge hashes besides the commitments)."""
    return {
        "alpha": alpha.hex(),
        "factor": factor.hex(),
        "trustee": index,
        "verification_key": verification_key.hex(),
    }


def decryption_factors(
    *,
    key: Mapping[str, Any],
    committee_fingerprint: str,
    fingerprint: str,
    election_key: bytes,
    sums: Sequence[Ciphertext],
) -> dict[str, Any]:
    """One factor ``x_i*alpha`` per answer of ``sums``, each with its equal-logarithm proof.

    Callers must pass the sum they recomputed from the board themselves (``board.trustee_decrypt``
    does): a trustee who decrypted whatever it was sent could be made to decrypt a single ballot.
    """
    index = _check_key(key, committee_fingerprint)
    if key.get("share") is None:
        raise MalformedError("key file: the ceremony was not confirmed; it holds no share")
    x = group.scalar_from_hex(key["share"], "key file: share")
    verification_key = group.base_mul(x)
    factors = []
    for ct in sums:
        factor = group.mul(x, ct.alpha)
        proof = decryption_prove(
            fingerprint=fingerprint,
            key=election_key,
            statement=factor_statement(index, verification_key, ct.alpha, factor),
            alpha=ct.alpha,
            secret=x,
        )
        factors.append({"factor": factor.hex(), "proof": proof.to_json()})
    return {"factors": factors, "index": index}


def decryption_factors_verify(
    *,
    partial: Mapping[str, Any],
    fingerprint: str,
    election_key: bytes,
    verification_keys: Mapping[int, bytes],
    sums: Sequence[Ciphertext],
    where: str,
) -> list[bytes]:
    """Check a trustee's factors against the sums; return them as points."""
    index = partial.get("index")
    if not isinstance(index, int) or index not in verification_keys:
        raise MalformedError(f"{where}/index: not a trustee of the committee")
    factors = partial.get("factors")
    if not isinstance(factors, list) or len(factors) != len(sums):
        raise MalformedError(f"{where}/factors: expected one factor per answer ({len(sums)})")
    out = []
    for a, (item, ct) in enumerate(zip(factors, sums, strict=True)):
        if not isinstance(item, dict) or set(item) != {"factor", "proof"}:
            raise MalformedError(f'{where}/factors/{a}: expected {{"factor", "proof"}}')
        factor = group.point_from_hex(item["factor"], f"{where}/factors/{a}/factor")
        (proof,) = parse_branches([item["proof"]], f"{where}/factors/{a}/proof", 1)
        try:
            decryption_verify(
                fingerprint=fingerprint,
                key=election_key,
                statement=factor_statement(index, verification_keys[index], ct.alpha, factor),
                verification_key=verification_keys[index],
                alpha=ct.alpha,
                factor=factor,
                proof=proof,
            )
        except InvalidProofError:
            raise InvalidProofError(
                f"{where}/factors/{a}: the proof of trustee {index}'s factor does not verify"
            ) from None
        out.append(factor)
    return out


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, int]:
    """Lagrange coefficients at 0 for the given trustee indices, modulo L."""
    out = {}
    for i in indices:
        num, den = 1, 1
        for j in indices:
            if j != i:
                num = num * j % group.L
                den = den * (j - i) % group.L
        out[i] = num * pow(den, -1, group.L) % group.L
    return out


def dlog_bounded(point: bytes, bound: int) -> int:
    """The ``m`` in ``[0, bound]`` with ``m*G = point``, by baby-step giant-step in O(sqrt(bound))."""
    step = max(1, int(bound**0.5) + 1)
    baby: dict[bytes, int] = {}
    current = group.IDENTITY
    for j in range(step):
        baby.setdefault(current, j)
        current = group.add(current, group.BASE)
    giant = group.base_mul(step)
    current = point
    for i in range(step + 1):
        found = baby.get(current)
        if found is not None and i * step + found <= bound:
            return i * step + found
        current = group.sub(current, giant)
    raise InvalidProofError(f"the decrypted value is not between 0 and {bound}")


def combine(
    *, sums: Sequence[Ciphertext], factors: Mapping[int, Sequence[bytes]], threshold: int, bound: int
) -> list[int]:
    """Combine ``threshold`` trustees' factors (the first ones by index) and recover the counts."""
    if len(factors) < threshold:
        raise MalformedError(f"{len(factors)} trustees have decrypted, {threshold} are needed")
    chosen = sorted(factors)[:threshold]
    lam = lagrange_at_zero(chosen)
    counts = []
    for a, ct in enumerate(sums):
        d = group.IDENTITY
        for i in chosen:
            d = group.add(d, group.mul(lam[i], factors[i][a]))
        counts.append(dlog_bounded(group.sub(ct.beta, d), bound))
    return counts
