"""What the apportionment methods share (``councils.counting.apportionment`` has the rules): sizes
in exact form, the threshold read as written, and the last seat(s) decided exactly, with a
contested tie broken by the larger size and then by a seeded lot."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from councils.counting.errors import CountingError
from councils.counting.ties import Lot

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
