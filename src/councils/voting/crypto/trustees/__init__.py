"""Trustees: a t-of-n key generation (joint Feldman / Pedersen), decryption factors, combination.

The ceremony is a JSON document that the server (or whoever coordinates) relays between
trustees; every message in it is public except the shares, which are sealed (libsodium sealed
boxes, X25519 + XSalsa20-Poly1305, through PyNaCl: ``rbcl`` binds only ristretto255) to each
recipient's exchange key. Three steps per trustee:

1. ``trustee_keygen``: an exchange key pair; the secret half goes to the trustee's key file.
2. ``trustee_deal``: a random polynomial ``f_i`` of degree ``t - 1``; commitments ``a_ik*G`` to its
   coefficients, each with a Schnorr proof; ``f_i(j)`` sealed to trustee ``j``, for every ``j``.
3. ``trustee_confirm``: open the shares addressed to me, check each against its dealer's
   commitments (Feldman), and keep their sum ``x_j = sum_i f_i(j)`` in the key file.

The election key is ``Y = sum_i a_i0*G``; trustee ``j``'s verification key ``X_j = x_j*G`` is
computable by anyone from the commitments: ``X_j = sum_i sum_k j**k * A_ik``.

The package's modules: ``ceremony`` (the three steps and the key file), ``public`` (what a board
publishes of the trustees and its check), ``decryption`` (factors, proofs, combination). Every
public name is importable from here.
"""

from __future__ import annotations

from councils.voting.crypto.trustees.ceremony import (
    CEREMONY_FORMAT,
    KEY_FORMAT,
    ceremony_add,
    ceremony_new,
    key_parse,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)
from councils.voting.crypto.trustees.decryption import (
    combine,
    decryption_factors,
    decryption_factors_verify,
    dlog_bounded,
    factor_statement,
    lagrange_at_zero,
)
from councils.voting.crypto.trustees.public import PublicTrustee, ceremony_public, public_trustees_verify

__all__ = [
    "CEREMONY_FORMAT",
    "KEY_FORMAT",
    "PublicTrustee",
    "ceremony_add",
    "ceremony_new",
    "ceremony_public",
    "combine",
    "decryption_factors",
    "decryption_factors_verify",
    "dlog_bounded",
    "factor_statement",
    "key_parse",
    "lagrange_at_zero",
    "public_trustees_verify",
    "trustee_confirm",
    "trustee_deal",
    "trustee_keygen",
]
