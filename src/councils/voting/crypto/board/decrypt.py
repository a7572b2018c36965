"""Decrypting a board: a trustee's factors, adding them to the board, publishing the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from councils.voting.crypto.board.chain import BoardError, board_append
from councils.voting.crypto.board.verify import verify_board
from councils.voting.crypto.errors import MalformedError, RefusedError
from councils.voting.crypto.trustees import (
    combine,
    decryption_factors,
    decryption_factors_verify,
    public_trustees_verify,
)

__all__ = ["board_add_partial", "board_publish_result", "trustee_decrypt"]


def board_add_partial(
    document: dict[str, Any], partial: Mapping[str, Any], *, processes: int | None = None
) -> None:
    """Verify the board and a trustee's factors against its sum, then append them."""
    checked = verify_board(document, processes=processes)
    if not checked.closed or any(e["type"] == "result" for e in document["events"]):
        raise MalformedError("partial decryption: the board is not closed, or already has its result")
    setup = document["events"][0]["body"]
    _, verification_keys = public_trustees_verify(
        setup["committee"], [e["body"] for e in document["events"] if e["type"] == "trustee_key"]
    )
    decryption_factors_verify(
        partial=partial,
        fingerprint=checked.fingerprint,
        election_key=bytes.fromhex(setup["election_key"]),
        verification_keys=verification_keys,
        sums=checked.sums,
        where="partial decryption",
    )
    if partial["index"] in checked.partials:
        raise MalformedError(f"partial decryption: trustee {partial['index']} has already decrypted")
    if len(checked.partials) >= checked.threshold:
        raise MalformedError("partial decryption: the threshold of trustees has already decrypted")
    board_append(
        document, "partial_decryption", {"factors": list(partial["factors"]), "index": partial["index"]}
    )


def board_publish_result(document: dict[str, Any], *, processes: int | None = None) -> list[int]:
    """Combine the board's factors (at least the threshold), append the result and return the counts."""
    checked = verify_board(document, processes=processes)
    if not checked.closed or checked.counts is not None:
        raise MalformedError("result: the board is not closed, or already has its result")
    counts = combine(
        sums=checked.sums, factors=checked.partials, threshold=checked.threshold, bound=checked.total_weight
    )
    board_append(document, "result", {"counts": counts})
    return counts


def trustee_decrypt(
    document: Mapping[str, Any], key: Mapping[str, Any], *, processes: int | None = None
) -> dict[str, Any]:
    """A trustee's factors for the board's sum, after verifying the whole board up to its close.

    The sum decrypted is the one recomputed here from the board's ballots, never one supplied by
    the server; a board that is not closed, or whose declared sum differs, is refused.
    """
    try:
        checked = verify_board(document, processes=processes)
    except BoardError as exc:
        raise RefusedError(f"refusing to decrypt: the board does not verify: {exc}") from None
    if not checked.closed:
        raise RefusedError("refusing to decrypt: the poll is not closed on its board")
    setup = document["events"][0]["body"]
    if key.get("committee") != setup["committee"]["fingerprint"]:
        raise RefusedError("refusing to decrypt: this key belongs to another committee")
    return decryption_factors(
        key=key,
        committee_fingerprint=setup["committee"]["fingerprint"],
        fingerprint=checked.fingerprint,
        election_key=bytes.fromhex(setup["election_key"]),
        sums=checked.sums,
    )
