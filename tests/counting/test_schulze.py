"""Schulze: published examples, the pairwise matrix against brute force, rankings for seats."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.counting import schulze
from councils.counting.profile import Profile
from councils.counting.schulze import count_schulze, pairwise_matrix, strongest_paths

WIKIPEDIA = [
    ([0, 2, 1, 4, 3], 5),
    ([0, 3, 4, 2, 1], 5),
    ([1, 4, 3, 0, 2], 8),
    ([2, 0, 1, 4, 3], 3),
    ([2, 0, 4, 1, 3], 7),
    ([2, 1, 0, 3, 4], 2),
    ([3, 2, 4, 1, 0], 7),
    ([4, 1, 0, 3, 2], 8),
]


def wikipedia() -> Profile:
    return Profile.from_rankings("ABCDE", [b for b, _ in WIKIPEDIA], [w for _, w in WIKIPEDIA])


def test_the_wikipedia_example() -> None:
    """45 voters; d and p as published in the Wikipedia article "Schulze method"."""
    r = count_schulze(wikipedia())
    assert r.elected == ("E",)
    assert r.extra["pairwise"] == [
        [0, 20, 26, 30, 22],
        [25, 0, 16, 33, 18],
        [19, 29, 0, 17, 24],
        [15, 12, 28, 0, 14],
        [23, 27, 21, 31, 0],
    ]
    assert r.extra["strongest_paths"] == [
        [0, 28, 28, 30, 24],
        [25, 0, 28, 33, 24],
        [25, 29, 0, 29, 24],
        [25, 28, 28, 0, 24],
        [25, 28, 28, 31, 0],
    ]
    assert r.extra["ranking"] == ["E", "A", "C", "B", "D"]
    assert r.to_dict()["pairwise"][0][1] == 20


def test_several_seats_take_the_top_of_the_ranking() -> None:
    r = count_schulze(wikipedia(), seats=3)
    assert r.elected == ("E", "A", "C")
    assert r.seats == 3


def test_unranked_candidates_rank_below_ranked_ones() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0], [1, 2], [2]], [3, 2, 2])
    d = pairwise_matrix(p)
    # C is above A on the 2 ballots "B C" and the 2 ballots "C", where A is unranked.
    assert d.tolist() == [[0, 3, 3], [2, 0, 2], [4, 2, 0]]
    assert count_schulze(p).elected == ("C",)


def test_a_perfect_tie_is_drawn_by_lot_and_recorded() -> None:
    p = Profile.from_rankings(["A", "B"], [[0, 1], [1, 0]])
    r = count_schulze(p, seed=4)
    assert r.seed == 4 and r.ties[0].rule == "lot"
    assert {count_schulze(p, seed=s).elected for s in range(20)} == {("A",), ("B",)}


def test_withdrawn_candidates_are_left_out() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[1, 0], [0, 2]], [3, 2], withdrawn=[1])
    r = count_schulze(p)
    assert r.elected == ("A",)
    assert "B" not in r.extra["ranking"]


def brute_force(profile: Profile) -> np.ndarray:
    n = profile.n_candidates
    d = np.zeros((n, n))
    for ranking, weight in profile.rankings():
        kept = [c for c in ranking if c not in profile.withdrawn]
        for i in range(n):
            for j in range(n):
                if i == j or i in profile.withdrawn or j in profile.withdrawn or i not in kept:
                    continue
                if j not in kept or kept.index(i) < kept.index(j):
                    d[i, j] += weight
    return d


@settings(max_examples=150, deadline=None)
@given(
    n=st.sampled_from([3, 5, 17, 20]),
    data=st.data(),
)
def test_the_pairwise_matrix_matches_brute_force(n: int, data: st.DataObject) -> None:
    """Both the bit-set histogram (up to 16 candidates) and the pair count (beyond) are checked."""
    ballots = data.draw(
        st.lists(st.tuples(st.permutations(range(n)), st.integers(0, n), st.integers(1, 5)), max_size=15)
    )
    withdrawn = data.draw(st.sets(st.integers(0, n - 1), max_size=2))
    p = Profile.from_rankings(
        [f"C{i}" for i in range(n)],
        [b[:k] for b, k, _ in ballots],
        [w for _, _, w in ballots],
        withdrawn=withdrawn,
    )
    assert pairwise_matrix(p).tolist() == brute_force(p).tolist()


def test_strongest_paths_are_widest_paths() -> None:
    d = np.array([[0, 5, 0], [1, 0, 7], [2, 3, 0]], dtype=float)
    p = strongest_paths(d)
    # A->B 5 (5>1), B->C 7 (7>3), C->A 2 (2>0): A->C through B is min(5, 7) = 5.
    assert p[0, 2] == 5
    assert p[2, 1] == 2  # C->A->B: min(2, 5)
    assert schulze.__all__ == ["count_schulze", "pairwise_matrix", "strongest_paths"]
