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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting._apportion_common import (
    BoolArray,
    IntArray,
    SeatTie,
    _Context,
    _LotBox,
    _Sizes,
    _sizes_from_array,
    _sizes_from_values,
    _threshold_fraction,
)
from councils.counting._apportion_divisor import _divisor
from councils.counting._apportion_remainder import _largest_remainder
from councils.counting.errors import CountingError, MethodError

__all__ = ["METHODS", "ApportionmentResult", "SeatTie", "apportion", "apportion_arrays"]

METHODS = ("dhondt", "sainte-lague", "modified-sainte-lague", "hare", "droop", "huntington-hill")
_DIVISOR_METHODS = frozenset({"dhondt", "sainte-lague", "modified-sainte-lague", "huntington-hill"})


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
