"""Meek STV as New Zealand's schedule 1A prescribes, on counts checked by hand.

Worked example (hand-computed with the schedule's rules): 160 documents, 2 seats.
Iteration 1: quota 160/3 = 53.333333333 (truncated) + 0.000000001 = 53.333333334; Ann (80) is
successful. Her keep value becomes 53.333333334 / 80 = 0.666666667 (rounded up); at iteration 2
each of her 60 documents passes 0.333333333 on to Bob (1 - 0.666666667, rounded up), so Bob has
45 + 19.99999998 = 64.99999998 and reaches the quota.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from councils.counting.errors import MethodError
from councils.counting.meek import count_meek_stv
from councils.counting.profile import Profile


def worked_example() -> Profile:
    return Profile.from_rankings(["Ann", "Bob", "Cat"], [[0, 1], [0, 2], [1], [2]], [60, 20, 45, 35], seats=2)


def test_it_counts_the_worked_example() -> None:
    result = count_meek_stv(worked_example())
    assert result.method == "meek-stv"
    assert result.quota == D("53.333333334")
    assert result.elected == ("Ann", "Bob")
    first, second = result.stages
    assert first.action == "First preferences" and first.elected == ("Ann",)
    assert first.votes == {"Ann": 80, "Bob": 45, "Cat": 35}
    assert second.elected == ("Bob",)
    assert second.votes["Ann"] == D("53.333333360")  # 80 x 0.666666667
    assert second.votes["Bob"] == D("64.999999980")
    assert second.votes["Cat"] == D("41.666666660")
    assert result.extra["keep_values"]["Ann"] == "0.666666667"


def test_the_quota_falls_as_votes_become_non_transferable() -> None:
    """Clause 11: the quota is (valid - non-transferable) / (seats + 1) + 0.000000001."""
    profile = Profile.from_rankings(["A", "B", "C", "D"], [[0], [1], [2], [3, 1]], [40, 30, 20, 10], seats=2)
    result = count_meek_stv(profile)
    assert result.stages[0].quota == D("33.333333334")
    for stage in result.stages:
        active = 100 - stage.exhausted
        assert stage.quota == (active / 3).quantize(D("0.000000001"), rounding="ROUND_DOWN") + D(
            "0.000000001"
        )


def test_it_excludes_the_lowest_at_once_when_the_surplus_cannot_save_it() -> None:
    profile = Profile.from_rankings(["A", "B", "C", "D"], [[0, 1], [1], [2], [3]], [34, 30, 25, 11], seats=2)
    result = count_meek_stv(profile)
    assert result.stages[1].excluded == ("D",)
    assert result.stages[1].note == "at the same iteration"


def test_a_tie_never_broken_by_the_votes_is_drawn_by_lot_with_the_seed_recorded() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2]], [5, 3, 3], seats=1)
    one, two = count_meek_stv(profile, seed=3), count_meek_stv(profile, seed=3)
    assert one.seed == 3 and one.elected == two.elected == ("A",)
    assert [t.rule for t in one.ties] == ["lot"]


def test_values_stay_consistent_with_the_valid_documents() -> None:
    """Votes + non-transferable + rounding = valid documents; rounding is up, so never positive."""
    profile = Profile.from_rankings(
        ["A", "B", "C", "D", "E"],
        [[0, 1, 2], [0, 2, 1], [1, 0], [2, 3], [3, 4], [4, 0, 1]],
        [31, 17, 22, 13, 9, 8],
        seats=3,
    )
    result = count_meek_stv(profile)
    assert len(result.elected) == 3
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.exhausted + stage.lost_to_rounding == 100
        assert stage.lost_to_rounding <= 0


def test_it_rejects_more_seats_than_candidates() -> None:
    with pytest.raises(MethodError, match="seats \\(4\\) exceed the candidates standing \\(3\\)"):
        count_meek_stv(worked_example(), seats=4)
