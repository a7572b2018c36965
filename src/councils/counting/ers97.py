"""ERS97: the Electoral Reform Society's STV rules of 1997 (many trade union elections use them).

From "How to conduct an election by the Single Transferable Vote", 3rd edition (1997), section 5:

- 5.1.6 quota: total valid vote / (places + 1), to two decimal places; if not exact, the
  remainder is ignored and 0.01 added. 5.4.8: while nobody is deemed elected, the quota is
  recalculated ignoring the non-transferable vote.
- 5.1.7, 5.3.13, 5.4.9: a continuing candidate is deemed elected whose vote equals or exceeds
  the quota, or (rarely) the total active vote divided by one more than the places not yet
  filled. The total active vote (6.20, 5.6.1) is the continuing candidates' votes plus those
  awaiting transfer: surpluses not yet transferred, and excluded candidates' papers in batches
  not yet transferred. 5.6.2: equal candidates for too few places are separated by the earliest
  point of the count where they differed, and if they never did none of them is deemed elected
  there.
- 5.2.2 deferral: the surpluses are not transferred while their total does not exceed the gap
  between the two lowest candidates, or between a group of lowest candidates excludable under
  5.2.5 and the candidate next above.
- 5.2.3: the largest surplus first; equal surpluses by the greatest vote at the first stage or
  the earliest point (after the transfer of a batch) where the candidates differed, then lot.
- 5.3: a surplus arising at the first stage is taken from all the candidate's papers; arising
  later, from the last batch of papers received only. If the transferable papers are worth
  more than the surplus, each goes on at surplus / number of transferable papers, to two decimal
  places ignoring the remainder; otherwise at its present value. The difference is
  non-transferable.
- 5.2.5 exclusion: as many of the lowest candidates together as possible, provided enough
  remain to fill the places and their total vote plus the deferred surpluses does not exceed the
  vote of the candidate next above; equal lowest by the earliest point where they differed, then
  lot. 5.4: their papers move in batches of equal value, highest value first; candidates
  reaching the quota after a batch are deemed elected and receive no more.
- 5.5: when an exclusion would leave as many continuing candidates as places, they are deemed
  elected; when all places are filled, no further transfer is made.
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
    advance,
    exact_bincount,
    first_preferences,
    initial_status,
    resolve_seats,
    to_decimal,
    votes_map,
)
from councils.counting.profile import Profile
from councils.counting.result import CountResult, Stage, TieBreak
from councils.counting.ties import Lot, pick, recorded_seed

__all__ = ["METHOD", "count_ers97"]

#: The method's command-line name.
METHOD = "ers97"

#: ERS97 works in hundredths of a vote.
PLACES = 2
UNIT = 10**PLACES


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def count_ers97(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    """Count ranked ballots by the ERS97 rules.

    Parameters
    ----------
    profile : Profile
        The ballots; weights must be whole numbers of papers.
    seats : int, optional
        Places to fill; defaults to ``profile.seats``.
    seed : int, optional
        Seed of the lot for ties no earlier point separates (recorded in the result).

    Returns
    -------
    CountResult
        Method ``"ers97"``. Stage 1 is the first stage; each surplus transfer is a stage, and
        each batch of an exclusion is recorded as a stage of its own (the ERS result sheet
        groups the batches of one exclusion into a single stage; the action names the batch).

    Raises
    ------
    MethodError
        If ``seats`` is not between 1 and the number of candidates standing, a weight is not a
        whole number, or no paper is valid.

    Notes
    -----
    Values are integers in hundredths. Each surplus or batch touches only the rows it moves
    (O(n_rows) to find them); a count has O(n_candidates) stages plus one per batch value.

    References
    ----------
    .. [1] Electoral Reform Society, "How to conduct an election by the Single Transferable
       Vote", 3rd ed., 1997, sections 5-6.
       https://www.electoral-reform.org.uk/latest-news-and-research/publications/how-to-conduct-an-election-by-the-single-transferable-vote-3rd-edition/

    Examples
    --------
    >>> p = Profile.from_rankings(["Ann", "Bob", "Cat"], [[0, 1], [0], [1], [2]], [30, 10, 25, 35], seats=2)
    >>> r = count_ers97(p)
    >>> r.quota, r.elected
    (Decimal('33.34'), ('Ann', 'Cat'))
    """
    n_seats = resolve_seats(profile, seats)
    names = profile.candidates
    n_cand = len(names)
    status = initial_status(profile)
    ranks, pointer, owner, weights, valid = first_preferences(profile, METHOD, "voting paper")
    value = np.full(ranks.shape[0], UNIT, dtype=np.int64)
    received = np.zeros(ranks.shape[0], dtype=np.int64)  # batch in which each row was received
    last_batch = [0] * n_cand
    votes = exact_bincount(owner, weights * value, n_cand)
    quota = _ceil_div(valid * UNIT, n_seats + 1)
    first_quota = quota
    lot = Lot(seed)
    points: list[dict[str, Decimal]] = []  # after the first stage and after every batch
    stages: list[Stage] = []
    elected: list[int] = []
    transferred: set[int] = set()
    nontransferable = 0
    batch = 0
    previous = list(votes)

    def continuing() -> list[int]:
        return [c for c in range(n_cand) if status[c] == CONTINUING]

    def surpluses() -> dict[int, int]:
        return {c: votes[c] - quota for c in elected if c not in transferred and votes[c] > quota}

    def deem_elected(ties: list[TieBreak]) -> list[int]:
        newly: list[int] = []
        while len(elected) < n_seats:
            room = n_seats - len(elected)
            # 6.20: votes awaiting transfer include an excluded candidate's later batches.
            awaiting = sum(votes[c] for c in range(n_cand) if status[c] == EXCLUDED)
            active = sum(votes[c] for c in continuing()) + sum(surpluses().values()) + awaiting
            threshold = max(min(quota, _ceil_div(active, room + 1)), 1)
            over = sorted((c for c in continuing() if votes[c] >= threshold), key=lambda c: -votes[c])
            if not over:
                break
            if len(over) > room:
                cut = votes[over[room - 1]]
                sure = [c for c in over if votes[c] > cut]
                tied = [c for c in over if votes[c] == cut]
                chosen = _earliest_order(tied, points, names)
                if chosen is None:  # 5.6.2: equal at every point, none deemed elected now
                    over = sure
                else:
                    over = sure + chosen[: room - len(sure)]
                    ties.append(
                        TieBreak(
                            tuple(names[c] for c in tied),
                            ", ".join(names[c] for c in chosen[: room - len(sure)]),
                            "elect",
                            "earlier stage",
                            "decided by the earliest point where their votes differed (5.6.2)",
                        )
                    )
                if not over:
                    break
            for c in over:
                status[c] = ELECTED
                elected.append(c)
                newly.append(c)
        return newly

    def record(
        action: str, newly: list[int], excluded: tuple[str, ...], ties: list[TieBreak], note: str = ""
    ) -> None:
        nonlocal previous
        stage_votes = votes_map(names, votes, PLACES)
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                votes=stage_votes,
                exhausted=to_decimal(nontransferable, PLACES),
                transfers={
                    names[c]: to_decimal(votes[c] - previous[c], PLACES)
                    for c in range(n_cand)
                    if votes[c] != previous[c]
                },
                quota=to_decimal(quota, PLACES),
                elected=tuple(names[c] for c in newly),
                excluded=excluded,
                ties=tuple(ties),
                note=note,
            )
        )
        previous = list(votes)

    def move(rows: npt.NDArray[np.intp], new_owner: npt.NDArray[np.intp]) -> None:
        nonlocal batch
        batch += 1
        owner[rows] = new_owner
        received[rows] = batch
        for c in set(new_owner.tolist()) - {EXHAUSTED}:
            last_batch[c] = batch

    ties: list[TieBreak] = []
    newly = deem_elected(ties)
    points.append(votes_map(names, votes, PLACES))
    record("First stage", newly, (), ties)
    while len(elected) < n_seats:
        ties = []
        rest = continuing()
        vacancies = n_seats - len(elected)
        if len(rest) <= vacancies:
            for c in sorted(rest, key=lambda c: -votes[c]):
                status[c] = ELECTED
                elected.append(c)
            last = stages[-1]
            stages[-1] = Stage(
                **{
                    **last.__dict__,
                    "elected": last.elected + tuple(names[c] for c in rest),
                    "note": (last.note + "; " if last.note else "")
                    + "continuing candidates fill the places (5.5.1)",
                }
            )
            break
        pending = surpluses()
        total_surplus = sum(pending.values())
        group = _exclusion_group(rest, votes, total_surplus, vacancies)
        if pending and not group:
            # Surpluses are votes above the same quota: the largest surplus has the most votes.
            (source,) = pick(
                list(pending),
                1,
                votes,
                names,
                purpose="surplus order",
                history=points,
                lot=lot,
                look_back="first",
                ties=ties,
            )
            surplus = pending[source]
            transferred.add(source)
            rows = np.flatnonzero((owner == source) & (received == last_batch[source]))
            new_owner = advance(ranks, rows, pointer, status == CONTINUING)
            movable = new_owner != EXHAUSTED
            papers = int(weights[rows[movable]].sum())
            worth = int((weights[rows[movable]] * value[rows[movable]]).sum())
            if worth > surplus:
                value[rows[movable]] = surplus // papers
            moved = rows[movable]
            credits = exact_bincount(new_owner[movable], weights[moved] * value[moved], n_cand)
            for c, g in enumerate(credits):
                votes[c] += g
            votes[source] -= surplus
            nontransferable += surplus - sum(credits)
            move(moved, new_owner[movable])
            points.append(votes_map(names, votes, PLACES))
            newly = deem_elected(ties)
            note = "" if worth > surplus else "papers transferred at their present value (5.3.7)"
            record(f"Surplus of {names[source]}", newly, (), ties, note)
            continue

        if not group:
            group = pick(
                rest,
                1,
                votes,
                names,
                purpose="exclude",
                history=points,
                lot=lot,
                look_back="first",
                ties=ties,
            )
        for c in group:
            status[c] = EXCLUDED
        label = ", ".join(names[c] for c in group)
        if len(rest) - len(group) == vacancies:
            # 5.5.1: the remaining continuing candidates are deemed elected without a transfer.
            winners = sorted(continuing(), key=lambda c: -votes[c])
            for c in winners:
                status[c] = ELECTED
                elected.append(c)
            record(
                f"Exclusion of {label}",
                winners,
                tuple(names[c] for c in group),
                ties,
                "continuing candidates fill the places (5.5.1)",
            )
            break
        rows = np.flatnonzero(np.isin(owner, group))
        values = sorted(set(value[rows].tolist()), reverse=True) or [UNIT]
        for i, tv in enumerate(values, start=1):
            sub = rows[value[rows] == tv]
            new_owner = advance(ranks, sub, pointer, status == CONTINUING)
            gone = new_owner == EXHAUSTED
            amounts = weights[sub] * value[sub]
            for c in group:
                votes[c] -= int(amounts[owner[sub] == c].sum())
            credits = exact_bincount(new_owner[~gone], amounts[~gone], n_cand)
            for c, g in enumerate(credits):
                votes[c] += g
            nontransferable += int(amounts[gone].sum())
            move(sub, new_owner)
            if not elected and nontransferable:
                quota = _ceil_div(valid * UNIT - nontransferable, n_seats + 1)  # 5.4.8
            points.append(votes_map(names, votes, PLACES))
            newly = deem_elected(ties)
            where = (
                f" (batch {i} of {len(values)}, papers at {to_decimal(tv, PLACES)})"
                if len(values) > 1
                else ""
            )
            record(
                f"Exclusion of {label}{where}", newly, tuple(names[c] for c in group) if i == 1 else (), ties
            )
            ties = []
            if len(elected) >= n_seats:
                break

    return CountResult(
        method=METHOD,
        seats=n_seats,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        quota=to_decimal(first_quota, PLACES),
        seed=recorded_seed(seed, lot),
        extra={"valid_papers": valid},
    )


def _exclusion_group(rest: list[int], votes: list[int], deferred: int, vacancies: int) -> list[int]:
    """5.2.2/5.2.5: the largest group of lowest candidates that can go together, or [].

    A group of the ``k`` lowest qualifies when enough candidates remain and their total vote plus
    the deferred surpluses does not exceed the vote of the candidate next above. With surpluses
    pending, a group (even of one) means the surpluses are deferred; with none, a group of one
    is not returned (the plain lowest-candidate rule, with its tie rule, applies).
    """
    ordered = sorted(rest, key=lambda c: votes[c])
    best: list[int] = []
    total = 0
    for k in range(1, len(ordered)):
        total += votes[ordered[k - 1]]
        if len(ordered) - k < vacancies:
            break
        if votes[ordered[k - 1]] == votes[ordered[k]]:
            continue  # a tie at the boundary: this group would split equal candidates
        if total + deferred <= votes[ordered[k]]:
            best = ordered[:k]
    if len(best) == 1 and deferred == 0:
        return []
    return best


def _earliest_order(
    tied: list[int], points: list[dict[str, Decimal]], names: tuple[str, ...]
) -> list[int] | None:
    """``tied`` by votes at the earliest point where they differ (most first), or None."""
    for point in points:
        values = {c: point[names[c]] for c in tied}
        if len(set(values.values())) > 1:
            return sorted(tied, key=lambda c: -values[c])
    return None
