"""Scottish STV (SSI 2007/42, schedule 1, rules 45-52) on small counts checked by hand.

Worked example (hand-computed from the rules): 120 papers, 2 seats, quota
floor(120/3) + 1 = 41. Ann's surplus 19 leaves at 19 x 1 / 60 = 0.31666 (five decimals, remainder
ignored, rule 48(3)); 40 papers go to Bob (12.66640), 20 to Cat (6.33320), 0.00040 is lost to
truncation. Dan, lowest, is excluded and his 15 papers elect Cat.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from councils.counting.errors import MethodError
from councils.counting.profile import Profile
from councils.counting.stv_scottish import count_scottish_stv


def worked_example() -> Profile:
    return Profile.from_rankings(
        ["Ann", "Bob", "Cat", "Dan"], [[0, 1], [0, 2], [1], [2], [3, 2]], [40, 20, 20, 25, 15], seats=2
    )


def test_it_counts_the_worked_example_stage_by_stage() -> None:
    result = count_scottish_stv(worked_example())
    assert result.method == "scottish-stv"
    assert result.quota == D("41.00000")
    assert result.elected == ("Ann", "Cat")
    first, surplus, exclusion = result.stages
    assert first.votes == {"Ann": 60, "Bob": 20, "Cat": 25, "Dan": 15}
    assert first.elected == ("Ann",)
    assert surplus.action == "Surplus of Ann"
    assert surplus.transfers == {"Ann": D("-19.00000"), "Bob": D("12.66640"), "Cat": D("6.33320")}
    assert surplus.votes == {"Ann": 41, "Bob": D("32.66640"), "Cat": D("31.33320"), "Dan": 15}
    assert surplus.lost_to_rounding == D("0.00040")
    assert exclusion.action == "Exclusion of Dan"
    assert exclusion.excluded == ("Dan",)
    assert exclusion.votes["Cat"] == D("46.33320")
    assert exclusion.elected == ("Cat",)
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.exhausted + stage.lost_to_rounding == 120


def test_it_values_a_transferred_paper_at_its_received_value_times_surplus_over_total() -> None:
    """Rule 48(3)-(4): a paper that reached the candidate by transfer keeps its own value.

    3 seats, quota floor(100/4) + 1 = 26. A's surplus 24 moves A's 50 papers to B at 0.48;
    B (44) has a surplus of 18: B's own 20 papers go to D at 18/44 = 0.40909 (8.18180) and A's
    50 papers to C at 0.48 x 18/44 = 0.19636 (9.81800); 0.00020 is lost to truncation.
    """
    profile = Profile.from_rankings(
        ["A", "B", "C", "D"], [[0, 1, 2], [1, 3], [2], [3]], [50, 20, 15, 15], seats=3
    )
    result = count_scottish_stv(profile)
    b_surplus = result.stages[2]
    assert b_surplus.action == "Surplus of B"
    assert b_surplus.transfers == {"B": D("-18.00000"), "C": D("9.81800"), "D": D("8.18180")}
    assert b_surplus.lost_to_rounding == D("0.00020")


def test_it_transfers_the_largest_surplus_first() -> None:
    profile = Profile.from_rankings(
        ["A", "B", "C", "D"], [[0, 2], [1, 3], [2], [3]], [40, 45, 10, 5], seats=3
    )
    result = count_scottish_stv(profile)
    assert result.stages[0].elected == ("B", "A")
    assert result.stages[1].action == "Surplus of B"
    assert result.stages[2].action == "Surplus of A"


def test_no_surplus_moves_once_every_seat_is_filled() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [[0, 2], [1], [2]], [10, 9, 4], seats=2)
    result = count_scottish_stv(profile)
    assert result.elected == ("A", "B")
    assert len(result.stages) == 1


def test_the_last_continuing_candidates_fill_the_last_vacancies() -> None:
    """Rule 52: continuing candidates as many as the vacancies are deemed elected."""
    profile = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2]], [10, 6, 5], seats=2)
    result = count_scottish_stv(profile)
    assert [s.action for s in result.stages] == ["First preferences", "Surplus of A", "Exclusion of C"]
    assert result.stages[-1].elected == ("B",)
    assert "rule 52" in result.stages[-1].note
    assert result.elected == ("A", "B")


def test_a_tie_through_all_stages_is_drawn_by_lot_and_recorded() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [[0], [1], [2]], [5, 3, 3], seats=1)
    first = count_scottish_stv(profile, seed=7)
    again = count_scottish_stv(profile, seed=7)
    assert first.seed == 7
    (tie,) = first.ties
    assert tie.rule == "lot" and tie.purpose == "exclude" and set(tie.tied) == {"B", "C"}
    assert [s.to_dict() for s in first.stages] == [s.to_dict() for s in again.stages]


def test_an_earlier_stage_separates_equal_candidates() -> None:
    """B and C are equal after D's exclusion but differed at stage 1: C (fewer then) goes."""
    profile = Profile.from_rankings(["A", "B", "C", "D"], [[0], [1], [2], [3, 2]], [9, 5, 4, 1], seats=1)
    result = count_scottish_stv(profile, seed=1)
    tie = result.stages[2].ties[0]
    assert tie.rule == "earlier stage" and tie.chosen == "C"
    assert result.stages[2].excluded == ("C",)


def test_withdrawn_candidates_are_skipped() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [[1, 0], [2], [0]], [5, 3, 4], seats=1, withdrawn=[1])
    result = count_scottish_stv(profile)
    assert result.stages[0].votes["A"] == 9
    assert result.elected == ("A",)


def test_it_rejects_more_seats_than_candidates() -> None:
    with pytest.raises(MethodError, match="seats \\(5\\) exceed the candidates standing \\(4\\)"):
        count_scottish_stv(worked_example(), seats=5)


def test_it_rejects_fractional_weights() -> None:
    profile = Profile.from_rankings(["A", "B"], [[0], [1]], [1.5, 2.0])
    with pytest.raises(MethodError, match=r"weight 1\.5 of ballot 1"):
        count_scottish_stv(profile)


@pytest.mark.parametrize("method", ["scottish-stv", "ers97", "meek-stv"])
def test_more_papers_than_can_be_counted_exactly_are_refused(method):
    """Fixed-point values would overflow int64 on absurd weights: refuse rather than answer wrongly."""
    from councils.counting.errors import MethodError
    from councils.counting.methods import get_method

    profile = Profile.from_rankings(["A", "B", "C"], [[0, 1], [1, 2], [2]], [10**14, 5, 3], seats=2)
    with pytest.raises(MethodError, match="at most 100,000,000 ballot papers"):
        get_method(method)(profile, seats=2)
