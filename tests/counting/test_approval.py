"""Approval voting, from approval ballots or from ranked ballots read as approvals."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest

from councils.counting.approval import count_approval
from councils.counting.errors import MethodError
from councils.counting.profile import ApprovalProfile, Profile


def test_it_counts_every_ranked_candidate_as_approved() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0, 1], [1], [2, 1, 0]], [2, 1, 1])
    r = count_approval(p)
    assert r.stages[0].votes == {"A": D(3), "B": D(4), "C": D(1)}
    assert r.elected == ("B",)


def test_it_reads_an_approval_profile_and_fills_several_seats() -> None:
    approvals = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=bool)
    p = ApprovalProfile(("A", "B", "C", "D"), approvals, np.array([5, 4, 3]), seats=2)
    r = count_approval(p)
    assert r.elected == ("B", "C")
    assert r.stages[0].votes["B"] == D(9)


def test_withdrawn_candidates_get_no_approvals() -> None:
    p = Profile.from_rankings(["A", "B"], [[0, 1]], withdrawn=[0])
    assert count_approval(p).stages[0].votes == {"B": D(1)}


def test_ties_for_the_last_seat_are_drawn() -> None:
    p = Profile.from_rankings(["A", "B", "C"], [[0, 1], [0, 2]])
    r = count_approval(p, seats=2, seed=9)
    assert r.elected[0] == "A" and r.seed == 9 and r.ties[0].tied == ("B", "C")


def test_it_refuses_too_many_seats() -> None:
    with pytest.raises(MethodError):
        count_approval(Profile.from_rankings(["A"], [[0]]), seats=2)
