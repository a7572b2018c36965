"""Apportionment: dividing a house's seats among units (constituencies, child councils, factions) by size.

Six methods are offered (``METHODS``):

* divisor methods, which give the seats to the highest *priorities* ``size / d(k)``, where ``k`` is
  the number of seats the unit holds already:

  - ``"dhondt"`` (Jefferson): ``d(k) = k + 1``, i.e. 1, 2, 3, ...;
  - ``"sainte-lague"`` (Webster): ``d(k) = 2k + 1``, i.e. 1, 3, 5, ...;
  - ``"modified-sainte-lague"`` (Scandinavian): 1.4, 3, 5, 7, ...;
  - ``"huntington-hill"`` (equal proportions, the US House): ``d(k) = sqrt(k (k + 1))``, so
    ``d(0) = 0``: every unit with a positive size gets a first seat before anyone gets a second;

* largest remainder (Hamilton) with a quota ``q``: each unit gets ``floor(size / q)`` seats and
  the seats left go to the largest remainders:

  - ``"hare"``: ``q = total / seats`` (every unit gets the floor or the ceiling of its exact quota);
  - ``"droop"``: ``q = floor(total / (seats + 1)) + 1``.

Rules this module follows (the same for every method unless said otherwise)
----------------------------------------------------------------------------
* **Exactness.** Sizes may be ``int`` or ``float``; every comparison that decides a seat is made
  exactly, on integers or ``Fraction`` (a float is an exact binary fraction). NumPy floats only
  locate the neighbourhood of the last seats quickly.
* **Threshold.** ``threshold`` is a share of the total of *all* sizes (0.05 for 5 %). A unit whose
  size is below ``threshold * total`` is excluded: it takes part in no proportional seat. A unit
  exactly at the threshold passes. Floats are read as written (``0.05`` means 1/20 exactly).
* **Floor.** ``min_seats = K`` guarantees every unit ``K`` seats, *excluded units included*: the
  floor is a guarantee (as the US constitution's one seat per state), the threshold only bars a unit
  from seats beyond it. For divisor methods the result is the divisor method with a floor:
  ``seats_i = max(K, r(size_i / D))`` for one divisor ``D``, with ``r`` the method's rounding. For
  largest remainder, units to which the method would give fewer than ``K`` seats (a remainder seat
  contested in an exact tie counting as not given) get ``K`` and are set aside; the others share
  the seats left by the same method, with a quota recomputed over them, until the method gives
  every remaining unit at least ``K``. The quota reported is that of the final round.
* **Units of size zero** get their floor and nothing more.
* **Huntington–Hill with fewer seats than units.** With ``min_seats=0`` and fewer seats than
  eligible units of positive size, every first seat has an infinite priority; the seats go to the
  largest units (the limit of the method as ``d(0)`` tends to 0 from above).
* **Droop.** With the whole-number Droop quota ``q > total / (seats + 1)``, the automatic seats
  sum to at most ``total / q < seats + 1``, so Droop can never over-allocate (the *exact*
  Hagenbach-Bischoff quota ``total / (seats + 1)`` could, which is why it is not offered). It can
  under-allocate by more seats than there are units when sizes are small next to the house (the
  ``+ 1`` dominates the quota); then every unit of positive size first gets ``left // m`` more seats
  (``m`` such units) and the rest go by largest remainder. Because of the ``+ 1``, Droop (alone
  among these methods) depends on the unit sizes are counted in: halving every size can change
  the result.
* **Ties.** When the last seat(s) could go to several units with exactly equal claims (equal
  priorities, or equal remainders), the result lists them in ``ties`` and breaks them: the larger
  unit first (the usual statutory rule), then, among units of equal size, a lot drawn from a
  seeded ``random.Random``. The seed is recorded in the result; passing it again repeats the
  apportionment exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from councils.counting.errors import CountingError, MethodError
from councils.counting.ties import Lot

__all__ = ["METHODS", "ApportionmentResult", "SeatTie", "apportion", "apportion_arrays"]

METHODS = ("dhondt", "sainte-lague", "modified-sainte-lague", "hare", "droop", "huntington-hill")
_DIVISOR_METHODS = frozenset({"dhondt", "sainte-lague", "modified-sainte-lague", "huntington-hill"})

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Exact: TypeAlias = int | Fraction

# Float priorities are within a few ulps (~1e-15 relative) of the exact values; anything closer than
# this to the last seat's priority is compared exactly.
_TOL = 1e-9
# int64 arithmetic is used for largest remainder while products stay below this bound.
_INT64_SAFE = 2**62


@dataclass(frozen=True)
class SeatTie:
    """Units with exactly equal claims to the last seat(s), and how the tie was broken.

    Attributes
    ----------
    tied : tuple of str
        The units whose claims were exactly equal, in input order.
    seats : int
        How many seats those claims competed for (fewer than ``len(tied)``).
    chosen : tuple of str
        The units that got them, in input order.
    rule : str
        ``"larger size"``, ``"lot"`` or ``"larger size, then lot"``.
    detail : str
        A sentence a returning officer can read out.
    """

    tied: tuple[str, ...]
    seats: int
    chosen: tuple[str, ...]
    rule: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "tied": list(self.tied),
            "seats": self.seats,
            "chosen": list(self.chosen),
            "rule": self.rule,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ApportionmentResult:
    """The seats each unit gets, and what they were computed from.

    Attributes
    ----------
    method : str
        One of ``METHODS``.
    house_size : int
        The seats apportioned.
    seats : dict of str to int
        Seats per unit, in input order.
    sizes : dict of str to int or float
        The sizes apportioned by, in input order.
    quota : Fraction or None
        For ``"hare"`` and ``"droop"``: the quota of the final round (in the sizes' unit).
    divisor : float or None
        For divisor methods: a divisor ``D`` that reproduces the result,
        ``seats_i = max(min_seats, r(size_i / D))`` for every unit not excluded, where ``r`` rounds
        down (D'Hondt), to nearest (Sainte-Laguë; the modified one rounds 0.7 and above up to a
        first seat) or at the geometric mean (Huntington–Hill). When a tie was broken, it is the
        tied priority itself (the tied units sit exactly on a rounding boundary). ``None`` when
        no seat was apportioned by the method (every seat a floor seat), and for Huntington–Hill
        with fewer seats than units (no divisor gives a unit zero seats then).
    threshold : float
        The threshold, as a share of the total size.
    min_seats : int
        The floor every unit got.
    excluded_by_threshold : tuple of str
        Units below the threshold, in input order; each got ``min_seats`` seats only.
    ties : tuple of SeatTie
        Exact ties for the last seat(s) and how they were broken (empty when there were none).
    seed : int or None
        The seed of the lot when one was drawn (giving it again repeats the result), otherwise the
        seed passed in, if any.
    """

    method: str
    house_size: int
    seats: dict[str, int]
    sizes: dict[str, int | float]
    quota: Fraction | None
    divisor: float | None
    threshold: float
    min_seats: int
    excluded_by_threshold: tuple[str, ...]
    ties: tuple[SeatTie, ...]
    seed: int | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the quota is given as an exact fraction string (``"3431/3"``)."""
        return {
            "method": self.method,
            "house_size": self.house_size,
            "seats": dict(self.seats),
            "sizes": dict(self.sizes),
            "quota": None if self.quota is None else str(self.quota),
            "divisor": self.divisor,
            "threshold": self.threshold,
            "min_seats": self.min_seats,
            "excluded_by_threshold": list(self.excluded_by_threshold),
            "ties": [t.to_dict() for t in self.ties],
            "seed": self.seed,
        }


# --------------------------------------------------------------------------------------------
# Input normalisation


@dataclass(frozen=True)
class _Sizes:
    """Sizes in three forms: floats for speed, exact integers for decisions, Python numbers for show."""

    approx: FloatArray
    # size_i * scale, an exact integer; scale is a power of two (1 when every size is whole).
    exact: list[int]
    scale: int
    shown: list[int | float]


def _sizes_from_values(values: Sequence[object], label: Callable[[int], str]) -> _Sizes:
    if not values:
        raise CountingError("no units to apportion seats among (sizes is empty)")
    if set(map(type, values)) <= {int}:
        # The common case (head counts) is checked without a Python loop over per-item branches.
        ints: list[int] = list(values)  # type: ignore[arg-type]
        smallest = min(ints)
        if smallest < 0:
            i = ints.index(smallest)
            raise CountingError(f"size of {label(i)} is negative: {smallest}")
        return _Sizes(approx=_to_float_array(ints, label), exact=ints, scale=1, shown=list(ints))
    shown: list[int | float] = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise CountingError(f"size of {label(i)} must be a number, got {v!r}")
        number: int | float = int(v) if isinstance(v, int | np.integer) else float(v)
        if isinstance(number, float) and math.isnan(number):
            raise CountingError(f"size of {label(i)} is NaN")
        if isinstance(number, float) and math.isinf(number):
            raise CountingError(f"size of {label(i)} is infinite")
        if number < 0:
            raise CountingError(f"size of {label(i)} is negative: {number!r}")
        shown.append(number)
    ratios = [v.as_integer_ratio() if isinstance(v, float) else (v, 1) for v in shown]
    scale = max(d for _, d in ratios)  # every denominator is a power of two, so the largest is the lcm
    exact = [n * (scale // d) for n, d in ratios]
    return _Sizes(approx=_to_float_array(shown, label), exact=exact, scale=scale, shown=shown)


def _to_float_array(values: Sequence[int | float], label: Callable[[int], str]) -> FloatArray:
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:
        big = max(range(len(values)), key=lambda i: values[i])
        raise CountingError(f"size of {label(big)} is too large: {values[big]}") from None


def _sizes_from_array(sizes: npt.NDArray[Any]) -> _Sizes:
    def label(i: int) -> str:
        return f"unit {i}"

    if sizes.ndim != 1:
        raise CountingError(f"sizes must be a one-dimensional array, got shape {sizes.shape}")
    if sizes.size == 0:
        raise CountingError("no units to apportion seats among (sizes is empty)")
    if sizes.dtype.kind in "iu":
        negative = np.flatnonzero(sizes < 0)
        if negative.size:
            raise CountingError(f"size of {label(int(negative[0]))} is negative: {sizes[negative[0]]}")
        ints: list[int] = sizes.tolist()
        return _Sizes(approx=sizes.astype(np.float64), exact=ints, scale=1, shown=list(ints))
    if sizes.dtype.kind == "f":
        x = sizes.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
        if bad.size:
            v = float(x[bad[0]])
            what = "NaN" if math.isnan(v) else "infinite" if math.isinf(v) else f"negative: {v!r}"
            raise CountingError(f"size of {label(int(bad[0]))} is {what}")
        if np.all(x == np.floor(x)) and float(x.max()) < 2.0**63:
            whole: list[int] = x.astype(np.int64).tolist()
            return _Sizes(approx=x, exact=whole, scale=1, shown=x.tolist())
        return _sizes_from_values(x.tolist(), label)
    raise CountingError(f"sizes must be an integer or float array, got dtype {sizes.dtype}")


def _threshold_fraction(threshold: float) -> Fraction:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | Fraction | Decimal):
        raise CountingError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    if isinstance(threshold, float):
        if not math.isfinite(threshold):
            raise CountingError(f"threshold must be a number between 0 and 1, got {threshold!r}")
        # Read a float as written: 0.05 means one twentieth, not the binary number nearest to it.
        share = Fraction(repr(threshold))
    else:
        share = Fraction(threshold)
    if not 0 <= share <= 1:
        raise CountingError(f"threshold must be a share of the total between 0 and 1, got {threshold!r}")
    return share


def _check_options(method: str, seats: int, min_seats: int, units: int) -> None:
    if method not in METHODS:
        raise MethodError(f"unknown apportionment method {method!r}; choose one of: {', '.join(METHODS)}")
    if isinstance(seats, bool) or not isinstance(seats, int | np.integer):
        raise CountingError(f"seats must be a whole number, got {seats!r}")
    if seats < 0:
        raise CountingError(f"seats must be at least 0, got {seats}")
    if isinstance(min_seats, bool) or not isinstance(min_seats, int | np.integer) or min_seats < 0:
        raise CountingError(f"min_seats must be a whole number at least 0, got {min_seats!r}")
    if min_seats * units > seats:
        raise CountingError(
            f"min_seats={min_seats} for {units} units needs {min_seats * units} seats, "
            f"more than the {seats} to apportion"
        )


# --------------------------------------------------------------------------------------------
# Ties


class _LotBox:
    """Creates the count's lot on first use, so a seed is only chosen when a lot is drawn."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self.lot: Lot | None = None

    def get(self) -> Lot:
        if self.lot is None:
            self.lot = Lot(self.seed)
        return self.lot

    @property
    def recorded_seed(self) -> int | None:
        return self.lot.seed if self.lot is not None and self.lot.drawn else self.seed


@dataclass(frozen=True)
class _Context:
    sizes: _Sizes
    name: Callable[[int], str]
    lots: _LotBox


def _break_tie(tied: Sequence[int], take: int, ctx: _Context, what: str) -> tuple[list[int], SeatTie]:
    """Give ``take`` seats to ``take`` of the ``tied`` units: larger size first, then by lot."""
    exact = ctx.sizes.exact
    by_size = sorted(tied, key=lambda i: -exact[i])
    boundary = exact[by_size[take - 1]]
    above = [i for i in by_size if exact[i] > boundary]
    level = [i for i in by_size if exact[i] == boundary]
    need = take - len(above)
    if need == len(level):
        chosen, rule = above + level, "larger size"
    else:
        lot = ctx.lots.get()
        pool = {ctx.name(i): i for i in level}
        drawn: list[int] = []
        for _ in range(need):
            pick = lot.draw(list(pool))
            drawn.append(pool.pop(pick))
        chosen = above + drawn
        rule = "lot" if len(level) == len(tied) else "larger size, then lot"
    names = tuple(ctx.name(i) for i in sorted(tied))
    chosen_names = tuple(ctx.name(i) for i in sorted(chosen))
    how = {
        "larger size": "as the larger unit first",
        "lot": f"by lot (seed {ctx.lots.get().seed})",
        "larger size, then lot": f"as the larger unit first, then by lot (seed {ctx.lots.get().seed})",
    }[rule]
    detail = (
        f"{', '.join(names)} had exactly equal {what} for {take} seat{'s' if take != 1 else ''}; "
        f"given to {', '.join(chosen_names)} {how}"
    )
    return chosen, SeatTie(tied=names, seats=take, chosen=chosen_names, rule=rule, detail=detail)


def _boundary(
    candidates: IntArray, approx: FloatArray, key: Callable[[int], Exact], count: int
) -> tuple[list[int], list[int], int]:
    """Split the ``count`` candidates with the largest exact ``key`` from the rest.

    ``approx`` is the key as a float, by position in ``candidates``. Floats settle every candidate
    that is clearly in or out; those within ``_TOL`` of the boundary are compared exactly. Returns
    the sure winners, the candidates tied exactly at the boundary and how many of those get in
    (all of them when ``len(tied) == take``; otherwise the tie is contested).
    """
    if count <= 0:
        return [], [], 0
    if count >= candidates.size:
        return candidates.tolist(), [], 0
    order = np.argpartition(-approx, [count - 1, count])
    v_in = float(approx[order[count - 1]])
    v_out = float(approx[order[count]])
    lo, hi = v_out - abs(v_out) * _TOL, v_in + abs(v_in) * _TOL
    sure: list[int] = candidates[approx > hi].tolist()
    band_pos = np.flatnonzero((approx >= lo) & (approx <= hi))
    band = sorted(((key(int(candidates[p])), int(candidates[p])) for p in band_pos), reverse=True)
    take = count - len(sure)
    cut = band[take - 1][0]
    winners = [i for k, i in band if k > cut]
    tied = [i for k, i in band if k == cut]
    return sure + winners, tied, take - len(winners)


def _top_exact(
    candidates: IntArray,
    approx: FloatArray,
    key: Callable[[int], Exact],
    count: int,
    ctx: _Context,
    what: str,
) -> tuple[IntArray, list[SeatTie]]:
    """The ``count`` candidates with the largest exact ``key``; a contested tie is broken and reported."""
    winners, tied, take = _boundary(candidates, approx, key, count)
    if len(tied) <= take:
        return np.array(winners + tied, dtype=np.int64), []
    chosen, tie = _break_tie(tied, take, ctx, what)
    return np.array(winners + chosen, dtype=np.int64), [tie]


# --------------------------------------------------------------------------------------------
# Divisor methods


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


# --------------------------------------------------------------------------------------------
# Largest remainder


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


# --------------------------------------------------------------------------------------------
# Entry points


def _apportion(
    sizes: _Sizes,
    seats: int,
    method: str,
    threshold: float,
    min_seats: int,
    seed: int | None,
    name: Callable[[int], str],
) -> tuple[IntArray, Fraction | None, float | None, BoolArray, list[SeatTie], int | None]:
    n = sizes.approx.size
    _check_options(method, seats, min_seats, n)
    seats, min_seats = int(seats), int(min_seats)
    share = _threshold_fraction(threshold)
    ctx = _Context(sizes=sizes, name=name, lots=_LotBox(seed))
    if share > 0:
        bar = share.numerator * sum(sizes.exact)
        den = share.denominator
        eligible = np.fromiter((s * den >= bar for s in sizes.exact), dtype=np.bool_, count=n)
        if not eligible.any():
            raise CountingError(f"no unit reaches the threshold of {threshold!r} of the total size")
    else:
        eligible = np.ones(n, dtype=np.bool_)
    if seats > min_seats * n and not (sizes.approx[eligible] > 0).any():
        raise CountingError(
            f"every unit taking part has size 0: there is nothing to apportion "
            f"{seats - min_seats * n} seats by"
        )
    quota: Fraction | None = None
    divisor: float | None = None
    if method in _DIVISOR_METHODS:
        out, divisor, ties = _divisor(method, seats, min_seats, eligible, ctx)
    else:
        out, quota, ties = _largest_remainder(method, seats, min_seats, eligible, ctx)
    return out, quota, divisor, ~eligible, ties, ctx.lots.recorded_seed


def apportion(
    sizes: Mapping[str, int | float],
    seats: int,
    method: str,
    *,
    threshold: float = 0.0,
    min_seats: int = 0,
    seed: int | None = None,
) -> ApportionmentResult:
    """Apportion ``seats`` among units in proportion to their ``sizes``.

    Parameters
    ----------
    sizes : mapping of str to int or float
        Each unit's size (members, votes, population), in the order the result keeps.
    seats : int
        The house size: the seats to apportion, at least 0.
    method : str
        One of ``METHODS``: ``"dhondt"``, ``"sainte-lague"``, ``"modified-sainte-lague"``,
        ``"hare"``, ``"droop"``, ``"huntington-hill"``.
    threshold : float, optional
        Share of the total size a unit needs to take part (0.05 for 5 %); units below it get only
        ``min_seats``. Default 0.
    min_seats : int, optional
        Seats every unit gets whatever its size, excluded units included. Default 0.
    seed : int, optional
        Seed of the lot that breaks ties between units of equal size. When none is given and a lot
        is needed, a random seed is chosen and recorded in the result.

    Returns
    -------
    ApportionmentResult
        Seats per unit in input order, the quota or divisor, exclusions and ties.

    Raises
    ------
    MethodError
        For an unknown method (the message lists the allowed ones).
    CountingError
        For empty ``sizes``, a negative, NaN or infinite size, ``seats < 0``, ``min_seats`` times
        the number of units above ``seats``, a threshold outside [0, 1] or that no unit reaches.

    Notes
    -----
    See the module docstring for the rules on thresholds, floors, zero sizes and ties.

    Complexity: O(n log(total / n)) NumPy work for divisor methods (a bisection over the divisor,
    each step O(n)), O(n) for largest remainder (plus one O(n) round per floor adjustment), and
    Python work only for the few seats whose priorities are within rounding error of the last
    seat's. 30,000 seats among 3,000 units take a few milliseconds.

    References
    ----------
    M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man, One Vote*,
    2nd ed., Brookings, 2001. F. Pukelsheim, *Proportional Representation*, 2nd ed., Springer, 2017.

    Examples
    --------
    >>> votes = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}
    >>> apportion(votes, 8, "dhondt").seats
    {'A': 4, 'B': 3, 'C': 1, 'D': 0}
    >>> apportion(votes, 8, "sainte-lague").seats
    {'A': 3, 'B': 3, 'C': 1, 'D': 1}

    The second seat is an exact tie between A's second claim (6 / 2) and B's first (3 / 1); the
    larger unit gets it:

    >>> r = apportion({"A": 6, "B": 3}, 2, "dhondt")
    >>> r.seats, r.ties[0].tied, r.ties[0].rule
    ({'A': 2, 'B': 0}, ('A', 'B'), 'larger size')

    Between units of equal size a lot decides, from a seed the result records:

    >>> r = apportion({"X": 10, "Y": 10, "Z": 5}, 1, "hare", seed=7)
    >>> r.ties[0].rule, r.ties[0].chosen == tuple(k for k, v in r.seats.items() if v), r.seed
    ('lot', True, 7)
    """
    if not isinstance(sizes, Mapping):
        raise CountingError(f"sizes must be a mapping of unit names to sizes, got {type(sizes).__name__}")
    names = list(sizes.keys())
    for key in names:
        if not isinstance(key, str):
            raise CountingError(f"unit names must be strings, got {key!r}")
    normal = _sizes_from_values(list(sizes.values()), names.__getitem__)
    out, quota, divisor, excluded, ties, used_seed = _apportion(
        normal, seats, method, threshold, min_seats, seed, names.__getitem__
    )
    return ApportionmentResult(
        method=method,
        house_size=int(seats),
        seats=dict(zip(names, out.tolist(), strict=True)),
        sizes=dict(zip(names, normal.shown, strict=True)),
        quota=quota,
        divisor=divisor,
        threshold=float(threshold),
        min_seats=int(min_seats),
        excluded_by_threshold=tuple(names[i] for i in np.flatnonzero(excluded).tolist()),
        ties=tuple(ties),
        seed=used_seed,
    )


def apportion_arrays(
    sizes: npt.NDArray[Any],
    seats: int,
    method: str,
    *,
    threshold: float = 0.0,
    min_seats: int = 0,
    seed: int | None = None,
) -> IntArray:
    """Like `apportion`, for sizes in a one-dimensional NumPy array; returns seats as an int64 array.

    Units are named ``"unit 0"``, ``"unit 1"``, ... in error messages and in the lot (which draws
    among sorted names, so the same seed may draw differently than `apportion` with other names).
    Ties are broken by the same rule but not reported: call `apportion` when the result must be
    explained, or pass a ``seed`` when it must be repeatable.

    Notes
    -----
    Complexity as `apportion`, without building the name dictionaries.

    Examples
    --------
    >>> import numpy as np
    >>> apportion_arrays(np.array([100_000, 80_000, 30_000, 20_000]), 8, "dhondt")
    array([4, 3, 1, 0])
    """
    if not isinstance(sizes, np.ndarray):
        raise CountingError(f"sizes must be a NumPy array, got {type(sizes).__name__}")
    normal = _sizes_from_array(sizes)
    out, _quota, _divisor, _excluded, _ties, _seed = _apportion(
        normal, seats, method, threshold, min_seats, seed, lambda i: f"unit {i}"
    )
    return out
