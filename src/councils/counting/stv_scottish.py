"""Scottish STV: the count of the Scottish Local Government Elections Order 2007 (SSI 2007/42).

Schedule 1, rules 45 to 52, clause by clause:

- 45: first preferences; papers with no preference for a standing candidate are not valid.
- 46: quota = floor(valid papers / (seats + 1)) + 1, a whole number.
- 47: a candidate whose votes equal or exceed the quota at the end of a stage is deemed elected.
- 48: the surplus of an elected candidate is transferred by the weighted inclusive Gregory
  method: *every* paper the candidate holds moves to its next available preference at
  ``surplus * value of the paper / candidate's total votes``, calculated to five decimal places
  with any remainder ignored. Papers with no next preference are non-transferable.
- 49: when several candidates have surpluses, the largest is transferred first (one per stage);
  equal surpluses are ordered by the most recent preceding stage at which the candidates' votes
  differed (most votes first), then by lot.
- 50: when no surplus remains, the continuing candidate with the fewest votes is excluded and
  all their papers move on at the value they hold.
- 51: equal lowest candidates are separated by the most recent preceding stage at which their
  votes differed (fewest excluded), then by lot.
- 52: when the continuing candidates are as many as the vacancies left, they are all deemed
  elected and no further transfer is made; no surplus is transferred once every seat is filled.
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

__all__ = ["METHOD", "count_scottish_stv"]

#: The method's command-line name.
METHOD = "scottish-stv"

#: Values are held as integers in units of 10**-5 (rule 48(3): five decimal places).
PLACES = 5
UNIT = 10**PLACES


def count_scottish_stv(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    """Count ranked ballots by Scottish STV (SSI 2007/42, schedule 1, rules 45-52).

    Parameters
    ----------
    profile : Profile
        The ballots; weights must be whole numbers of papers. Withdrawn candidates are skipped.
    seats : int, optional
        Seats to fill; defaults to ``profile.seats``.
    seed : int, optional
        Seed of the lot for ties the earlier stages do not separate. A lot drawn without a
        seed gets a random one, recorded in the result.

    Returns
    -------
    CountResult
        Method ``"scottish-stv"``; one ``Stage`` per stage of the count (first preferences, each
        surplus transfer, each exclusion) with votes at five decimal places, the transfers of the
        stage, the cumulative non-transferable value and the value lost by truncation.

    Raises
    ------
    MethodError
        If ``seats`` is not between 1 and the number of candidates standing, a weight is not a
        whole number, or no paper is valid.

    Notes
    -----
    Papers are handled per distinct ballot: each row keeps its current value (integer units of
    0.00001) and a pointer to its current preference, and a transfer touches only the rows the
    transferring candidate holds. A stage costs O(n_rows) to find those rows plus O(moved rows x
    skipped preferences) to move them; a count has at most ``2 * n_candidates`` stages.
    Arithmetic is exact: ``surplus * value // total`` on integers is the statute's truncation.

    The order in which candidates deemed elected at the same stage are listed is by votes, most
    first (the statute orders only their surpluses, rule 49). Candidates filling the last
    vacancies under rule 52 are listed by votes, most first.

    References
    ----------
    .. [1] The Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1,
       rules 45-52. https://www.legislation.gov.uk/ssi/2007/42/schedule/1/made
    .. [2] J. Lundell, Droop (an STV package implementing these rules clause by clause),
       https://github.com/jklundell/droop

    Examples
    --------
    >>> p = Profile.from_rankings(
    ...     ["Ann", "Bob", "Cat", "Dan"],
    ...     [[0, 1], [0, 2], [1], [2], [3, 2]],
    ...     [40, 20, 20, 25, 15],
    ...     seats=2,
    ... )
    >>> r = count_scottish_stv(p)
    >>> r.quota, r.elected
    (Decimal('41.00000'), ('Ann', 'Cat'))
    >>> [s.action for s in r.stages]
    ['First preferences', 'Surplus of Ann', 'Exclusion of Dan']
    >>> r.stages[1].votes["Bob"], r.stages[1].lost_to_rounding  # 40 x 0.31666 (19/60 truncated)
    (Decimal('32.66640'), Decimal('0.00040'))
    """
    n_seats = resolve_seats(profile, seats)
    names = profile.candidates
    n_cand = len(names)
    status = initial_status(profile)

    # Rule 45: first preferences for standing candidates; papers without one are not valid.
    ranks, pointer, owner, weights, valid = first_preferences(profile, METHOD, "ballot paper")
    value = np.full(ranks.shape[0], UNIT, dtype=np.int64)
    votes = exact_bincount(owner, weights * value, n_cand)

    # Rule 46.
    quota = (valid // (n_seats + 1) + 1) * UNIT
    lot = Lot(seed)
    history: list[dict[str, Decimal]] = []
    stages: list[Stage] = []
    elected: list[int] = []
    exhausted = 0
    lost = 0

    def continuing() -> list[int]:
        return [c for c in range(n_cand) if status[c] == CONTINUING]

    def finish_stage(
        action: str, transfers: dict[str, Decimal], excluded: tuple[str, ...], ties: list[TieBreak]
    ) -> bool:
        """Deem elected (rule 47, then 52), record the stage; True when the count is complete."""
        newly = sorted((c for c in continuing() if votes[c] >= quota), key=lambda c: (-votes[c], c))
        for c in newly:
            status[c] = ELECTED
            elected.append(c)
        note = ""
        done = len(elected) >= n_seats
        rest = continuing()
        if not done and len(rest) <= n_seats - len(elected):
            rest.sort(key=lambda c: (-votes[c], c))
            for c in rest:
                status[c] = ELECTED
                elected.append(c)
            newly += rest
            note = "continuing candidates equal the vacancies left: deemed elected (rule 52)"
            done = True
        stage_votes = votes_map(names, votes, PLACES)
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                votes=stage_votes,
                exhausted=to_decimal(exhausted, PLACES),
                lost_to_rounding=to_decimal(lost, PLACES),
                transfers=transfers,
                quota=to_decimal(quota, PLACES),
                elected=tuple(names[c] for c in newly),
                excluded=excluded,
                ties=tuple(ties),
                note=note,
            )
        )
        history.append(stage_votes)
        return done

    def move(rows: npt.NDArray[np.intp]) -> tuple[dict[int, int], int]:
        """Move papers ``rows`` on at their (already set) values; gains per candidate, exhausted."""
        new_owner = advance(ranks, rows, pointer, status == CONTINUING)
        owner[rows] = new_owner
        amounts = weights[rows] * value[rows]
        gone = new_owner == EXHAUSTED
        gains = exact_bincount(np.where(gone, 0, new_owner), np.where(gone, 0, amounts), n_cand)
        return {c: g for c, g in enumerate(gains) if g}, int(amounts[gone].sum())

    def transfer_map(source: int, lost_by_source: int, gains: dict[int, int]) -> dict[str, Decimal]:
        out = {names[source]: to_decimal(-lost_by_source, PLACES)}
        out.update({names[c]: to_decimal(g, PLACES) for c, g in gains.items()})
        return out

    done = finish_stage("First preferences", {}, (), [])
    while not done:
        ties: list[TieBreak] = []
        pending = [c for c in elected if votes[c] > quota]
        if pending:
            # Rules 48-49: the largest surplus first.
            (source,) = pick(
                pending,
                1,
                votes,
                names,
                purpose="surplus order",
                history=history,
                lot=lot,
                look_back="recent",
                ties=ties,
            )
            total = votes[source]
            surplus = total - quota
            rows = np.flatnonzero(owner == source)
            value[rows] = value[rows] * surplus // total
            gains, nontransferable = move(rows)
            exhausted += nontransferable
            lost += surplus - sum(gains.values()) - nontransferable
            for c, g in gains.items():
                votes[c] += g
            votes[source] = quota
            done = finish_stage(f"Surplus of {names[source]}", transfer_map(source, surplus, gains), (), ties)
            continue
        # Rules 50-51: exclude the lowest continuing candidate.
        (loser,) = pick(
            continuing(),
            1,
            votes,
            names,
            purpose="exclude",
            history=history,
            lot=lot,
            look_back="recent",
            ties=ties,
        )
        status[loser] = EXCLUDED
        held = votes[loser]
        rows = np.flatnonzero(owner == loser)
        gains, nontransferable = move(rows)
        exhausted += nontransferable
        for c, g in gains.items():
            votes[c] += g
        votes[loser] = 0
        done = finish_stage(
            f"Exclusion of {names[loser]}", transfer_map(loser, held, gains), (names[loser],), ties
        )

    return CountResult(
        method=METHOD,
        seats=n_seats,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        quota=to_decimal(quota, PLACES),
        seed=recorded_seed(seed, lot),
        extra={"valid_papers": valid},
    )
