"""Meek STV as New Zealand counts it: Local Electoral Regulations 2001, schedule 1A.

Every candidate has a *keep value*: 1 while hopeful, 0 once excluded, and for a successful
(elected) candidate the fraction of each vote reaching them that they keep. Each voting document
starts with the value 1; each candidate in order of preference keeps ``value x keep value`` and
passes the rest on, so an elected candidate's surplus flows on in proportion without any parcel
being singled out. Keep values are refined until the surpluses (nearly) vanish.

As the schedule prescribes (clauses 5-18):

- values have 9 decimal places: the part a candidate keeps and the part passed on are each
  rounded *up* to 9 decimals (clause 10), so nothing is lost by rounding and a few billionths
  may be created; the stages report the difference as ``lost_to_rounding`` (zero or negative);
- the quota is ``(v - vnt) / (n + 1)`` truncated to 9 decimals, plus 0.000000001, where ``v`` is
  the number of valid voting documents and ``vnt`` the non-transferable votes: it is recomputed
  at every iteration (clauses 5 and 11);
- a hopeful candidate whose votes equal or exceed the quota becomes successful;
- a successful candidate's keep value becomes ``keep x quota / votes``, rounded up to 9 decimals
  (clause 17), and the distribution is repeated;
- a hopeful candidate is excluded when the total surplus is below 0.0001 (clause 13), or at
  once when the gap between the two lowest exceeds the total surplus (so no further iteration
  could save the lowest), or when the keep values no longer change; when several hopeful
  candidates have no votes at all they are excluded together (keeping enough to fill the seats).

Counting is complete when every seat is filled or the successful and hopeful candidates are as
many as the seats (clause 3). This is the procedure of the New Zealand STV calculator (Hill's
implementation, on which schedule 1A is modelled).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from councils.counting._stv import (
    CONTINUING,
    ELECTED,
    EXCLUDED,
    EXHAUSTED,
    Codes,
    advance,
    exact_bincount,
    first_preferences,
    initial_status,
    pointers,
    resolve_seats,
    to_decimal,
    votes_map,
)
from councils.counting.errors import MethodError
from councils.counting.profile import NO_CANDIDATE, Profile
from councils.counting.result import CountResult, Stage, TieBreak
from councils.counting.ties import Lot, pick, recorded_seed

__all__ = ["METHOD", "count_meek_stv"]

#: The method's command-line name.
METHOD = "meek-stv"

#: Schedule 1A works to 9 decimal places; values are integers in units of 10**-9.
PLACES = 9
UNIT = 10**PLACES

#: Clause 13: the total surplus below which the iteration is complete (0.0001).
SURPLUS_LIMIT = UNIT // 10_000

#: A guard against an iteration that would not settle (never reached in practice).
MAX_ITERATIONS = 100_000


IntArray = npt.NDArray[np.int64]

#: A continuing candidate, in the schedule's words.
HOPEFUL = CONTINUING


def _ceil_mul(value: IntArray, fraction: IntArray) -> IntArray:
    """``value x fraction`` in 10**-9 units, rounded up (both operands at most 10**9)."""
    product = value * fraction
    return np.asarray(-((-product) // UNIT), dtype=np.int64)


class _Distributor:
    """Clause 10 over all distinct ballots, vectorized.

    Rows whose first preference for a non-excluded candidate goes to a hopeful candidate (or to
    no one) give the same result at every iteration until a candidate's status changes, so they
    are summed once per status change; only the other rows are distributed at each iteration.
    """

    def __init__(self, ranks: Codes, weights: IntArray, n_cand: int) -> None:
        self.ranks = ranks
        self.weights = weights
        self.n_cand = n_cand
        self.static_votes: list[int] = [0] * n_cand
        self.static_exhausted = 0
        self.dynamic = np.zeros(0, dtype=np.intp)

    def reset(self, status: npt.NDArray[np.int8]) -> None:
        """Split rows into static and dynamic ones for the current statuses."""
        n_rows = self.ranks.shape[0]
        pointer = pointers(self.ranks)
        live = (status == HOPEFUL) | (status == ELECTED)
        first = advance(self.ranks, np.arange(n_rows, dtype=np.intp), pointer, live)
        safe = np.where(first == EXHAUSTED, 0, first)
        to_hopeful = (first != EXHAUSTED) & (status[safe] == HOPEFUL)
        gone = first == EXHAUSTED
        self.static_votes = exact_bincount(safe[to_hopeful], self.weights[to_hopeful] * UNIT, self.n_cand)
        self.static_exhausted = int(self.weights[gone].sum()) * UNIT
        self.dynamic = np.flatnonzero(~(to_hopeful | gone))
        self.dyn_ranks = self.ranks[self.dynamic]
        self.dyn_weights = self.weights[self.dynamic]

    def distribute(self, keep: IntArray) -> tuple[list[int], int]:
        """Votes of each candidate and the non-transferable total, in 10**-9 units."""
        votes = list(self.static_votes)
        if self.dynamic.shape[0] == 0:
            return votes, self.static_exhausted
        lookup = np.zeros(self.n_cand + 1, dtype=np.int64)
        lookup[1:] = keep
        value = np.full(self.dynamic.shape[0], UNIT, dtype=np.int64)
        codes: list[npt.NDArray[np.intp]] = []
        amounts: list[IntArray] = []
        for column in range(self.dyn_ranks.shape[1]):
            active = np.flatnonzero(value)
            if active.shape[0] == 0:
                break
            cand = self.dyn_ranks[active, column]
            kv = lookup[cand + 1]
            v = value[active]
            kept = _ceil_mul(v, kv)
            value[active] = _ceil_mul(v, UNIT - kv)
            took = np.flatnonzero(kept)
            if took.shape[0]:
                codes.append(cand[took])
                amounts.append(kept[took] * self.dyn_weights[active[took]])
        if codes:
            gained = exact_bincount(np.concatenate(codes), np.concatenate(amounts), self.n_cand)
            votes = [a + b for a, b in zip(votes, gained, strict=True)]
        exhausted = self.static_exhausted + int((value * self.dyn_weights).sum())
        return votes, exhausted


def count_meek_stv(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    """Count ranked ballots by Meek STV as New Zealand's schedule 1A prescribes.

    Parameters
    ----------
    profile : Profile
        The ballots; weights must be whole numbers of voting documents. Withdrawn candidates
        have keep value 0 from the start.
    seats : int, optional
        Seats to fill; defaults to ``profile.seats``.
    seed : int, optional
        Seed of the lot for ties that earlier stages do not separate (recorded in the result).

    Returns
    -------
    CountResult
        Method ``"meek-stv"``. Stage 1 holds the first preferences; each later stage is one
        decision (candidates becoming successful, or an exclusion) with the votes, quota and
        non-transferable votes of the iteration at which it was taken, at 9 decimal places, and
        the number of iterations in its note. ``extra["keep_values"]`` holds the final keep
        values.

    Raises
    ------
    MethodError
        If ``seats`` is not between 1 and the number of candidates standing, a weight is not a
        whole number, or no voting document is valid.

    Notes
    -----
    Ties for exclusion are broken "ahead at first difference" (AAFD, schedule 1A part 5): by
    the earliest recorded stage at which the tied candidates' votes differed, fewest excluded;
    where they never differed, by a lot drawn from the recorded seed. The schedule's own
    pseudo-random generator is replaced by that seeded lot so that every count records how a
    draw can be repeated.

    One iteration costs O(d x w) for the d distinct ballots that reach a successful candidate
    before a hopeful one (w ranks wide); the other ballots are summed once per change of
    status, in O(n_rows x w). Iterations per stage are typically tens.

    References
    ----------
    .. [1] Local Electoral Regulations 2001 (New Zealand), schedule 1A: New Zealand method of
       counting single transferable votes.
       https://www.legislation.govt.nz/regulation/public/2001/0145/latest/DLM57125.html
    .. [2] I. D. Hill, B. A. Wichmann, D. R. Woodall, "Algorithm 123: Single transferable vote by
       Meek's method", The Computer Journal 30(3), 1987.

    Examples
    --------
    >>> p = Profile.from_rankings(
    ...     ["Ann", "Bob", "Cat"], [[0, 1], [0, 2], [1], [2]], [60, 20, 45, 35], seats=2
    ... )
    >>> r = count_meek_stv(p)
    >>> r.elected
    ('Ann', 'Bob')
    >>> r.quota
    Decimal('53.333333334')
    """
    n_seats = resolve_seats(profile, seats)
    names = profile.candidates
    n_cand = len(names)
    status = initial_status(profile)

    # Only documents with a preference for a standing candidate are valid.
    ranks, _, _, weights, valid = first_preferences(profile, METHOD, "voting document")
    # Trim trailing all-empty columns (keeps the distribution loop short).
    used = np.flatnonzero((ranks != NO_CANDIDATE).any(axis=0))
    ranks = np.ascontiguousarray(ranks[:, : int(used[-1]) + 2])

    keep = np.where(status == HOPEFUL, UNIT, 0).astype(np.int64)
    dist = _Distributor(ranks, weights, n_cand)
    dist.reset(status)
    lot = Lot(seed)
    history: list[dict[str, Decimal]] = []
    stages: list[Stage] = []
    elected: list[int] = []
    first_quota: int | None = None
    iterations = 0
    previous_votes: list[int] = [0] * n_cand

    def hopeful() -> list[int]:
        return [c for c in range(n_cand) if status[c] == HOPEFUL]

    def record(
        action: str,
        votes: list[int],
        exhausted: int,
        quota: int,
        newly: list[int],
        excluded: list[int],
        ties: list[TieBreak],
        note: str,
    ) -> None:
        nonlocal previous_votes
        stage_votes = votes_map(names, votes, PLACES)
        transfers = {
            names[c]: to_decimal(votes[c] - previous_votes[c], PLACES)
            for c in range(n_cand)
            if votes[c] != previous_votes[c] and stages
        }
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                votes=stage_votes,
                exhausted=to_decimal(exhausted, PLACES),
                lost_to_rounding=to_decimal(valid * UNIT - sum(votes) - exhausted, PLACES),
                transfers=transfers,
                quota=to_decimal(quota, PLACES),
                elected=tuple(names[c] for c in newly),
                excluded=tuple(names[c] for c in excluded),
                ties=tuple(ties),
                note=note,
            )
        )
        history.append(stage_votes)
        previous_votes = list(votes)

    since_event = 0
    while True:
        votes, exhausted = dist.distribute(keep)
        iterations += 1
        since_event += 1
        quota = (valid * UNIT - exhausted) // (n_seats + 1) + 1
        if first_quota is None:
            first_quota = quota
        ties: list[TieBreak] = []
        note = f"{since_event} iteration(s)"

        # Hopeful candidates reaching the quota become successful (if more than the seats left,
        # those with most votes).
        reached = sorted((c for c in hopeful() if votes[c] >= quota), key=lambda c: (-votes[c], c))
        room = n_seats - len(elected)
        if len(reached) > room:
            reached = pick(
                reached,
                room,
                votes,
                names,
                purpose="elect",
                history=history,
                lot=lot,
                look_back="first",
                ties=ties,
            )
        for c in reached:
            status[c] = ELECTED
            elected.append(c)
        action = "First preferences" if not stages else "Successful: " + ", ".join(names[c] for c in reached)
        if len(elected) >= n_seats or len(elected) + len(hopeful()) <= n_seats:
            rest = sorted(hopeful(), key=lambda c: (-votes[c], c)) if len(elected) < n_seats else []
            for c in rest:
                status[c] = ELECTED
                elected.append(c)
            if rest:
                note += "; successful and hopeful candidates equal the seats (clause 3)"
            record(action, votes, exhausted, quota, reached + rest, [], ties, note)
            break
        if not stages or reached:
            record(action, votes, exhausted, quota, reached, [], ties, note)
            ties = []
            since_event = 0

        surplus = sum(votes[c] - quota for c in elected if votes[c] > quota)
        excluded = _exclusions(hopeful(), votes, surplus, n_seats - len(elected), names, history, lot, ties)
        changed = False
        for c in elected:
            if votes[c] > quota:
                new = min(-((-int(keep[c]) * quota) // votes[c]), UNIT)
                if new != keep[c]:
                    keep[c] = new
                    changed = True
        if not excluded and not changed and not reached:
            # Keep values no longer change: nothing more can move, so the lowest is excluded.
            excluded = _lowest(hopeful(), 1, votes, names, history, lot, ties)
        if excluded:
            for c in excluded:
                status[c] = EXCLUDED
                keep[c] = 0
            note = f"{since_event} iteration(s)" if since_event else "at the same iteration"
            rest = []
            if len(elected) + len(hopeful()) <= n_seats:
                rest = sorted(hopeful(), key=lambda c: (-votes[c], c))
                for c in rest:
                    status[c] = ELECTED
                    elected.append(c)
                note += "; successful and hopeful candidates equal the seats (clause 3)"
            action = "Exclusion of " + ", ".join(names[c] for c in excluded)
            record(action, votes, exhausted, quota, rest, excluded, ties, note)
            since_event = 0
            if rest:
                break
        if excluded or reached:
            dist.reset(status)
        if iterations >= MAX_ITERATIONS:  # pragma: no cover - a safety net
            raise MethodError(f"meek-stv did not settle after {MAX_ITERATIONS} iterations")

    assert first_quota is not None
    return CountResult(
        method=METHOD,
        seats=n_seats,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        quota=to_decimal(first_quota, PLACES),
        seed=recorded_seed(seed, lot),
        extra={
            "valid_documents": valid,
            "iterations": iterations,
            "keep_values": {names[c]: str(to_decimal(int(keep[c]), PLACES)) for c in range(n_cand)},
        },
    )


def _exclusions(
    candidates: list[int],
    votes: list[int],
    surplus: int,
    vacancies: int,
    names: tuple[str, ...],
    history: list[dict[str, Decimal]],
    lot: Lot,
    ties: list[TieBreak],
) -> list[int]:
    """Whom to exclude now, if anyone (see the module docstring)."""
    if len(candidates) <= vacancies:
        return []
    zero = [c for c in candidates if votes[c] == 0]
    settled = surplus < SURPLUS_LIMIT
    if len(zero) >= 2:
        if not settled:
            return []
        spare = len(candidates) - vacancies
        if len(zero) <= spare:
            return zero
        return _lowest(zero, spare, votes, names, history, lot, ties)
    ordered = sorted(candidates, key=lambda c: votes[c])
    lowest, next_lowest = votes[ordered[0]], votes[ordered[1]]
    if next_lowest - lowest > surplus:
        return [ordered[0]]
    if settled:
        return _lowest(candidates, 1, votes, names, history, lot, ties)
    return []


def _lowest(
    pool: list[int],
    count: int,
    votes: list[int],
    names: tuple[str, ...],
    history: list[dict[str, Decimal]],
    lot: Lot,
    ties: list[TieBreak],
) -> list[int]:
    """The ``count`` candidates of ``pool`` with fewest votes, ties by AAFD then lot."""
    return pick(
        pool, count, votes, names, purpose="exclude", history=history, lot=lot, look_back="first", ties=ties
    )
