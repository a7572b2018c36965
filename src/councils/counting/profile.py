"""Ballot profiles: ranked or approval ballots as NumPy arrays, identical ballots grouped.

A ranked profile is a matrix of candidate codes, one row per *distinct* ballot and one column per
rank, with a weight per row (how many voters cast that ballot, or their total voting weight).
A ballot that ranks fewer candidates than the widest one is padded with ``NO_CANDIDATE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting.errors import InvalidProfileError

__all__ = [
    "MAX_CANDIDATES",
    "MAX_TOTAL_WEIGHT",
    "NO_CANDIDATE",
    "ApprovalProfile",
    "Profile",
    "code_dtype",
    "group_rows",
    "total_weight_within_bound",
]

#: The code that pads a truncated ballot after its last preference.
NO_CANDIDATE = -1

#: Candidate codes fit int8 up to 127 candidates; wider fields use int16.
_MAX_INT8_CANDIDATES = 127


#: The most candidates a profile can hold: their codes must fit int16.
MAX_CANDIDATES = 32767


#: The largest total weight a profile may hold: every method counts it exactly. Float64 tallies
#: (IRV, plurality, approval, Schulze) are exact for whole numbers up to 2**53, and int64 sums of
#: such totals cannot wrap; the STV methods refuse far smaller totals themselves (``MAX_PAPERS``).
MAX_TOTAL_WEIGHT = 2**53


_TOO_HEAVY = f"the ballots' total weight exceeds {MAX_TOTAL_WEIGHT:,}, the most that can be counted exactly"


def total_weight_within_bound(weights: npt.NDArray[np.int64] | npt.NDArray[np.float64]) -> bool:
    """Whether ``weights`` (none negative) sum to at most :data:`MAX_TOTAL_WEIGHT`, decided exactly.

    The sum is never taken in int64, where it could wrap round to a small number: a float sum
    decides every total not within a hair of the bound, and Python integers the rest.
    """
    rows = weights.shape[0]
    if rows == 0:
        return True
    integral = weights.dtype.kind in "iu"
    if integral and int(weights.max()) * rows <= MAX_TOTAL_WEIGHT:
        return True  # the usual case: one pass, no sum
    approximate = float(weights.sum(dtype=np.float64))
    if approximate != approximate or approximate in (float("inf"), float("-inf")):
        return False
    if approximate < MAX_TOTAL_WEIGHT * (1 - 1e-9):
        return True
    if approximate > MAX_TOTAL_WEIGHT * (1 + 1e-9) or not integral:
        return approximate <= MAX_TOTAL_WEIGHT
    return sum(int(w) for w in weights.tolist()) <= MAX_TOTAL_WEIGHT


def code_dtype(n_candidates: int) -> type[np.int8] | type[np.int16]:
    """The dtype of candidate codes: int8 up to 127 candidates, int16 up to :data:`MAX_CANDIDATES`.

    Raises
    ------
    InvalidProfileError
        If there are more candidates than int16 codes can name.
    """
    if n_candidates > MAX_CANDIDATES:
        raise InvalidProfileError(
            f"at most {MAX_CANDIDATES:,} candidates can be counted, got {n_candidates:,}"
        )
    return np.int8 if n_candidates <= _MAX_INT8_CANDIDATES else np.int16


def group_rows(
    rows: npt.NDArray[np.integer[Any]], weights: npt.NDArray[np.int64] | npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.int64] | npt.NDArray[np.float64]]:
    """Group identical rows of ``rows``, summing their ``weights``.

    Returns the distinct rows in lexicographic order and their summed weights, so the same
    ballots always give the same profile whatever order they were read in.
    """
    if rows.shape[0] == 0:
        return rows, weights
    rows = np.ascontiguousarray(rows)
    # Viewing each row as one opaque item lets np.unique sort rows as scalars (much faster than axis=0).
    as_items = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
    _, first, inverse = np.unique(as_items, return_index=True, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=weights, minlength=first.shape[0])
    distinct = rows[first]
    # Order distinct rows lexicographically by code (the void sort orders by bytes, not by value).
    order = np.lexsort(distinct.T[::-1])
    out_weights = summed[order]
    if np.issubdtype(weights.dtype, np.integer):
        return distinct[order], np.rint(out_weights).astype(np.int64)
    return distinct[order], out_weights.astype(np.float64)


@dataclass(frozen=True, eq=False)
class Profile:
    """Ranked ballots, possibly truncated, grouped with weights.

    Attributes
    ----------
    candidates : tuple of str
        Candidate names; a candidate's code is its index here.
    ranks : ndarray of shape (n_ballots, max_ranks), int8 or int16
        Row ``i`` lists the codes of ballot ``i`` in order of preference, padded with
        ``NO_CANDIDATE``. No code repeats within a row; no preference follows a pad.
    weights : ndarray of shape (n_ballots,), int64 or float64
        How many voters cast each distinct ballot (or their total voting weight).
    seats : int
        Seats to fill (from the ballot file; a method's caller may override it).
    title : str
        The election's title, as a ballot file gives it.
    withdrawn : frozenset of int
        Codes of candidates withdrawn before the count; methods skip them on every ballot.
    """

    candidates: tuple[str, ...]
    ranks: npt.NDArray[np.integer[Any]]
    weights: npt.NDArray[np.int64] | npt.NDArray[np.float64]
    seats: int = 1
    title: str = ""
    withdrawn: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.ranks.ndim != 2:
            raise InvalidProfileError(f"ranks must be a 2-D array, got {self.ranks.ndim} dimensions")
        if self.weights.shape != (self.ranks.shape[0],):
            raise InvalidProfileError(
                f"weights must have one entry per ballot ({self.ranks.shape[0]}), "
                f"got shape {self.weights.shape}"
            )
        if self.seats < 1:
            raise InvalidProfileError(f"seats must be at least 1, got {self.seats}")
        code_dtype(len(self.candidates))  # refuses more candidates than codes can name
        if not total_weight_within_bound(self.weights):
            raise InvalidProfileError(_TOO_HEAVY)
        bad = [c for c in self.withdrawn if not 0 <= c < len(self.candidates)]
        if bad:
            raise InvalidProfileError(f"withdrawn candidate codes out of range: {sorted(bad)}")

    @property
    def n_candidates(self) -> int:
        """The number of candidates, withdrawn ones included."""
        return len(self.candidates)

    @property
    def n_ballots(self) -> int:
        """The number of distinct ballots (rows)."""
        return int(self.ranks.shape[0])

    @property
    def total_weight(self) -> float:
        """The total weight of all ballots: the number of voters when weights are counts."""
        return float(self.weights.sum())

    @property
    def continuing(self) -> tuple[int, ...]:
        """Codes of candidates not withdrawn."""
        return tuple(c for c in range(self.n_candidates) if c not in self.withdrawn)

    def with_seats(self, seats: int) -> Profile:
        """The same ballots with another number of seats."""
        return Profile(self.candidates, self.ranks, self.weights, seats, self.title, self.withdrawn)

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        rankings: Iterable[Sequence[int]],
        weights: Iterable[float] | None = None,
        *,
        seats: int = 1,
        title: str = "",
        withdrawn: Iterable[int] = (),
    ) -> Profile:
        """Build a profile from rankings given as sequences of candidate codes.

        Empty rankings are kept (they count as cast and exhaust at once). Identical rankings are
        grouped and their weights summed.

        Raises
        ------
        InvalidProfileError
            If a ranking names a code outside ``range(len(candidates))`` or names a candidate twice
            (the message gives the ranking's 1-based position), or a weight is negative.

        Examples
        --------
        >>> p = Profile.from_rankings(["A", "B", "C"], [[0, 1], [0, 1], [2]])
        >>> p.n_ballots, p.total_weight
        (2, 3.0)
        """
        names = tuple(candidates)
        if len(set(names)) != len(names):
            raise InvalidProfileError("candidate names must be distinct")
        rows = [list(r) for r in rankings]
        width = max((len(r) for r in rows), default=0)
        dtype = code_dtype(len(names))
        array = np.full((len(rows), max(width, 1)), NO_CANDIDATE, dtype=dtype)
        for i, row in enumerate(rows, start=1):
            if len(set(row)) != len(row):
                raise InvalidProfileError(f"ranking {i} names a candidate more than once: {row}")
            for code in row:
                if not 0 <= code < len(names):
                    raise InvalidProfileError(
                        f"ranking {i} names candidate code {code}, outside 0..{len(names) - 1}"
                    )
            array[i - 1, : len(row)] = row
        if weights is None:
            w: npt.NDArray[np.int64] | npt.NDArray[np.float64] = np.ones(len(rows), dtype=np.int64)
        else:
            wl = list(weights)
            if len(wl) != len(rows):
                raise InvalidProfileError(f"{len(wl)} weights given for {len(rows)} rankings")
            if all(float(x).is_integer() for x in wl):
                w = np.asarray(wl, dtype=np.int64)
            else:
                w = np.asarray(wl, dtype=np.float64)
            if (w < 0).any():
                raise InvalidProfileError("weights must not be negative")
            if not total_weight_within_bound(w):  # before grouping sums them
                raise InvalidProfileError(_TOO_HEAVY)
        grouped, gw = group_rows(array, w)
        return cls(names, grouped, gw, seats, title, frozenset(withdrawn))

    def rankings(self) -> list[tuple[tuple[int, ...], float]]:
        """Each distinct ballot as a tuple of codes with its weight (for tests and small exports)."""
        out = []
        for row, weight in zip(self.ranks.tolist(), self.weights.tolist(), strict=True):
            out.append((tuple(c for c in row if c != NO_CANDIDATE), weight))
        return out


@dataclass(frozen=True, eq=False)
class ApprovalProfile:
    """Approval ballots: a boolean matrix, one row per distinct ballot, one column per candidate."""

    candidates: tuple[str, ...]
    approvals: npt.NDArray[np.bool_]
    weights: npt.NDArray[np.int64] | npt.NDArray[np.float64]
    seats: int = 1
    title: str = ""

    def __post_init__(self) -> None:
        if self.approvals.ndim != 2 or self.approvals.shape[1] != len(self.candidates):
            raise InvalidProfileError(
                f"approvals must have one column per candidate ({len(self.candidates)}), "
                f"got shape {self.approvals.shape}"
            )
        if self.weights.shape != (self.approvals.shape[0],):
            raise InvalidProfileError("weights must have one entry per ballot")
        if self.seats < 1:
            raise InvalidProfileError(f"seats must be at least 1, got {self.seats}")
        if not total_weight_within_bound(self.weights):
            raise InvalidProfileError(_TOO_HEAVY)

    @classmethod
    def from_profile(cls, profile: Profile) -> ApprovalProfile:
        """Read a ranked profile as approvals: a ballot approves every candidate it ranks."""
        n = profile.n_candidates
        approvals = np.zeros((profile.n_ballots, n), dtype=bool)
        rows, cols = np.nonzero(profile.ranks != NO_CANDIDATE)
        approvals[rows, profile.ranks[rows, cols].astype(np.intp)] = True
        for code in profile.withdrawn:
            approvals[:, code] = False
        return cls(profile.candidates, approvals, profile.weights, profile.seats, profile.title)
