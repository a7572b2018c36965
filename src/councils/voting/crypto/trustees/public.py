"""What a board publishes of the trustees, and its public check: proofs, election and verification keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.trustees.ceremony import (
    _check_ceremony,
    _feldman,
    _fingerprint,
    _verify_deal,
)

__all__ = ["PublicTrustee", "ceremony_public", "public_trustees_verify"]


@dataclass(frozen=True, slots=True)
class PublicTrustee:
    """What a board publishes of one trustee."""

    index: int
    exchange_key: str
    commitments: tuple[str, ...]
    proofs: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The body of a ``trustee_key`` board event."""
        return {
            "commitments": list(self.commitments),
            "exchange_key": self.exchange_key,
            "index": self.index,
            "proofs": list(self.proofs),
        }


def ceremony_public(ceremony: Mapping[str, Any]) -> tuple[dict[str, Any], list[PublicTrustee], bytes]:
    """A finished ceremony's committee, public trustees and election key (all must have confirmed)."""
    _check_ceremony(ceremony)
    size = ceremony["committee"]["size"]
    if len(ceremony["confirmations"]) != size:
        raise MalformedError(f"ceremony: {len(ceremony['confirmations'])} of {size} trustees have confirmed")
    trustees = [
        PublicTrustee(
            index=i,
            exchange_key=ceremony["registrations"][str(i)]["exchange_key"],
            commitments=tuple(ceremony["deals"][str(i)]["commitments"]),
            proofs=tuple(ceremony["deals"][str(i)]["proofs"]),
        )
        for i in range(1, size + 1)
    ]
    committee = {"fingerprint": ceremony["fingerprint"], **ceremony["committee"]}
    election_key, _ = public_trustees_verify(committee, [t.to_json() for t in trustees])
    return committee, trustees, election_key


def public_trustees_verify(
    committee: Mapping[str, Any], trustees: Sequence[Mapping[str, Any]]
) -> tuple[bytes, dict[int, bytes]]:
    """Check every trustee's proofs; return the election key and the verification keys by index."""
    fingerprint, threshold, size = committee["fingerprint"], committee["threshold"], committee["size"]
    if _fingerprint({k: v for k, v in committee.items() if k != "fingerprint"}) != fingerprint:
        raise InvalidProofError("committee: the fingerprint does not match the committee")
    if sorted(t["index"] for t in trustees) != list(range(1, size + 1)):
        raise MalformedError(f"committee: expected trustees 1 to {size}, once each")
    all_commitments: list[list[bytes]] = []
    for t in trustees:
        exchange_key = group.bytes32_from_hex(t["exchange_key"], f"trustee {t['index']}: exchange_key")
        all_commitments.append(_verify_deal(fingerprint, threshold, exchange_key, t["index"], t))
    election_key = group.IDENTITY
    for cs in all_commitments:
        election_key = group.add(election_key, cs[0])
    verification = {}
    for j in range(1, size + 1):
        total = group.IDENTITY
        for cs in all_commitments:
            total = group.add(total, _feldman(cs, j))
        verification[j] = total
    return election_key, verification
