"""Divisor methods (D'Hondt, Sainte-Laguë, modified Sainte-Laguë, Huntington–Hill) for
``councils.counting.apportionment``: a float allocation by bisection over the divisor, then made
exact at the last seat."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from councils.counting._apportion_common import (
    _TOL,
    BoolArray,
    FloatArray,
    IntArray,
    SeatTie,
    _break_tie,
    _Context,
    _top_exact,
)


def _claims_below(method: str, t: FloatArray) -> IntArray:
    """How many divisors d(0), d(1), ... are below ``t`` (= seats with priority above the cut)."""
    c: FloatArray
    if method == "dhondt":
        c = np.ceil(t) - 1
    elif method == "sainte-lague":
        c = np.ceil((t - 1) / 2)
    elif method == "modified-sainte-lague":
        c = np.where(t > 1.4, np.maximum(np.ceil((t - 1) / 2), 1.0), 0.0)
    else:  # huntington-hill: k (k + 1) < t**2; d(0) = 0 is below every t > 0, even when 4t² underflows
        c = np.where(t > 0, np.maximum(np.ceil((np.sqrt(1 + 4 * t * t) - 1) / 2), 1.0), 0.0)
    return np.maximum(c, 0).astype(np.int64)


def _divisor_values(method: str, k: IntArray) -> FloatArray:
    kf = k.astype(np.float64)
    if method == "dhondt":
        return kf + 1
    if method == "sainte-lague":
        return 2 * kf + 1
    if method == "modified-sainte-lague":
        return np.where(k == 0, 1.4, 2 * kf + 1)
    return np.sqrt(kf * (kf + 1))


def _priority(method: str, x: float, k: int) -> float:
    """The float priority ``x / d(k)`` of one seat claim (infinite for Huntington–Hill's first seat)."""
    d = float(_divisor_values(method, np.array([k], dtype=np.int64))[0])
    return math.inf if d == 0 else float(x) / d


def _priority_key(method: str, size: int, k: int) -> tuple[int, Fraction]:
    """The exact priority of a unit's ``k+1``-th seat, as a sortable key.

    Huntington–Hill compares squares (``size**2 / (k (k+1))``), which keeps it rational; its first
    seat (``d(0) = 0``) sorts above every finite priority.
    """
    if method == "dhondt":
        return 0, Fraction(size, k + 1)
    if method == "sainte-lague":
        return 0, Fraction(size, 2 * k + 1)
    if method == "modified-sainte-lague":
        return 0, Fraction(size * 5, 7) if k == 0 else Fraction(size, 2 * k + 1)
    if k == 0:
        return 1, Fraction(0)
    return 0, Fraction(size * size, k * (k + 1))


def _divisor(
    method: str, seats: int, min_seats: int, eligible: BoolArray, ctx: _Context
) -> tuple[IntArray, float | None, list[SeatTie]]:
    sizes = ctx.sizes
    n = sizes.approx.size
    out = np.full(n, min_seats, dtype=np.int64)
    units = np.flatnonzero(eligible & (sizes.approx > 0))
    x = sizes.approx[units]
    free = seats - min_seats * n
    if free == 0:
        return out, None, []
    if method == "huntington-hill" and min_seats == 0 and free < units.size:
        # Every first seat has an infinite priority: they go to the largest units (see module notes).
        picked, ties = _top_exact(
            units, x, lambda i: sizes.exact[i], free, ctx, "claims to a first seat (equal sizes)"
        )
        out[picked] = 1
        return out, None, ties
    target = free + min_seats * units.size
    a = _divisor_float_allocation(method, x, min_seats, target)
    a, cut, ties = _divisor_settle(method, units, x, a, min_seats, ctx)
    out[units] = a
    return out, cut * (2.0 if "sainte-lague" in method else 1.0), ties


def _divisor_float_allocation(method: str, x: FloatArray, floor: int, target: int) -> IntArray:
    """Seats per unit summing to ``target``: correct up to float rounding of the priorities.

    The divisor is bracketed starting from the estimate total/seats, narrowed by bisection until
    the bracket holds at most one seat per unit, and the last seats go to the highest next
    priorities (``np.argpartition``). Each step is O(n); there is no loop per seat.
    """

    def alloc(lam: float) -> IntArray:
        return np.maximum(_claims_below(method, x / lam), floor)

    per_seat = 2.0 if "sainte-lague" in method else 1.0
    lam = float(x.sum()) / (target * per_seat)
    a = alloc(lam)
    s = int(a.sum())
    if s == target:
        return a
    if s > target:
        lo, a_lo = lam, a
        hi = lam * 2
        a_hi = alloc(hi)
        while int(a_hi.sum()) > target:
            lo, a_lo = hi, a_hi
            hi *= 2
            a_hi = alloc(hi)
    else:
        hi, a_hi = lam, a
        lo = lam / 2
        a_lo = alloc(lo)
        while int(a_lo.sum()) < target:
            hi, a_hi = lo, a_lo
            lo /= 2
            a_lo = alloc(lo)
    for _ in range(200):
        s_hi = int(a_hi.sum())
        if s_hi == target:
            return a_hi
        if int(a_lo.sum()) == target:
            return a_lo
        if int((a_lo - a_hi).max()) <= 1:
            break
        mid = math.sqrt(lo * hi)
        if not lo < mid < hi:
            break  # float resolution: the exact settlement below copes with what is left
        a_mid = alloc(mid)
        s_mid = int(a_mid.sum())
        if s_mid == target:
            return a_mid
        if s_mid > target:
            lo, a_lo = mid, a_mid
        else:
            hi, a_hi = mid, a_mid
    a = a_hi.copy()
    missing = target - int(a.sum())
    # Normally one pass: the bracket holds at most one seat per unit. At the limit of float
    # resolution it may hold more, and further passes hand them out (the settlement checks them).
    while missing > 0:
        cand = np.flatnonzero(a_lo > a)
        take = min(missing, cand.size)
        nxt = x[cand] / _divisor_values(method, a[cand])
        top = cand[np.argpartition(-nxt, take - 1)[:take]] if take < cand.size else cand
        a[top] += 1
        missing -= take
    return a


def _divisor_settle(
    method: str, units: IntArray, x: FloatArray, a: IntArray, floor: int, ctx: _Context
) -> tuple[IntArray, float, list[SeatTie]]:
    """Make the float allocation exact and find ties at the last seat.

    An allocation is the divisor method's iff the lowest priority of a seat held above the floor
    (``L``) is at least the highest priority of a seat not held (``N``); a tie is ``L == N``. When
    the float values of ``L`` and ``N`` are apart by more than rounding error, nothing can be wrong;
    otherwise every seat claim whose priority lies in the band between them is re-decided exactly.
    """
    with np.errstate(divide="ignore"):
        held = np.where(a > floor, x / _divisor_values(method, np.maximum(a - 1, 0)), np.inf)
        nxt = x / _divisor_values(method, a)
    l_min, n_max = float(held.min()), float(nxt.max())
    if math.isinf(l_min):
        return a, 2 * n_max, []
    if l_min * (1 - _TOL) > n_max * (1 + _TOL):
        return a, (l_min + n_max) / 2, []
    lo = min(l_min, n_max) * (1 - _TOL)
    hi = max(l_min, n_max) * (1 + _TOL)
    a = a.copy()
    exact = ctx.sizes.exact
    pool: list[tuple[tuple[int, Fraction], int]] = []
    returned = 0
    for j in np.flatnonzero(held <= hi).tolist():
        k = int(a[j]) - 1
        size = exact[int(units[j])]
        while k >= floor and _priority(method, x[j], k) <= hi:
            pool.append((_priority_key(method, size, k), j))
            a[j] -= 1
            returned += 1
            k -= 1
    for j in np.flatnonzero(nxt >= lo).tolist():
        k = int(a[j])
        size = exact[int(units[j])]
        while _priority(method, x[j], k) >= lo:
            pool.append((_priority_key(method, size, k), j))
            k += 1
    pool.sort(key=lambda c: c[0], reverse=True)
    cut = pool[returned - 1][0]
    winners = [j for key, j in pool if key > cut]
    tied = [j for key, j in pool if key == cut]
    ties: list[SeatTie] = []
    take = returned - len(winners)
    if len(tied) > take:
        what = f"priorities ({_show_priority(method, cut, ctx.sizes.scale)})"
        chosen_units, tie = _break_tie([int(units[j]) for j in tied], take, ctx, what)
        position = {int(units[j]): j for j in tied}
        chosen = [position[u] for u in chosen_units]
        ties.append(tie)
    else:
        chosen = tied
    for j in winners + chosen:
        a[j] += 1
    cut_value = math.sqrt(cut[1]) if method == "huntington-hill" else float(cut[1])
    cut_value /= ctx.sizes.scale
    if ties:
        return a, cut_value, ties
    below = max((key for key, _ in pool if key < cut), default=None)
    if below is None:  # every next claim lies below the band
        return a, (cut_value + lo) / 2, ties
    below_value = math.sqrt(below[1]) if method == "huntington-hill" else float(below[1])
    return a, (cut_value + below_value / ctx.sizes.scale) / 2, ties


def _show_priority(method: str, key: tuple[int, Fraction], scale: int) -> str:
    value = key[1] / scale if method != "huntington-hill" else key[1] / scale**2
    if method == "huntington-hill":
        return f"{math.sqrt(value):.6g}"
    return str(value) if value.denominator == 1 else f"{value} ≈ {float(value):.6g}"
