"""Instant runoff: known answers, stage figures, exhausted ballots, ties and properties."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.counting.errors import MethodError
from councils.counting.irv import count_irv
from councils.counting.profile import Profile


def test_it_elects_a_first_round_majority_in_one_stage() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2]], [6, 3, 2])
    r = count_irv(p)
    assert r.elected == ("A",)
    assert len(r.stages) == 1
    assert r.stages[0].elected == ("A",)
    assert r.method == "irv" and r.seats == 1


def test_it_excludes_the_last_and_transfers_its_ballots() -> None:
    """Tennessee capital example (Wikipedia): Knoxville wins after two exclusions."""
    names = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    p = Profile.from_rankings(
        names, [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 1, 0], [3, 2, 1, 0]], [42, 26, 15, 17]
    )
    r = count_irv(p)
    assert r.elected == ("Knoxville",)
    assert [s.action for s in r.stages] == [
        "First preferences",
        "Exclusion of Chattanooga",
        "Exclusion of Nashville",
    ]
    assert r.stages[1].transfers == {"Chattanooga": D(-15), "Knoxville": D(15)}
    assert r.stages[2].votes == {"Memphis": D(42), "Nashville": D(0), "Chattanooga": D(0), "Knoxville": D(58)}
    assert r.stages[2].elected == ("Knoxville",)


def test_it_tracks_exhausted_ballots_and_needs_a_majority_of_continuing_votes() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2], [2, 1]], [40, 35, 20, 5])
    r = count_irv(p)
    # C out: 20 exhaust, 5 go to B. A 40 against B 40: no majority, a tie for exclusion...
    assert r.stages[1].exhausted == D(20)
    assert r.stages[1].votes["B"] == D(40)
    # ...broken by the most recent earlier stage where they differ (A 40 > B 35): B is excluded.
    assert r.elected == ("A",)
    assert r.stages[2].ties[0].rule == "earlier stage"
    assert r.stages[2].ties[0].chosen == "B"
    assert r.seed is None


def test_a_tie_no_stage_breaks_is_drawn_by_lot_and_the_seed_recorded() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2]], [5, 5, 1])
    r = count_irv(p, seed=3)
    assert r.seed == 3
    assert r.ties and r.ties[0].rule == "lot"
    assert count_irv(p, seed=3).elected == r.elected
    winners = {count_irv(p, seed=s).elected for s in range(20)}
    assert winners == {("A",), ("B",)}
    unseeded = count_irv(p)
    assert unseeded.seed is not None
    assert count_irv(p, seed=unseeded.seed).elected == unseeded.elected


def test_withdrawn_candidates_are_skipped() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[1, 0], [0], [2]], [5, 3, 4], withdrawn=[1])
    r = count_irv(p)
    assert "B" not in r.stages[0].votes
    assert r.stages[0].votes == {"A": D(8), "C": D(4)}
    assert r.elected == ("A",)


def test_fractional_weights_keep_their_decimals() -> None:
    p = Profile.from_rankings(["A", "B"], [[0], [1]], [1.25, 0.5])
    assert count_irv(p).stages[0].votes == {"A": D("1.25"), "B": D("0.5")}


def test_it_refuses_a_profile_with_nobody_standing() -> None:
    p = Profile.from_rankings(["A"], [[0]], withdrawn=[0])
    with pytest.raises(MethodError, match="no candidate is standing"):
        count_irv(p)


def test_empty_ballots_count_as_exhausted_from_the_start() -> None:
    p = Profile.from_rankings(["A", "B"], [[], [0], [1, 0]], [4, 3, 2])
    r = count_irv(p)
    assert r.stages[0].exhausted == D(4)
    assert r.elected == ("A",)


def reference_irv(profile: Profile, seed: int) -> tuple[str, ...]:
    """A plain-Python IRV with the same rules, for comparison with the vectorized one."""
    from councils.counting.ties import Lot, break_tie

    names = profile.candidates
    alive = set(profile.continuing)
    history: list[dict[str, D]] = []
    lot = Lot(seed)
    while True:
        tally = dict.fromkeys(alive, 0.0)
        for ranking, weight in profile.rankings():
            for c in ranking:
                if c in alive:
                    tally[c] += weight
                    break
        total = sum(tally.values())
        leader = max(tally.values())
        if len(alive) == 1 or 2 * leader > total:
            return (
                (names[max(alive, key=lambda c: (tally[c], -c))],)
                if len(alive) > 1
                else (names[next(iter(alive))],)
            )
        votes = {names[c]: D(round(tally[c])) for c in sorted(alive)}
        low = min(tally.values())
        tied = [names[c] for c in sorted(alive) if tally[c] == low]
        loser = (
            break_tie(tied, purpose="exclude", history=history, lot=lot).chosen if len(tied) > 1 else tied[0]
        )
        history.append({**{n: D(0) for n in names}, **votes})
        alive.remove(names.index(loser))


@settings(max_examples=300, deadline=None)
@given(
    ballots=st.lists(
        st.tuples(st.permutations(range(5)), st.integers(0, 5), st.integers(1, 9)), min_size=1, max_size=25
    ),
    withdrawn=st.sets(st.integers(0, 4), max_size=2),
)
def test_it_agrees_with_a_plain_python_count(
    ballots: list[tuple[list[int], int, int]], withdrawn: set[int]
) -> None:
    p = Profile.from_rankings(
        "ABCDE", [b[:k] for b, k, _ in ballots], [w for _, _, w in ballots], withdrawn=withdrawn
    )
    r = count_irv(p, seed=11)
    assert r.elected == reference_irv(p, 11)
    # Votes are conserved: continuing votes plus exhausted equal the ballots cast, at every stage.
    for stage in r.stages:
        assert sum(stage.votes.values()) + stage.exhausted == int(p.weights.sum())


def test_it_counts_a_large_profile() -> None:
    rng = np.random.default_rng(5)
    rows = [list(rng.permutation(8)[: rng.integers(1, 9)]) for _ in range(3000)]
    p = Profile.from_rankings([f"C{i}" for i in range(8)], rows)
    r = count_irv(p, seed=1)
    assert r.elected == reference_irv(p, 1)
