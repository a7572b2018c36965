"""Instant-runoff voting (the alternative vote): exclude the last candidate until one has a majority."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting._stv import advance, padded_ranks, pointers
from councils.counting.errors import MethodError
from councils.counting.plurality import to_decimal
from councils.counting.profile import Profile
from councils.counting.result import CountResult, Stage, TieBreak
from councils.counting.ties import Lot, pick, recorded_seed

__all__ = ["count_irv"]

#: Rows moved at a time (see the exclusion loop).
_BLOCK = 1 << 18


def count_irv(profile: Profile, *, seed: int | None = None) -> CountResult:
    """Count ranked ballots by instant runoff, one exclusion per stage.

    At each stage every ballot counts for its highest-ranked continuing candidate. When a
    candidate holds more than half of the votes held by continuing candidates, or only one
    candidate is left, that candidate is elected. Otherwise the candidate with the fewest votes
    is excluded and its ballots pass to their next continuing preference; a ballot with none is
    exhausted.

    Parameters
    ----------
    profile : Profile
        Ranked ballots, possibly truncated. Withdrawn candidates are skipped on every ballot.
        ``profile.seats`` is ignored: IRV fills one seat.
    seed : int, optional
        Seed of the lot that breaks a tie for exclusion which earlier stages do not break.

    Returns
    -------
    CountResult
        Stage 1 holds the first preferences; each later stage one exclusion, with the votes
        after the transfer, the transfers (the excluded candidate's loss as a negative number)
        and the cumulative exhausted votes. The stage in which a candidate reaches a majority
        lists it as elected.

    Raises
    ------
    MethodError
        If no candidate is standing.

    Notes
    -----
    Ties for exclusion are broken by :func:`~councils.counting.ties.pick` with
    ``look_back="recent"``: the tied candidate with fewer votes at the most recent earlier stage
    where they differ is excluded, else one drawn by lot. (Some references, pref_voting's
    ``instant_runoff`` among them, exclude all tied-lowest candidates together.)

    Each ballot row keeps a pointer to its current preference (see
    :func:`councils.counting._stv.advance`). An exclusion advances only the rows that pointed to
    the excluded candidate, and the tallies change by a weighted ``bincount`` of those rows. A
    whole count costs O(n_ballots * max_ranks) at worst, however many stages it takes, plus
    O(n_ballots) per stage to find the rows of the excluded candidate (a compare of int8 codes).

    References
    ----------
    .. [1] "Instant-runoff voting", https://en.wikipedia.org/wiki/Instant-runoff_voting
    .. [2] Electoral Reform Society, "How to conduct an election by the alternative vote".

    Examples
    --------
    Ann leads on first preferences, but Cat's voters prefer Bob:

    >>> p = Profile.from_rankings(
    ...     ["Ann", "Bob", "Cat"], [[0], [1, 0], [2, 1]], weights=[40, 35, 25]
    ... )
    >>> r = count_irv(p)
    >>> r.elected
    ('Bob',)
    >>> [(s.action, dict(s.votes)) for s in r.stages]  # doctest: +NORMALIZE_WHITESPACE
    [('First preferences', {'Ann': Decimal('40'), 'Bob': Decimal('35'), 'Cat': Decimal('25')}),
     ('Exclusion of Cat', {'Ann': Decimal('40'), 'Bob': Decimal('60'), 'Cat': Decimal('0')})]
    """
    n = profile.n_candidates
    standing = profile.continuing
    if not standing:
        raise MethodError("no candidate is standing")
    lot = Lot(seed)
    names = profile.candidates
    weights = profile.weights
    integral = bool(np.issubdtype(weights.dtype, np.integer))
    # Papers move over the same compact padded table as in the STV counts (see ``_stv.advance``).
    ranks = padded_ranks(profile)
    usable = np.ones(n, dtype=bool)
    usable[list(profile.withdrawn)] = False
    # Each row's pointer is the cell of its current preference; ``current`` caches its code.
    pointer = pointers(ranks, 0)
    current = ranks[:, 0].copy()
    if profile.withdrawn:
        # Rows whose first preference is withdrawn start from column -1 and move to the first
        # standing preference.
        first_out = np.flatnonzero(np.isin(current, list(profile.withdrawn)))
        pointer[first_out] -= 1
        current[first_out] = advance(ranks, first_out, pointer, usable)
    # NO_CANDIDATE (-1) counts in slot 0: the exhausted ballots. Tallies are float64, exact for
    # whole numbers below 2**53. Whole weights below that are summed as int64 by ``np.add.at``:
    # the same numbers, 3x faster than a weighted ``bincount`` when the codes come in runs (as
    # in a grouped, sorted profile), where each float addition waits for the previous one.
    whole = integral and float(weights.sum(dtype=np.float64)) < 2**53

    def tally(
        codes: npt.NDArray[np.integer[Any]], rows: npt.NDArray[np.intp] | None
    ) -> npt.NDArray[np.float64]:
        taken = weights if rows is None else weights[rows]
        if whole:
            counted = np.zeros(n + 1, dtype=np.int64)
            np.add.at(counted, codes + 1, taken)
            return counted.astype(np.float64)
        # (A float64 array already: the stubs type bincount's result as intp.)
        return np.asarray(np.bincount(codes + 1, weights=taken, minlength=n + 1), dtype=np.float64)

    totals = tally(current, None)
    exhausted = totals[0]
    tallies = totals[1:].copy()
    alive = set(standing)

    def votes_now() -> dict[str, Decimal]:
        return {names[c]: _dec(tallies[c], integral) for c in standing}

    history: list[Mapping[str, Decimal]] = []
    stages: list[Stage] = []
    votes = votes_now()
    action = "First preferences"
    transfers: dict[str, Decimal] = {}
    excluded: tuple[str, ...] = ()
    ties: tuple[TieBreak, ...] = ()
    while True:
        live = sorted(alive)
        live_votes = tallies[live]
        leader = live[int(np.argmax(live_votes))]
        won = len(live) == 1 or 2 * tallies[leader] > live_votes.sum()
        stages.append(
            Stage(
                len(stages) + 1,
                action,
                votes,
                exhausted=_dec(exhausted, integral),
                transfers=transfers,
                elected=(names[leader],) if won else (),
                excluded=excluded,
                ties=ties,
                note="the only continuing candidate" if len(live) == 1 else "",
            )
        )
        if won:
            break
        history.append(votes)
        stage_ties: list[TieBreak] = []
        (loser,) = pick(
            live,
            1,
            tallies.tolist(),
            names,
            purpose="exclude",
            history=history[:-1],
            lot=lot,
            look_back="recent",
            ties=stage_ties,
        )
        ties = tuple(stage_ties)
        alive.discard(loser)
        usable[loser] = False
        moved = np.flatnonzero(current == loser)
        # Whole-number tallies add up exactly in any grouping, so the rows move in blocks: the
        # working arrays of a stage stay a few megabytes however many ballots there are.
        # (Fractional weights are summed in one bincount, in row order, as they always were.)
        gained = np.zeros(n + 1)
        for block in np.split(moved, range(_BLOCK, moved.shape[0], _BLOCK)) if whole else [moved]:
            arrived = advance(ranks, block, pointer, usable)
            current[block] = arrived
            gained += tally(arrived, block)
        lost = tallies[loser]
        tallies += gained[1:]
        tallies[loser] = 0.0
        exhausted += gained[0]
        transfers = {names[loser]: -_dec(lost, integral)}
        for c in live:
            if c != loser and gained[c + 1]:
                transfers[names[c]] = _dec(gained[c + 1], integral)
        votes = votes_now()
        action = f"Exclusion of {names[loser]}"
        excluded = (names[loser],)
    winner = stages[-1].elected
    return CountResult("irv", 1, names, winner, tuple(stages), seed=recorded_seed(seed, lot))


def _dec(value: float | np.floating[npt.NBitBase], integral: bool) -> Decimal:
    if integral:
        return Decimal(round(float(value)))
    return to_decimal(float(value))
