"""Private helpers shared by the single transferable vote methods.

The STV counts keep, for every distinct ballot (row of ``Profile.ranks``), a pointer to the
column of its current preference and the candidate that holds it; moving papers on means
advancing those pointers past candidates that can no longer receive them. Values are fixed-point
integers (``int64`` in units of ``10**-places``) so that every truncation a rule prescribes is
exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from councils.counting.errors import MethodError
from councils.counting.profile import NO_CANDIDATE, Profile

__all__ = [
    "EXHAUSTED",
    "advance",
    "exact_bincount",
    "integral_weights",
    "padded_ranks",
    "resolve_seats",
    "to_decimal",
    "votes_map",
]

#: Owner code of a paper with no further usable preference.
EXHAUSTED = -1

IntArray = npt.NDArray[np.int64]

#: Sums of float64 are exact for integers below 2**53.
_FLOAT_EXACT = 2**53


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


def integral_weights(profile: Profile, method: str) -> IntArray:
    """The profile's weights as ``int64``; STV counts ballot papers, so they must be whole.

    Raises
    ------
    MethodError
        If a weight is not a whole number.
    """
    w = profile.weights
    if np.issubdtype(w.dtype, np.integer):
        return w.astype(np.int64)
    if not np.all(np.isfinite(w)) or not np.all(np.equal(np.floor(w), w)):
        bad = np.flatnonzero(~np.equal(np.floor(w), w))[:1]
        raise MethodError(
            f"{method} counts whole ballot papers: weight {float(w[bad[0]])} of ballot {int(bad[0]) + 1} "
            "is not a whole number"
        )
    return w.astype(np.int64)


def padded_ranks(profile: Profile) -> npt.NDArray[np.intp]:
    """``profile.ranks`` as ``intp`` with one extra ``NO_CANDIDATE`` column.

    The extra column lets a pointer one past the last preference be read like any other.
    """
    ranks = profile.ranks
    out = np.full((ranks.shape[0], ranks.shape[1] + 1), NO_CANDIDATE, dtype=np.intp)
    out[:, : ranks.shape[1]] = ranks
    return out


def advance(
    ranks: npt.NDArray[np.intp],
    rows: npt.NDArray[np.intp],
    pointer: npt.NDArray[np.intp],
    usable: npt.NDArray[np.bool_],
) -> npt.NDArray[np.intp]:
    """Move the papers in ``rows`` on to their next usable preference.

    Parameters
    ----------
    ranks : ndarray (n_rows, width + 1)
        Candidate codes padded with ``NO_CANDIDATE`` (see :func:`padded_ranks`).
    rows : ndarray of int
        Row indices of the papers to move.
    pointer : ndarray (n_rows,), modified in place
        Column of each row's current preference; advanced for ``rows``.
    usable : ndarray of bool (n_candidates,)
        The candidates that may receive papers now (continuing candidates).

    Returns
    -------
    ndarray of int
        The new holder of each paper of ``rows``, or ``EXHAUSTED``.

    Notes
    -----
    Each pass over the still-moving rows advances them by one column, so the cost is
    O(len(rows) * skipped columns).
    """
    lookup = np.zeros(usable.shape[0] + 1, dtype=bool)  # index 0 stands for NO_CANDIDATE
    lookup[1:] = usable
    width = ranks.shape[1] - 1
    moving = rows
    pos = pointer[rows] + 1
    owner = np.full(rows.shape[0], EXHAUSTED, dtype=np.intp)
    where = np.arange(rows.shape[0])
    while moving.shape[0]:
        pos = np.minimum(pos, width)
        cand = ranks[moving, pos]
        done = lookup[cand + 1] | (cand == NO_CANDIDATE)
        if done.any():
            hit = where[done]
            pointer[moving[done]] = pos[done]
            owner[hit] = np.where(cand[done] == NO_CANDIDATE, EXHAUSTED, cand[done])
        keep = ~done
        moving, pos, where = moving[keep], pos[keep] + 1, where[keep]
    return owner


def exact_bincount(codes: npt.NDArray[np.intp], values: IntArray, length: int) -> list[int]:
    """Sum integer ``values`` by ``codes`` (0..length-1) exactly, as Python ints."""
    if codes.shape[0] == 0:
        return [0] * length
    if int(np.abs(values).sum()) < _FLOAT_EXACT:
        sums = np.bincount(codes, weights=values.astype(np.float64), minlength=length)
        return [int(x) for x in np.rint(sums)]
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
