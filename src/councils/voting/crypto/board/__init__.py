"""A secret poll's bulletin board: an append-only hash chain of public events, built and verified.

A board is ``{"events": [...], "format": "councils-board/1"}``. Each event is::

    {"body": {...}, "hash": H, "prev": H_previous, "seq": n, "type": T}

with ``seq`` counting from 0, ``prev`` the previous event's hash (64 zeros for the first) and
``hash = SHA-256(canonical_json({"body", "prev", "seq", "type"}))``. The types, in the order a
board allows them::

    setup               {"committee", "election_key", "fingerprint", "poll", "question"}
    trustee_key  x n    {"commitments", "exchange_key", "index", "proofs"}
    ballot              {"ballot", "tracker", "weight"}          (no voter, no time)
    ballot_withdrawn    {"tracker"}
    close               {"count", "sum", "total_weight"}
    partial_decryption  {"factors", "index"}                     (at least t of them)
    result              {"counts"}

``verify_board`` checks all of it and raises ``BoardError`` naming the first event that fails.

The package's modules: ``chain`` (event format, hashes, the chain's check), ``tally`` (sums by
weight), ``writer`` (``BoardWriter``), ``ballots`` (the ballot events' checks, in parallel),
``verify`` (``verify_board``) and ``decrypt`` (trustees' factors and the result). Every public
name is importable from here.
"""

from __future__ import annotations

from councils.voting.crypto.board.chain import (
    BOARD_FORMAT,
    GENESIS,
    BoardError,
    board_append,
    event_hash,
    poll_fingerprint,
)
from councils.voting.crypto.board.decrypt import board_add_partial, board_publish_result, trustee_decrypt
from councils.voting.crypto.board.tally import Tally
from councils.voting.crypto.board.verify import VerifiedBoard, verify_board
from councils.voting.crypto.board.writer import BoardWriter

__all__ = [
    "BOARD_FORMAT",
    "GENESIS",
    "BoardError",
    "BoardWriter",
    "Tally",
    "VerifiedBoard",
    "board_add_partial",
    "board_append",
    "board_publish_result",
    "event_hash",
    "poll_fingerprint",
    "trustee_decrypt",
    "verify_board",
]
