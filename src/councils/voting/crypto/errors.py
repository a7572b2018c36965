"""The crypto package's exceptions: one base, a shallow hierarchy."""

from __future__ import annotations

__all__ = ["CryptoError", "InvalidProofError", "MalformedError", "RefusedError"]


class CryptoError(ValueError):
    """Base of every error raised by ``councils.voting.crypto``."""


class MalformedError(CryptoError):
    """A value does not have the expected form (JSON shape, hexadecimal, point encoding)."""


class InvalidProofError(CryptoError):
    """A proof does not verify, or a derived value does not match the declared one."""


class RefusedError(CryptoError):
    """An operation was refused because it would endanger secrecy (e.g. decrypting a ballot)."""
