"""Private helpers shared by the single transferable vote methods.

The STV counts keep, for every distinct ballot (row of ``Profile.ranks``), a pointer to the
cell of its current preference and the candidate that holds it; moving papers on means
advancing those pointers past candidates that can no longer receive them. IRV, the single-seat
case, moves its papers the same way. Values are fixed-point
integers (``int64`` in units of ``10**-places``) so that every truncation a rule prescribes is
exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from councils.counting.errors import MethodError
from councils.counting.profile import NO_CANDIDATE, Profile, code_dtype

__all__ = [
    "CONTINUING",
    "ELECTED",
    "EXCLUDED",
    "EXHAUSTED",
    "WITHDRAWN",
    "Papers",
    "advance",
    "exact_bincount",
    "first_preferences",
    "initial_status",
    "integral_weights",
    "padded_ranks",
    "pointers",
    "resolve_seats",
    "to_decimal",
    "votes_map",
]

#: Owner code of a paper with no further usable preference.
EXHAUSTED = -1

#: A candidate's state in the STV counts (Meek's rules call a continuing candidate hopeful).
CONTINUING, ELECTED, EXCLUDED, WITHDRAWN = 0, 1, 2, 3

IntArray = npt.NDArray[np.int64]
Codes = npt.NDArray[np.signedinteger[Any]]
Pointers = npt.NDArray[np.int32] | npt.NDArray[np.int64]


def resolve_seats(profile: Profile, seats: int | None) -> int:
    """The number of seats to fill, checked against the candidates standing.

    Raises
    ------
    MethodError
        If ``seats`` is below 1 or above the number of candidates not withdrawn.
    """
    n = profile.seats if seats is None else seats
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise MethodError(f"seats must be an integer, got {n!r}")
    standing = len(profile.continuing)
    if n < 1:
        raise MethodError(f"seats must be at least 1, got {n}")
    if n > standing:
        raise MethodError(f"seats ({n}) exceed the candidates standing ({standing})")
    return int(n)


#: The most ballot papers an STV count takes. Values are int64 fixed point (Scottish STV: a paper's
#: value, at most 10**5, times a surplus, at most 10**5 per paper); beyond ~9 * 10**8 papers the
#: products overflow, so far larger counts are refused rather than answered wrongly.
MAX_PAPERS = 10**8


def integral_weights(profile: Profile, method: str) -> IntArray:
    """The profile's weights as ``int64``; STV counts ballot papers, so they must be whole.

    Raises
    ------
    MethodError
        If a weight is not a whole number, or the papers number more than ``MAX_PAPERS``.
    """
    w = profile.weights
    if np.issubdtype(w.dtype, np.integer):
        return _within_limit(w.astype(np.int64), method)
    if not np.all(np.isfinite(w)) or not np.all(np.equal(np.floor(w), w)):
        bad = np.flatnonzero(~np.equal(np.floor(w), w))[:1]
        raise MethodError(
            f"{method} counts whole ballot papers: weight {float(w[bad[0]])} of ballot {int(bad[0]) + 1} "
            "is not a whole number"
        )
    return _within_limit(w.astype(np.int64), method)


def _within_limit(weights: IntArray, method: str) -> IntArray:
    # Summed as floats so that the check itself cannot overflow; exact far beyond the limit.
    total = int(weights.sum(dtype=np.float64))
    if total > MAX_PAPERS:
        raise MethodError(
            f"{method} counts at most {MAX_PAPERS:,} ballot papers exactly; these ballots weigh {total:,}"
        )
    return weights


def padded_ranks(profile: Profile) -> Codes:
    """``profile.ranks`` with one extra ``NO_CANDIDATE`` column, in int8 (int16 above 127 candidates).

    The extra column ends every ballot with ``NO_CANDIDATE``, so that :func:`advance` needs no
    bounds check. Small codes keep the table compact: a million ballots of 15 preferences take
    16 MB (``intp`` would take 128 MB).
    """
    ranks = profile.ranks
    rows, width = ranks.shape
    dtype = np.dtype(code_dtype(profile.n_candidates))
    if width and ranks.dtype == dtype and ranks.flags.c_contiguous:
        # Copying each row as one opaque item is faster than a 2-D copy of short rows (2.4 ms
        # instead of 4 ms for 760,000 rows of 15).
        row = np.dtype((np.void, width * dtype.itemsize))
        table = np.empty(rows, dtype=np.dtype([("prefs", row), ("end", dtype)]))
        table["prefs"] = ranks.view(row).reshape(rows)
        table["end"] = NO_CANDIDATE
        padded: Codes = table.view(dtype).reshape(rows, width + 1)
        return padded
    out = np.empty((rows, width + 1), dtype=dtype)
    out[:, :width] = ranks
    out[:, width] = NO_CANDIDATE
    return out


def pointers(ranks: Codes, column: int = -1) -> Pointers:
    """A pointer per row of the padded table ``ranks``, at ``column`` (-1: before the first).

    A pointer is the position of the row's current preference in the flattened table,
    ``row * (width + 1) + column``: int32 while the table has fewer than 2**31 cells, int64
    above.
    """
    rows, stride = ranks.shape
    dtype = np.int32 if rows * stride < np.iinfo(np.int32).max else np.int64
    out: Pointers = np.arange(rows, dtype=dtype) * stride + column
    return out


def advance(
    ranks: Codes,
    rows: npt.NDArray[np.intp],
    pointer: Pointers,
    usable: npt.NDArray[np.bool_],
) -> npt.NDArray[np.intp]:
    """Move the papers in ``rows`` on to their next usable preference.

    Parameters
    ----------
    ranks : ndarray (n_rows, width + 1) of int8 or int16
        Candidate codes padded with ``NO_CANDIDATE`` (see :func:`padded_ranks`).
    rows : ndarray of int
        Row indices of the papers to move, each once. A paper already exhausted must not be
        moved again (its pointer would run into the next row).
    pointer : ndarray (n_rows,), modified in place
        Each row's pointer (see :func:`pointers`); advanced for ``rows``.
    usable : ndarray of bool (n_candidates,)
        The candidates that may receive papers now (continuing candidates).

    Returns
    -------
    ndarray of intp
        The new holder of each paper of ``rows``, in the order of ``rows``, or ``EXHAUSTED``.

    Notes
    -----
    Each pass moves every paper still moving one cell on; those that reach a usable candidate
    or the padding stop. A whole count visits each cell of the table at most once, so the cost
    is O(len(rows) x skipped columns) per call, with a small constant: a pass is two ``take``
    gathers and two ``compress`` calls (``np.compress`` is several times faster than indexing
    with a boolean mask), and flat pointers spare the row arithmetic a column pointer needs.
    """
    stride = ranks.shape[1]
    flat = ranks.reshape(-1)
    # Codes read as unsigned index a lookup table directly: NO_CANDIDATE (-1) is its last entry.
    unsigned: npt.NDArray[np.unsignedinteger[Any]] = flat.view(
        np.uint8 if flat.dtype.itemsize == 1 else np.uint16
    )
    stops = np.zeros(1 << (8 * flat.dtype.itemsize), dtype=bool)
    stops[: usable.shape[0]] = usable
    stops[-1] = True
    at = pointer.take(rows).astype(np.intp)
    stopped: list[npt.NDArray[np.intp]] = []
    while at.shape[0]:
        at += 1
        stop = stops.take(unsigned.take(at))
        if stop.all():
            stopped.append(at)
            break
        stopped.append(np.compress(stop, at))
        at = np.compress(~stop, at)
    if stopped:
        final = np.concatenate(stopped) if len(stopped) > 1 else stopped[0]
        pointer[final // stride] = final
    owner: npt.NDArray[np.intp] = flat.take(pointer.take(rows)).astype(np.intp)
    return owner


class Papers(NamedTuple):
    """The valid ballot papers at the first stage (rows without a valid paper dropped)."""

    ranks: Codes
    pointer: Pointers
    owner: npt.NDArray[np.intp]
    weights: IntArray
    valid: int


def initial_status(profile: Profile) -> npt.NDArray[np.int8]:
    """Each candidate's state before the count: ``CONTINUING``, or ``WITHDRAWN``."""
    status = np.full(profile.n_candidates, CONTINUING, dtype=np.int8)
    status[list(profile.withdrawn)] = WITHDRAWN
    return status


def first_preferences(profile: Profile, method: str, paper: str) -> Papers:
    """Each ballot paper's first preference for a standing candidate; papers without one dropped.

    Papers that name no standing candidate, and rows of weight 0, are not valid and are left
    out of the count.

    Raises
    ------
    MethodError
        If a weight is not a whole number, or no paper is valid (the message says
        ``"<method> needs at least one valid <paper>"``).
    """
    weights = integral_weights(profile, method)
    ranks = padded_ranks(profile)
    usable = np.ones(profile.n_candidates, dtype=bool)
    usable[list(profile.withdrawn)] = False
    pointer = pointers(ranks)
    owner = advance(ranks, np.arange(ranks.shape[0], dtype=np.intp), pointer, usable)
    valid_rows = (owner != EXHAUSTED) & (weights > 0)
    if not valid_rows.all():
        kept = np.flatnonzero(valid_rows)
        columns = pointer[kept] - kept * ranks.shape[1]
        ranks, owner, weights = ranks[kept], owner[kept], weights[kept]
        pointer = pointers(ranks, 0)
        pointer += columns.astype(pointer.dtype)

    valid = int(weights.sum())
    if valid == 0:
        raise MethodError(f"{method} needs at least one valid {paper}")
    return Papers(ranks, pointer, owner, weights, valid)


def exact_bincount(codes: npt.NDArray[np.intp], values: IntArray, length: int) -> list[int]:
    """Sum integer ``values`` by ``codes`` (0..length-1) exactly, as Python ints."""
    if codes.shape[0] == 0:
        return [0] * length
    # ``np.add.at`` on int64 is exact and, since NumPy 1.25, as fast as a float ``bincount``
    # (3x faster when the codes come in runs, as in a sorted profile).
    out = np.zeros(length, dtype=np.int64)
    np.add.at(out, codes, values)
    return [int(x) for x in out]


def to_decimal(units: int, places: int) -> Decimal:
    """A fixed-point integer as a ``Decimal`` with exactly ``places`` decimals.

    >>> to_decimal(-1234, 5), to_decimal(138100000, 5)
    (Decimal('-0.01234'), Decimal('1381.00000'))
    """
    return Decimal(units).scaleb(-places)


def votes_map(names: Sequence[str], units: Sequence[int], places: int) -> dict[str, Decimal]:
    """Each candidate's votes as ``Decimal``, keyed by name."""
    return {name: to_decimal(int(u), places) for name, u in zip(names, units, strict=True)}
