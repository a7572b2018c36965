"""Plurality and block vote: first preferences, the first `seats` preferences, ties by lot."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from councils.counting.errors import MethodError
from councils.counting.plurality import count_block, count_plurality
from councils.counting.profile import Profile


def test_plurality_counts_first_preferences_only() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0, 1], [1, 0], [1], [2, 0], []], [3, 2, 2, 1, 1])
    r = count_plurality(p)
    assert r.elected == ("B",)
    assert r.stages[0].votes == {"A": D(3), "B": D(4), "C": D(1)}
    assert r.stages[0].exhausted == D(1)  # the blank ballot
    assert r.to_dict()["elected"] == ["B"]


def test_plurality_skips_withdrawn_candidates_to_the_next_preference() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[2, 1], [0]], [3, 2], withdrawn=[2])
    r = count_plurality(p)
    assert r.stages[0].votes == {"A": D(2), "B": D(3)}
    assert r.elected == ("B",)


def test_plurality_breaks_a_tie_by_a_recorded_lot() -> None:
    p = Profile.from_rankings(["A", "B"], [[0], [1]])
    r = count_plurality(p, seed=42)
    assert r.seed == 42
    assert r.ties[0].rule == "lot" and set(r.ties[0].tied) == {"A", "B"}
    assert {count_plurality(p, seed=s).elected[0] for s in range(20)} == {"A", "B"}


def test_block_gives_one_vote_to_each_of_the_first_seats_preferences() -> None:
    p = Profile.from_rankings(["A", "B", "C", "D"], [[0, 1, 2], [2, 3], [3, 2, 1]], [4, 3, 2], seats=2)
    r = count_block(p)
    # The third preference of the first ballot does not count with two seats.
    assert r.stages[0].votes == {"A": D(4), "B": D(4), "C": D(5), "D": D(5)}
    assert r.seats == 2
    assert set(r.elected) == {"C", "D"}


def test_block_fills_the_last_seat_by_lot_among_equals() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0, 1], [0, 2]], seats=2)
    r = count_block(p, seed=1)
    assert r.elected[0] == "A"
    assert r.ties[0].tied == ("B", "C")


def test_block_refuses_more_seats_than_candidates() -> None:
    p = Profile.from_rankings(["A", "B"], [[0, 1]])
    with pytest.raises(MethodError, match="cannot fill 3 seats with 2 candidates"):
        count_block(p, seats=3)
