"""The ristretto255 group through libsodium (``rbcl``), with scalars as Python integers.

Points travel as their canonical 32-byte ristretto255 encoding (RFC 9496) and are written as
64 lower-case hexadecimal digits. Scalars are integers modulo the group order ``L``; on the wire
they are 32 bytes little-endian (libsodium's encoding), also as 64 hexadecimal digits, and a
value that is not below ``L`` is refused rather than reduced, so that every scalar has exactly
one encoding.

Verifiers recompute many commitments ``s*G - c*P``: ``range_commitments`` and ``point_sum`` do
that work in the optional C module ``_ristretto`` (multi-scalar multiplication, variable time,
for public values only) and fall back to libsodium, with byte-identical results, when it is not
built or is a build of another interface (``C_API``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from types import ModuleType

import rbcl

from councils.voting.crypto.errors import MalformedError

#: The C module's interface this code speaks (``API`` in ``_ristretto.c``).
C_API = 2


def c_module_if_current(module: ModuleType | None) -> ModuleType | None:
    """``module`` if it is the C module of this code's ``C_API``, else None (libsodium instead).

    An install without a compiler can leave an older build in place, whose rows mean something
    else: it must not be called.
    """
    if module is None or getattr(module, "API", 1) != C_API:
        return None
    return module


try:
    from councils.voting.crypto import _ristretto
except ImportError:  # built by setup.py where a C compiler exists; libsodium does the same work
    _ristretto = None  # type: ignore[assignment]
_ristretto = c_module_if_current(_ristretto)  # type: ignore[assignment]

__all__ = [
    "BASE",
    "C_API",
    "IDENTITY",
    "L",
    "add",
    "base_mul",
    "bytes32_from_hex",
    "c_module_if_current",
    "hash_to_scalar",
    "mul",
    "point_from_hex",
    "point_hex",
    "point_sum",
    "random_scalar",
    "range_commitments",
    "scalar_from_hex",
    "scalar_hex",
    "sub",
]

#: The order of the ristretto255 group (RFC 9496).
L = 2**252 + 27742317777372353535851937790883648493

#: The identity element's encoding (all zero bytes).
IDENTITY = bytes(32)

_HEX_32 = re.compile("[0-9a-f]{64}").fullmatch


def _scalar_bytes(s: int) -> bytes:
    return (s % L).to_bytes(32, "little")


def base_mul(s: int) -> bytes:
    """``s * G`` for the standard generator ``G`` (zero gives the identity)."""
    return bytes(rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(_scalar_bytes(s)))


def mul(s: int, p: bytes) -> bytes:
    """``s * P``."""
    return bytes(rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(_scalar_bytes(s), p))


def add(p: bytes, q: bytes) -> bytes:
    """``P + Q``."""
    return bytes(rbcl.crypto_core_ristretto255_add(p, q))


def sub(p: bytes, q: bytes) -> bytes:
    """``P - Q``."""
    return bytes(rbcl.crypto_core_ristretto255_sub(p, q))


#: The standard generator.
BASE = base_mul(1)


def random_scalar() -> int:
    """A uniformly random scalar in ``[1, L)`` from the operating system's generator."""
    while True:
        s = secrets.randbelow(L)
        if s:
            return s


def hash_to_scalar(data: bytes) -> int:
    """SHA-512 of ``data`` read as a little-endian integer, reduced modulo ``L``."""
    return int.from_bytes(hashlib.sha512(data).digest(), "little") % L


def bytes32_from_hex(value: object, where: str) -> bytes:
    """32 bytes written as 64 lower-case hexadecimal digits."""
    if not isinstance(value, str) or not _HEX_32(value):
        raise MalformedError(f"{where}: expected 64 lower-case hexadecimal digits")
    return bytes.fromhex(value)


def point_from_hex(value: object, where: str) -> bytes:
    """Decode a point, refusing anything that is not a canonical ristretto255 encoding."""
    raw = bytes32_from_hex(value, where)
    # libsodium 1.0.18 (in rbcl) ignores the top bit, which RFC 9496 requires to be zero.
    if raw != IDENTITY and (raw[31] & 0x80 or not rbcl.crypto_core_ristretto255_is_valid_point(raw)):
        raise MalformedError(f"{where}: not a valid ristretto255 point")
    return raw


def point_hex(p: bytes) -> str:
    """The 64-digit hexadecimal form of a point."""
    return p.hex()


def scalar_from_hex(value: object, where: str) -> int:
    """Decode a scalar, refusing values that are not below ``L``."""
    s = int.from_bytes(bytes32_from_hex(value, where), "little")
    if s >= L:
        raise MalformedError(f"{where}: scalar not reduced modulo the group order")
    return s


def scalar_hex(s: int) -> str:
    """The 64-digit hexadecimal form (32 bytes little-endian) of a scalar."""
    return _scalar_bytes(s).hex()


def point_sum(points: Sequence[bytes]) -> bytes:
    """The sum of valid points (the identity for none)."""
    if _ristretto is not None:
        return bytes(_ristretto.point_sum(points))
    total = IDENTITY
    for p in points:
        total = add(total, p)
    return total


_SMALL_MULTIPLES: dict[int, bytes] = {}


def _small_multiple(v: int) -> bytes:
    # v*G for the values of range proofs (0/1, and the few of an overall proof): computed once.
    if v not in _SMALL_MULTIPLES:
        _SMALL_MULTIPLES[v] = base_mul(v)
    return _SMALL_MULTIPLES[v]


def range_commitments(
    key: bytes,
    alpha: bytes,
    beta: bytes,
    branches: Sequence[tuple[int, int, int]],
    *,
    variable_time: bool = True,
) -> list[bytes]:
    """For each ``(v, c, s)``: ``s*G - c*alpha`` and ``s*Y - c*(beta - v*G)``, in that order.

    The commitments of a range proof's branches (``proofs.py``), for valid points only. A prover
    passes ``variable_time=False``: its timing must not tell its real branch from the others.
    """
    if _ristretto is not None and variable_time:
        rows = [(_scalar_bytes(s), _scalar_bytes(c), v) for v, c, s in branches]
        return _ristretto.range_commitments(key, alpha, beta, rows)
    out: list[bytes] = []
    for v, c, s in branches:
        shifted = sub(beta, _small_multiple(v)) if v else beta
        out.append(sub(base_mul(s), mul(c, alpha)))
        out.append(sub(mul(s, key), mul(c, shifted)))
    return out
