"""Plurality (first past the post) and block vote, counted from ranked ballots.

Both read a :class:`~councils.counting.profile.Profile`: plurality counts each ballot's first
preference; the block vote gives one vote to each of a ballot's first ``seats`` preferences.
Withdrawn candidates are skipped on every ballot, so the next preference counts instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from councils.counting.errors import MethodError
from councils.counting.profile import NO_CANDIDATE, Profile
from councils.counting.result import CountResult, Stage, TieBreak
from councils.counting.ties import Lot, pick, recorded_seed

__all__ = ["count_block", "count_plurality"]


def to_decimal(value: float | int) -> Decimal:
    """A vote total as an exact Decimal (integers stay integers; floats keep their shortest repr)."""
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def tally_dict(
    profile: Profile, totals: npt.NDArray[np.float64] | npt.NDArray[np.int64]
) -> dict[str, Decimal]:
    """Candidate name -> Decimal total, for every candidate not withdrawn, in profile order."""
    return {profile.candidates[c]: to_decimal(totals[c].item()) for c in profile.continuing}


def usable_ranks(profile: Profile) -> npt.NDArray[np.integer[npt.NBitBase]]:
    """The ranks with withdrawn candidates removed and later preferences moved up.

    Returns ``profile.ranks`` itself when nobody is withdrawn (no copy).
    """
    if not profile.withdrawn:
        return profile.ranks
    ranks = profile.ranks
    keep = ~np.isin(ranks, np.fromiter(profile.withdrawn, dtype=np.int64)) & (ranks != NO_CANDIDATE)
    # A stable sort of "not kept" moves the kept codes to the front, in their order.
    order = np.argsort(~keep, axis=1, kind="stable")
    moved = np.take_along_axis(ranks, order, axis=1)
    moved[~np.take_along_axis(keep, order, axis=1)] = NO_CANDIDATE
    return moved


def check_seats(profile: Profile, seats: int | None) -> int:
    """The number of seats to fill (the profile's unless given), checked against the candidates."""
    wanted = profile.seats if seats is None else seats
    available = len(profile.continuing)
    if wanted < 1:
        raise MethodError(f"seats must be at least 1, got {wanted}")
    if wanted > available:
        raise MethodError(f"cannot fill {wanted} seats with {available} candidates standing")
    return wanted


def elect_highest(
    votes: Mapping[str, Decimal],
    seats: int,
    lot: Lot,
    history: Sequence[Mapping[str, Decimal]] = (),
) -> tuple[tuple[str, ...], tuple[TieBreak, ...]]:
    """Pick the ``seats`` candidates with the most votes, breaking ties at the boundary.

    Candidates are taken by decreasing votes (equal ones by name); when a group of equal
    candidates is larger than the seats left, :func:`~councils.counting.ties.pick` breaks the tie
    one seat at a time (earlier stages in ``history`` first, then the lot).
    """
    names = list(votes)
    ties: list[TieBreak] = []
    # Equal candidates that all get a seat are taken in the order of their names.
    by_name = sorted(range(len(names)), key=names.__getitem__)
    chosen = pick(
        by_name,
        seats,
        list(votes.values()),
        names,
        purpose="elect",
        history=history,
        lot=lot,
        look_back="recent",
        ties=ties,
    )
    elected = [names[c] for c in chosen]
    return tuple(elected), tuple(ties)


def _top_counts(profile: Profile, depth: int) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
    """Weighted count of each candidate among the first ``depth`` usable preferences."""
    ranks = usable_ranks(profile)[:, :depth]
    rows, cols = np.nonzero(ranks != NO_CANDIDATE)
    codes = ranks[rows, cols].astype(np.intp)
    totals = np.bincount(codes, weights=profile.weights[rows], minlength=profile.n_candidates)
    if np.issubdtype(profile.weights.dtype, np.integer):
        return np.rint(totals).astype(np.int64)
    return totals


def count_plurality(profile: Profile, *, seed: int | None = None) -> CountResult:
    """Elect the candidate with the most first preferences.

    Parameters
    ----------
    profile : Profile
        Ranked ballots; only each ballot's first usable preference counts (withdrawn candidates
        are skipped). Blank ballots count as cast but give no vote.
    seed : int, optional
        Seed of the lot that breaks a tie for first place; chosen at random and recorded when
        omitted and needed.

    Returns
    -------
    CountResult
        One stage, ``"First preferences"``, with the winner; ``exhausted`` holds blank ballots.

    Notes
    -----
    One pass over the ballot rows: O(n_ballots) time, O(n_candidates) extra memory.

    References
    ----------
    .. [1] "First-past-the-post voting", https://en.wikipedia.org/wiki/First-past-the-post_voting

    Examples
    --------
    >>> p = Profile.from_rankings(["Ann", "Bob", "Cat"], [[0], [1, 0], [1], [2]])
    >>> r = count_plurality(p)
    >>> r.elected, dict(r.stages[0].votes)
    (('Bob',), {'Ann': Decimal('1'), 'Bob': Decimal('2'), 'Cat': Decimal('1')})
    """
    check_seats(profile, 1)
    lot = Lot(seed)
    totals = _top_counts(profile, 1)
    votes = tally_dict(profile, totals)
    elected, ties = elect_highest(votes, 1, lot)
    blank = to_decimal(profile.weights.sum().item()) - sum(votes.values(), Decimal(0))
    stage = Stage(1, "First preferences", votes, exhausted=blank, elected=elected, ties=ties)
    return CountResult("plurality", 1, profile.candidates, elected, (stage,), seed=recorded_seed(seed, lot))


def count_block(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    """Block vote: each ballot gives one vote to each of its first ``seats`` preferences.

    A ranked ballot is read as a block-vote ballot marking its top ``seats`` candidates (the
    number of seats is the most a block-vote ballot may mark); preferences below them are
    ignored. To count every ranked candidate instead, use
    :func:`~councils.counting.approval.count_approval`.

    Parameters
    ----------
    profile : Profile
        Ranked ballots; withdrawn candidates are skipped, so the next preference counts.
    seats : int, optional
        Seats to fill; the profile's by default.
    seed : int, optional
        Seed of the lot that breaks a tie for the last seat(s).

    Returns
    -------
    CountResult
        One stage with each candidate's votes; ``elected`` in order of votes.

    Raises
    ------
    MethodError
        If there are fewer candidates standing than seats.

    Notes
    -----
    One pass over the first ``seats`` columns: O(n_ballots * seats) time.

    References
    ----------
    .. [1] "Plurality block voting", https://en.wikipedia.org/wiki/Plurality_block_voting

    Examples
    --------
    >>> p = Profile.from_rankings(["Ann", "Bob", "Cat"], [[0, 1, 2], [0, 2], [1, 0]], seats=2)
    >>> r = count_block(p)
    >>> r.elected, r.stages[0].votes["Cat"]
    (('Ann', 'Bob'), Decimal('1'))
    """
    wanted = check_seats(profile, seats)
    lot = Lot(seed)
    votes = tally_dict(profile, _top_counts(profile, wanted))
    elected, ties = elect_highest(votes, wanted, lot)
    stage = Stage(1, f"Votes for each ballot's first {wanted} preferences", votes, elected=elected, ties=ties)
    return CountResult("block", wanted, profile.candidates, elected, (stage,), seed=recorded_seed(seed, lot))
