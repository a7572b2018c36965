"""The Schulze method (beatpath): pairwise contests, strongest paths, a ranking of candidates."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting.plurality import check_seats, to_decimal, usable_ranks
from councils.counting.profile import NO_CANDIDATE, Profile
from councils.counting.result import CountResult, Stage, TieBreak
from councils.counting.ties import Lot, break_tie, recorded_seed

__all__ = ["count_schulze", "pairwise_matrix", "strongest_paths"]

#: Up to this many candidates, the prefix sets of ballots are counted in a table of 2**n columns.
_MAX_BITSET_CANDIDATES = 16


def pairwise_matrix(profile: Profile) -> npt.NDArray[np.float64]:
    """``d[i, j]``: the total weight of ballots that rank candidate ``i`` above candidate ``j``.

    A ranked candidate is above every unranked one; two unranked candidates are not compared.
    Withdrawn candidates are treated as unranked on every ballot (their row and column are 0).

    Notes
    -----
    ``d[i, j] = A[i] - B[j, i]``, where ``A[i]`` is the weight of ballots ranking ``i`` and
    ``B[j, i]`` that of ballots ranking ``j`` before ``i``. Up to 16 candidates, ``B`` comes from
    one weighted histogram of (preference, set of candidates ranked before it) over all cells of
    the ballot matrix, the sets as bit masks, then a small matrix product with the table of bits:
    O(n_ballots * max_ranks + n_candidates**2 * 2**n_candidates). Beyond, it counts pairs of
    positions: O(n_ballots * max_ranks**2).
    """
    n = profile.n_candidates
    ranks = usable_ranks(profile)
    weights = profile.weights.astype(np.float64)
    width = ranks.shape[1]
    if n <= _MAX_BITSET_CANDIDATES:
        before, ranked_weight = _preceded_by(ranks, weights, n)
    else:
        before = np.zeros((n, n), dtype=np.float64)
        ranked_weight = np.zeros(n, dtype=np.float64)
        for b in range(width):
            at_b = ranks[:, b]
            ranked = at_b != NO_CANDIDATE
            later = at_b[ranked].astype(np.intp)
            w = weights[ranked]
            ranked_weight += np.bincount(later, weights=w, minlength=n)
            for a in range(b):
                earlier = ranks[ranked, a].astype(np.intp)
                before += np.bincount(earlier * n + later, weights=w, minlength=n * n).reshape(n, n)
    d = ranked_weight[:, None] - before.T
    np.fill_diagonal(d, 0.0)
    for c in profile.withdrawn:
        d[c, :] = 0.0
        d[:, c] = 0.0
    if np.issubdtype(profile.weights.dtype, np.integer):
        d = np.rint(d)
    return d


def _preceded_by(
    ranks: npt.NDArray[np.integer[npt.NBitBase]], weights: npt.NDArray[np.float64], n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``B[j, i]`` (weight of ballots ranking ``j`` before ``i``) and ``A[i]`` (ranking ``i``).

    Counted through a histogram of (preference, bit mask of the candidates ranked before it).
    """
    rows, width = ranks.shape
    sets = 1 << n
    histogram = np.zeros(n * sets + 1, dtype=np.float64)
    dummy = n * sets
    prefix = np.zeros(rows, dtype=np.int64)
    for b in range(width):
        code = ranks[:, b].astype(np.int64)
        ranked = code >= 0
        # Padding goes to a last, ignored bin, so no row needs to be selected out.
        keys = np.where(ranked, code * sets + prefix, dummy)
        histogram += np.bincount(keys, weights=weights, minlength=n * sets + 1)
        prefix |= np.where(ranked, np.left_shift(1, np.maximum(code, 0)), 0)
    by_set = histogram[:dummy].reshape(n, sets)
    bits = ((np.arange(sets)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
    # by_set[i, S] @ bits[S, j] sums, for each i, the weight of every set S holding j.
    return (by_set @ bits).T, by_set.sum(axis=1)


def strongest_paths(d: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Widest-path strengths ``p[i, j]`` from the pairwise matrix ``d`` (Floyd–Warshall).

    A link ``i -> j`` has strength ``d[i, j]`` when ``d[i, j] > d[j, i]`` and 0 otherwise; a
    path is as strong as its weakest link; ``p[i, j]`` is the strongest path's strength.

    Notes
    -----
    n vectorized relaxation steps of O(n**2) each: O(n**3) time, O(n**2) memory.
    """
    p = np.where(d > d.T, d, 0.0)
    np.fill_diagonal(p, 0.0)
    for k in range(p.shape[0]):
        np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]), out=p)
        np.fill_diagonal(p, 0.0)
    return p


def count_schulze(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    """Elect by the Schulze method; several seats go to the top of the Schulze ranking.

    Candidate ``i`` beats ``j`` when the strongest path from ``i`` to ``j`` is stronger than the
    one back, ``p[i, j] > p[j, i]``; this relation is transitive. The winners are the candidates
    beaten by nobody. For several seats, the winner is taken out and the rule applied again to
    those left (the Schulze ranking), until the seats are filled.

    Parameters
    ----------
    profile : Profile
        Ranked ballots, possibly truncated: a ranked candidate is preferred to every unranked
        one, unranked candidates are equal. Withdrawn candidates are left out.
    seats : int, optional
        Seats to fill from the top of the ranking; the profile's by default.
    seed : int, optional
        Seed of the lot that orders candidates the ranking leaves equal.

    Returns
    -------
    CountResult
        One stage: ``votes`` holds, for each candidate, the number of others it beats by
        strongest path; ``elected`` the top of the ranking. ``extra`` holds ``"pairwise"``
        (``d``) and ``"strongest_paths"`` (``p``) as nested lists in candidate order, and
        ``"ranking"``, the whole Schulze ranking.

    Notes
    -----
    Building ``d`` is O(n_ballots * n_candidates**2), vectorized in blocks of ballots; the
    strongest paths are O(n_candidates**3).

    References
    ----------
    .. [1] M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and
       Condorcet-consistent single-winner election method", Social Choice and Welfare 36
       (2011) 267–303.
    .. [2] "Schulze method", https://en.wikipedia.org/wiki/Schulze_method

    Examples
    --------
    The example of [2]: 45 voters, five candidates, E wins.

    >>> blocs = [([0, 2, 1, 4, 3], 5), ([0, 3, 4, 2, 1], 5), ([1, 4, 3, 0, 2], 8),
    ...          ([2, 0, 1, 4, 3], 3), ([2, 0, 4, 1, 3], 7), ([2, 1, 0, 3, 4], 2),
    ...          ([3, 2, 4, 1, 0], 7), ([4, 1, 0, 3, 2], 8)]
    >>> p = Profile.from_rankings("ABCDE", [b for b, _ in blocs], [w for _, w in blocs])
    >>> r = count_schulze(p)
    >>> r.elected, r.extra["ranking"]
    (('E',), ['E', 'A', 'C', 'B', 'D'])
    >>> r.extra["strongest_paths"][4]
    [25, 28, 28, 31, 0]
    """
    wanted = check_seats(profile, seats)
    lot = Lot(seed)
    names = profile.candidates
    standing = list(profile.continuing)
    d = pairwise_matrix(profile)
    p = strongest_paths(d)
    beats = p > p.T
    ranking, ties = _schulze_ranking(beats, standing, names, lot)
    elected = tuple(ranking[:wanted])
    wins = beats[np.ix_(standing, standing)].sum(axis=1)
    votes: dict[str, Decimal] = {names[c]: Decimal(int(w)) for c, w in zip(standing, wins, strict=True)}
    integral = bool(np.issubdtype(profile.weights.dtype, np.integer))
    extra: Mapping[str, Any] = {
        "pairwise": _nested(d, integral),
        "strongest_paths": _nested(p, integral),
        "ranking": ranking,
    }
    # Only ties that decided a seat matter to the result; later ones only order the losers.
    deciding = tuple(t for t in ties if ranking.index(t.chosen) < wanted)
    stage = Stage(
        1,
        "Schulze ranking by strongest paths",
        votes,
        elected=elected,
        ties=deciding,
        note="votes: the number of other candidates each beats by strongest path",
    )
    return CountResult(
        "schulze", wanted, names, elected, (stage,), seed=recorded_seed(seed, lot), extra=extra
    )


def _schulze_ranking(
    beats: npt.NDArray[np.bool_], standing: list[int], names: tuple[str, ...], lot: Lot
) -> tuple[list[str], list[TieBreak]]:
    """Order ``standing`` by repeatedly taking a candidate beaten by none of those left."""
    left = list(standing)
    ranking: list[str] = []
    ties: list[TieBreak] = []
    while left:
        sub = beats[np.ix_(left, left)]
        unbeaten = [left[i] for i in np.flatnonzero(~sub.any(axis=0))]
        if len(unbeaten) == 1:
            chosen = unbeaten[0]
        else:
            tie = break_tie(
                [names[c] for c in unbeaten], purpose="elect", history=(), lot=lot, look_back="none"
            )
            ties.append(tie)
            chosen = names.index(tie.chosen)
        ranking.append(names[chosen])
        left.remove(chosen)
    return ranking, ties


def _nested(matrix: npt.NDArray[np.float64], integral: bool) -> list[list[Any]]:
    if integral:
        return [[int(x) for x in row] for row in matrix.tolist()]
    return [[str(to_decimal(float(x))) for x in row] for row in matrix.tolist()]
