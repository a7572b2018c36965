"""Ballot rows gathered into arrays for ``councils.counting.blt``: the growing table the stream
reader fills in place, and identical rows grouped with their weights."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from councils.counting._blt_text import Codes, Weights
from councils.counting.profile import NO_CANDIDATE, code_dtype, group_rows


class _Block(NamedTuple):
    """A parsed chunk: its size in bytes, its rows, their keys sorted (or None), its lines."""

    size: int
    ranks: Codes
    weights: npt.NDArray[np.int64]
    keys: npt.NDArray[np.int64] | None
    newlines: int


#: Rows are narrowed a block of about this many bytes at a time (the reader's chunk size).
_CHUNK_BYTES = 1 << 20


def _narrow(flat: Codes, rows: int, n: int, width: int) -> None:
    """Rewrite ``rows`` rows of ``n`` codes held in ``flat`` as rows of ``width``, in place.

    A block of rows at a time, front to back: a block's new place never reaches past its old
    one, so nothing is overwritten before it is read (NumPy copies a block that overlaps).
    """
    step = max(1, _CHUNK_BYTES // n)
    for begin in range(0, rows, step):
        end = min(rows, begin + step)
        flat[begin * width : end * width] = flat[begin * n : end * n].reshape(-1, n)[:, :width].reshape(-1)


class _Table:
    """Rows appended in file order to arrays that grow in place.

    The ranks are ``n`` columns wide (no valid ballot is wider) until :meth:`finish` narrows
    them, in place, to the widest ballot. Growing and shrinking use ``ndarray.resize``, a
    ``realloc`` that moves pages rather than copying them, so that reading holds the ballots
    once (plus a tenth of slack) instead of once in chunks and again concatenated.
    """

    def __init__(self, n: int, total_bytes: int, keyed: bool) -> None:
        self.n = n
        self.total_bytes = total_bytes
        self.keyed = keyed
        self.rows = 0
        self.width = 0
        self.ranks: Codes = np.empty((0, n), dtype=code_dtype(n))
        self.weights = np.empty(0, dtype=np.int64)
        self.keys = np.empty(0, dtype=np.int64)

    def _reserve(self, rows: int, chunk_bytes: int) -> None:
        capacity = self.weights.shape[0]
        if rows <= capacity:
            return
        if capacity == 0:
            # A first estimate from the first chunk's bytes per ballot, with a tenth to spare.
            per_row = max(chunk_bytes, 1) / max(rows, 1)
            estimate = int(self.total_bytes / per_row * 1.1) + 16
        else:
            estimate = int(capacity * 1.25)
        capacity = max(rows, estimate)
        if not self.rows:
            # Fresh arrays are not written until filled, so the slack costs no memory pages.
            self.ranks = np.empty((capacity, self.n), dtype=self.ranks.dtype)
            self.weights = np.empty(capacity, dtype=np.int64)
            self.keys = np.empty(capacity if self.keyed else 0, dtype=np.int64)
            return
        # (``resize`` fills the new rows with zeros: they are overwritten as they fill.)
        self.ranks.resize((capacity, self.n), refcheck=False)
        self.weights.resize(capacity, refcheck=False)
        if self.keyed:
            self.keys.resize(capacity, refcheck=False)

    def append(self, block: _Block) -> None:
        ranks, weights, keys = block.ranks, block.weights, block.keys
        count, width = ranks.shape
        start, stop = self.rows, self.rows + count
        self._reserve(stop, block.size)
        if width == self.n:
            self.ranks[start:stop] = ranks
        else:
            self.ranks[start:stop, :width] = ranks
            self.ranks[start:stop, width:] = NO_CANDIDATE
        self.weights[start:stop] = weights
        if self.keyed and keys is not None:
            self.keys[start:stop] = keys
        self.rows = stop
        self.width = max(self.width, width)

    def finish(self) -> tuple[Codes, npt.NDArray[np.int64], npt.NDArray[np.int64] | None]:
        rows, width, n = self.rows, max(self.width, 1), self.n
        ranks = self.ranks
        if width < n and rows:
            _narrow(ranks.reshape(-1), rows, n, width)
        ranks.resize((rows * width,), refcheck=False)
        self.weights.resize(rows, refcheck=False)
        keys = None
        if self.keyed:
            self.keys.resize(rows, refcheck=False)
            keys = self.keys
        return ranks.reshape(rows, width), self.weights, keys


def _concatenate(
    parts: list[tuple[Codes, npt.NDArray[np.int64]]], n: int
) -> tuple[Codes, npt.NDArray[np.int64]]:
    """Stack blocks of rows of different widths, padding with NO_CANDIDATE."""
    if len(parts) == 1:
        return parts[0]
    width = max([1, *(r.shape[1] for r, _ in parts)])
    ranks = np.full((sum(r.shape[0] for r, _ in parts), width), NO_CANDIDATE, dtype=code_dtype(n))
    row = 0
    for part_ranks, _ in parts:
        ranks[row : row + part_ranks.shape[0], : part_ranks.shape[1]] = part_ranks
        row += part_ranks.shape[0]
    weights = np.concatenate([np.empty(0, dtype=np.int64), *(w for _, w in parts)])
    return ranks, weights


def _keys_fit(width: int, n: int) -> bool:
    """Whether rows of ``width`` codes pack into one int64 key (base ``n + 1`` digits)."""
    return bool(width * np.log2(n + 1) < 62)


def _row_keys(ranks: Codes, n: int, digits: int) -> npt.NDArray[np.int64]:
    """Each row packed into an int64: ``digits`` base ``n + 1`` digits (code + 1), most significant first.

    Keys sort like the rows do, and equal keys are equal rows. Rows narrower than ``digits`` count
    as padded with NO_CANDIDATE (digit 0), so keys of blocks of different widths compare.
    """
    rows, width = ranks.shape
    base = n + 1
    keys = np.zeros(rows, dtype=np.int64)
    for j in range(width):
        keys *= base
        keys += ranks[:, j].astype(np.int64) + 1
    if width < digits:
        keys *= base ** (digits - width)
    return keys


def _group_if_repeated(
    ranks: Codes, weights: npt.NDArray[np.int64], n: int, runs: npt.NDArray[np.int64] | None = None
) -> tuple[Codes, Weights]:
    """Merge identical ballots when the file repeats one; leave distinct ballots in file order.

    Each row is packed into one int64 key (see :func:`_row_keys`) when it fits: sorting 760,000
    keys is much faster than sorting rows. The stream reader gives ``runs``: the keys of each
    chunk, sorted in its threads, one chunk after another, which a stable sort (a merge of the
    runs) orders 3x faster than keys in file order. Keys already strictly increasing (a file
    written from a grouped profile) need no sort at all.
    """
    rows, width = ranks.shape
    if rows < 2:
        return ranks, weights
    if runs is None:
        if not _keys_fit(width, n):
            grouped, summed = group_rows(ranks, weights)
            return grouped.astype(ranks.dtype, copy=False), summed
        keys = _row_keys(ranks, n, width)
        if (keys[1:] > keys[:-1]).all():
            return ranks, weights
        ordered = np.sort(keys)
    else:
        if (runs[1:] > runs[:-1]).all():
            return ranks, weights
        ordered = np.sort(runs, kind="stable")
        keys = None
    if not (ordered[1:] == ordered[:-1]).any():
        return ranks, weights
    del ordered
    if keys is None:
        keys = _row_keys(ranks, n, n)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    head = np.ones(rows, dtype=bool)
    head[1:] = sorted_keys[1:] != sorted_keys[:-1]
    firsts = np.flatnonzero(head)
    summed = np.add.reduceat(weights[order], firsts)
    return ranks[order[firsts]], summed.astype(np.int64)
