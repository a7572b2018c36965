"""Largest remainder (Hamilton) with the Hare or the Droop quota, for
``councils.counting.apportionment``; a floor sets aside the units it would leave short."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting._apportion_common import (
    _INT64_SAFE,
    BoolArray,
    IntArray,
    SeatTie,
    _boundary,
    _break_tie,
    _Context,
)


def _largest_remainder(
    method: str, seats: int, min_seats: int, eligible: BoolArray, ctx: _Context
) -> tuple[IntArray, Fraction | None, list[SeatTie]]:
    sizes = ctx.sizes
    n = sizes.approx.size
    out = np.full(n, min_seats, dtype=np.int64)
    if seats == min_seats * n:
        return out, None, []
    total = sum(sizes.exact)
    big = total * (seats + 1) * (min_seats + 1) * sizes.scale >= _INT64_SAFE
    # Python ints in an object array when int64 could overflow (huge sizes, or floats scaled up).
    e: npt.NDArray[Any] = np.array(sizes.exact, dtype=object if big else np.int64)
    idx = np.flatnonzero(eligible)
    while True:
        house = seats - min_seats * (n - idx.size)
        alloc, quota, winners, tied, take = _remainder_round(method, e, idx, house, sizes.scale)
        sure = alloc.copy()
        sure[np.searchsorted(idx, winners)] += 1
        if len(tied) <= take:
            sure[np.searchsorted(idx, tied)] += 1
        short = sure < min_seats
        if not short.any():
            break
        # Units the method would give fewer than the floor get the floor and are set aside; the
        # others share the seats left. A contested tie counts as lost here, so that the outcome
        # does not depend on how a tie that is about to be re-decided would have been broken.
        idx = idx[~short]
    out[idx] = sure
    ties: list[SeatTie] = []
    if len(tied) > take:
        chosen, tie = _break_tie(tied, take, ctx, "remainders")
        out[chosen] += 1
        ties.append(tie)
    return out, quota, ties


def _remainder_round(
    method: str, e: npt.NDArray[Any], idx: IntArray, house: int, scale: int
) -> tuple[IntArray, Fraction, list[int], list[int], int]:
    """One largest-remainder apportionment of ``house`` seats among units ``idx``.

    Returns the seats before remainder seats (by position in ``idx``), the quota, and the boundary
    among the remainders (sure winners, units tied exactly at it, and how many seats those share).
    """
    e_free = e[idx]
    t_free = int(e_free.sum())
    if method == "hare":
        quota = Fraction(t_free, scale * house)
        # Separate // and % because np.divmod has no loop for object arrays.
        floors, rem = (e_free * house) // t_free, (e_free * house) % t_free
    else:
        q = t_free // (scale * (house + 1)) + 1
        quota = Fraction(q)
        floors, rem = e_free // (q * scale), e_free % (q * scale)
    alloc = floors.astype(np.int64)
    left = house - int(alloc.sum())
    # The Droop quota exceeds total / (seats + 1), so the floors never exceed the seats (module notes).
    assert left >= 0, "largest remainder over-allocated"
    positive = np.flatnonzero(e_free > 0)
    if left >= positive.size > 0:
        alloc[positive] += left // positive.size
        left %= positive.size
    cand = idx[positive]
    rem_of = dict(zip(cand.tolist(), rem[positive].tolist(), strict=True))
    winners, tied, take = _boundary(cand, rem[positive].astype(np.float64), rem_of.__getitem__, left)
    return alloc, quota, winners, tied, take
