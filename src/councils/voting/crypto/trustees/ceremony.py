"""Trustees' key generation: the ceremony's three steps, its messages and the key file.

See the package's docstring for the protocol; ``docs/secret-polls.md`` for the formats.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from councils.voting.crypto import group
from councils.voting.crypto.canonical import canonical_json, parse_json
from councils.voting.crypto.errors import CryptoError, InvalidProofError, MalformedError
from councils.voting.crypto.proofs import parse_branches, schnorr_prove, schnorr_verify

__all__ = [
    "CEREMONY_FORMAT",
    "KEY_FORMAT",
    "ceremony_add",
    "ceremony_new",
    "key_parse",
    "trustee_confirm",
    "trustee_deal",
    "trustee_keygen",
]

CEREMONY_FORMAT = "councils-ceremony/1"
KEY_FORMAT = "councils-trustee-key/1"


def _fingerprint(committee: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(committee))).hexdigest()


def ceremony_new(*, label: str, threshold: int, size: int) -> dict[str, Any]:
    """A new, empty key-generation ceremony for ``threshold`` of ``size`` trustees."""
    if not 1 <= threshold <= size:
        raise MalformedError(f"threshold: {threshold} must lie between 1 and the size {size}")
    committee = {"label": label, "nonce": secrets.token_hex(16), "size": size, "threshold": threshold}
    return {
        "committee": committee,
        "confirmations": {},
        "deals": {},
        "fingerprint": _fingerprint(committee),
        "format": CEREMONY_FORMAT,
        "registrations": {},
    }


def _check_ceremony(ceremony: Mapping[str, Any]) -> tuple[str, int, int]:
    if ceremony.get("format") != CEREMONY_FORMAT:
        raise MalformedError(f"ceremony: expected format {CEREMONY_FORMAT!r}")
    committee = ceremony["committee"]
    if _fingerprint(committee) != ceremony["fingerprint"]:
        raise InvalidProofError("ceremony: the fingerprint does not match the committee")
    return ceremony["fingerprint"], committee["threshold"], committee["size"]


def _check_key(key: Mapping[str, Any], fingerprint: str) -> int:
    if key.get("format") != KEY_FORMAT:
        raise MalformedError(f"key file: expected format {KEY_FORMAT!r}")
    if key["committee"] != fingerprint:
        raise MalformedError("key file: made for another committee")
    index = key["index"]
    if not isinstance(index, int):
        raise MalformedError("key file: index must be an integer")
    return index


def trustee_keygen(ceremony: Mapping[str, Any], index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Step 1: the trustee's key file (secret, kept by the trustee) and its registration message."""
    fingerprint, _, size = _check_ceremony(ceremony)
    if not 1 <= index <= size:
        raise MalformedError(f"index: {index} must lie between 1 and {size}")
    exchange = PrivateKey.generate()
    key = {
        "committee": fingerprint,
        "exchange_secret": bytes(exchange).hex(),
        "format": KEY_FORMAT,
        "index": index,
        "share": None,
    }
    message = {"exchange_key": bytes(exchange.public_key).hex(), "index": index, "type": "registration"}
    return key, message


def _coefficient_statement(index: int, degree: int, commitment: bytes) -> dict[str, Any]:
    return {"commitment": commitment.hex(), "degree": degree, "trustee": index}


def trustee_deal(ceremony: Mapping[str, Any], key: Mapping[str, Any]) -> dict[str, Any]:
    """Step 2: commitments with Schnorr proofs and one sealed share per trustee."""
    fingerprint, threshold, size = _check_ceremony(ceremony)
    index = _check_key(key, fingerprint)
    registrations = ceremony["registrations"]
    if len(registrations) != size:
        raise MalformedError(f"ceremony: {len(registrations)} of {size} trustees have registered")
    exchange_key = bytes.fromhex(registrations[str(index)]["exchange_key"])
    coefficients = [group.random_scalar() for _ in range(threshold)]
    commitments = [group.base_mul(a) for a in coefficients]
    proofs = [
        schnorr_prove(
            fingerprint=fingerprint,
            key=exchange_key,
            statement=_coefficient_statement(index, k, commitments[k]),
            secret=a,
        ).to_json()
        for k, a in enumerate(coefficients)
    ]
    shares = {}
    for j in range(1, size + 1):
        value = sum(a * pow(j, k, group.L) for k, a in enumerate(coefficients)) % group.L
        plain = canonical_json(
            {"committee": fingerprint, "from": index, "share": group.scalar_hex(value), "to": j}
        )
        recipient = PublicKey(bytes.fromhex(registrations[str(j)]["exchange_key"]))
        shares[str(j)] = SealedBox(recipient).encrypt(plain).hex()
    return {
        "commitments": [c.hex() for c in commitments],
        "index": index,
        "proofs": proofs,
        "shares": shares,
        "type": "deal",
    }


def _verify_deal(
    fingerprint: str, threshold: int, exchange_key: bytes, index: int, deal: Mapping[str, Any]
) -> list[bytes]:
    commitments = [
        group.point_from_hex(c, f"deal {index}/commitments/{k}") for k, c in enumerate(deal["commitments"])
    ]
    if len(commitments) != threshold:
        raise MalformedError(f"deal {index}: expected {threshold} commitments")
    proofs = parse_branches(deal["proofs"], f"deal {index}/proofs", threshold)
    for k, (c, proof) in enumerate(zip(commitments, proofs, strict=True)):
        try:
            schnorr_verify(
                fingerprint=fingerprint,
                key=exchange_key,
                statement=_coefficient_statement(index, k, c),
                public=c,
                proof=proof,
            )
        except InvalidProofError:
            raise InvalidProofError(
                f"trustee {index}: the proof of coefficient {k} does not verify"
            ) from None
    return commitments


def _feldman(commitments: Sequence[bytes], j: int) -> bytes:
    total = group.IDENTITY
    for k, c in enumerate(commitments):
        total = group.add(total, group.mul(pow(j, k, group.L), c))
    return total


def trustee_confirm(
    ceremony: Mapping[str, Any], key: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Step 3: check every share addressed to me; return the completed key file and a confirmation."""
    fingerprint, threshold, size = _check_ceremony(ceremony)
    index = _check_key(key, fingerprint)
    deals = ceremony["deals"]
    if len(deals) != size:
        raise MalformedError(f"ceremony: {len(deals)} of {size} trustees have dealt")
    box = SealedBox(PrivateKey(bytes.fromhex(key["exchange_secret"])))
    total = 0
    for i in range(1, size + 1):
        deal = deals[str(i)]
        exchange_key = bytes.fromhex(ceremony["registrations"][str(i)]["exchange_key"])
        commitments = _verify_deal(fingerprint, threshold, exchange_key, i, deal)
        try:
            plain = parse_json(box.decrypt(bytes.fromhex(deal["shares"][str(index)])))
        except (NaclCryptoError, ValueError, KeyError):
            raise InvalidProofError(
                f"trustee {i}: the share sealed to trustee {index} cannot be opened"
            ) from None
        if plain.get("committee") != fingerprint or plain.get("from") != i or plain.get("to") != index:
            raise InvalidProofError(
                f"trustee {i}: the share sealed to trustee {index} is addressed elsewhere"
            )
        share = group.scalar_from_hex(plain["share"], f"trustee {i}: share")
        if group.base_mul(share) != _feldman(commitments, index):
            raise InvalidProofError(
                f"trustee {i}: the share for trustee {index} does not match the commitments"
            )
        total = (total + share) % group.L
    completed = {**key, "share": group.scalar_hex(total)}
    return completed, {
        "index": index,
        "type": "confirmation",
        "verification_key": group.base_mul(total).hex(),
    }


_MESSAGE_FIELDS = {
    "registration": {"exchange_key"},
    "deal": {"commitments", "proofs", "shares"},
    "confirmation": {"verification_key"},
}


def ceremony_add(ceremony: dict[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
    """Append one trustee's message to the ceremony after checking what can be checked publicly.

    A message of the wrong shape raises ``MalformedError`` and leaves the ceremony unchanged.
    """
    try:
        return _ceremony_add(ceremony, message)
    except CryptoError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise MalformedError(f"message: malformed ({type(exc).__name__}: {exc})") from None


def _ceremony_add(ceremony: dict[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
    fingerprint, threshold, size = _check_ceremony(ceremony)
    kind, index = message.get("type"), message.get("index")
    if not isinstance(index, int) or not 1 <= index <= size:
        raise MalformedError(f"message: index must lie between 1 and {size}")
    slot = {"registration": "registrations", "deal": "deals", "confirmation": "confirmations"}.get(str(kind))
    if slot is None:
        raise MalformedError(f"message: unknown type {kind!r}")
    if str(index) in ceremony[slot]:
        raise MalformedError(f"message: trustee {index} has already sent its {kind}")
    body = {k: v for k, v in message.items() if k not in {"type", "index"}}
    if set(body) != _MESSAGE_FIELDS[str(kind)]:
        raise MalformedError(f"{kind}: expected the fields {sorted(_MESSAGE_FIELDS[str(kind)])}")
    if kind == "registration":
        group.bytes32_from_hex(body.get("exchange_key"), "registration/exchange_key")
    elif kind == "deal":
        if len(ceremony["registrations"]) != size:
            raise MalformedError("deal: not every trustee has registered yet")
        exchange_key = bytes.fromhex(ceremony["registrations"][str(index)]["exchange_key"])
        _verify_deal(fingerprint, threshold, exchange_key, index, body)
        shares = body["shares"]
        if not isinstance(shares, dict) or set(shares) != {str(j) for j in range(1, size + 1)}:
            raise MalformedError(f"deal {index}: expected one sealed share for each of the {size} trustees")
        for j, sealed in shares.items():
            if not isinstance(sealed, str) or not sealed:
                raise MalformedError(f"deal {index}: the share for trustee {j} is not a sealed box")
    else:
        if len(ceremony["deals"]) != size:
            raise MalformedError("confirmation: not every trustee has dealt yet")
        expected = _derived_verification_key(ceremony, index)
        if body.get("verification_key") != expected.hex():
            raise InvalidProofError(
                f"confirmation {index}: the verification key does not match the commitments"
            )
    ceremony[slot][str(index)] = body
    return ceremony


def _derived_verification_key(ceremony: Mapping[str, Any], j: int) -> bytes:
    total = group.IDENTITY
    for deal in ceremony["deals"].values():
        total = group.add(total, _feldman([bytes.fromhex(c) for c in deal["commitments"]], j))
    return total


def key_parse(data: bytes | str) -> dict[str, Any]:
    """Read a key file."""
    key = parse_json(data)
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT:
        raise MalformedError(f"key file: expected format {KEY_FORMAT!r}")
    return key
