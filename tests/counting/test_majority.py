"""Majority and quorum rules: a table per rule, quorum, abstentions, weights, errors."""

from __future__ import annotations

import doctest
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from councils.counting import majority as module
from councils.counting.errors import CountingError, MethodError
from councils.counting.majority import MajorityRule, decide, tally


def test_doctests_pass() -> None:
    assert doctest.testmod(module).failed == 0


# (rule, base, abstentions, yes, no, abstain, members, adopted)
CASES = [
    # simple: more yes than no; a tie fails; abstentions do not count unless told to
    ("simple", None, "exclude", 26, 24, 0, 60, True),
    ("simple", None, "exclude", 25, 25, 0, 60, False),
    ("simple", None, "exclude", 11, 10, 30, 60, True),
    ("simple", None, "count", 11, 10, 30, 60, False),
    ("simple", None, "count", 26, 10, 15, 60, True),
    ("simple", None, "exclude", 1, 0, 0, 60, True),
    ("simple", None, "exclude", 0, 0, 5, 60, False),
    # absolute: more than half of all members, however many voted
    ("absolute", None, "exclude", 31, 0, 0, 60, True),
    ("absolute", None, "exclude", 30, 0, 0, 60, False),
    ("absolute", None, "exclude", 30, 29, 0, 59, True),
    # two thirds of votes cast: at least
    ("two-thirds", None, "exclude", 2, 1, 0, 10, True),
    ("two-thirds", None, "exclude", 34, 16, 0, 60, True),
    ("two-thirds", None, "exclude", 33, 17, 0, 60, False),
    ("two-thirds", None, "exclude", 20, 10, 9, 60, True),
    ("two-thirds", None, "count", 20, 10, 9, 60, False),
    # two thirds of members
    ("two-thirds", "members", "exclude", 40, 0, 0, 60, True),
    ("two-thirds", "members", "exclude", 39, 0, 0, 60, False),
    # three quarters
    ("three-quarters", None, "exclude", 3, 1, 0, 10, True),
    ("three-quarters", None, "exclude", 74, 26, 0, 100, False),
    ("three-quarters", "members", "exclude", 45, 0, 0, 60, True),
    ("three-quarters", "members", "exclude", 44, 1, 0, 60, False),
    # unanimity
    ("unanimity", None, "exclude", 12, 0, 3, 60, True),
    ("unanimity", None, "count", 12, 0, 3, 60, False),
    ("unanimity", None, "exclude", 12, 1, 0, 60, False),
    ("unanimity", "members", "exclude", 59, 0, 0, 60, False),
    ("unanimity", "members", "exclude", 60, 0, 0, 60, True),
    ("unanimity", None, "exclude", 0, 0, 0, 60, False),
]


@pytest.mark.parametrize(("rule", "base", "abstentions", "yes", "no", "abstain", "members", "adopted"), CASES)
def test_each_rule_decides_as_defined(
    rule: str, base: Any, abstentions: Any, yes: int, no: int, abstain: int, members: int, adopted: bool
) -> None:
    d = decide(
        yes=yes, no=no, abstain=abstain, members=members, rule=rule, base=base, abstentions=abstentions
    )
    assert d.adopted is adopted, d.explanation
    assert d.quorum_met
    assert d.explanation.startswith("Adopted" if adopted else "Rejected")
    # with whole votes, votes_needed is exactly the passing line (unanimity aside, as 0 yes never passes)
    if d.base_total:
        assert adopted == (yes >= d.votes_needed)


def test_the_explanation_reads_as_promised() -> None:
    d = decide(yes=34, no=16, members=60, rule="two-thirds")
    assert d.explanation == "Adopted: 34 yes of 50 votes cast, two thirds required (34 ≥ 33.34)."
    assert d.required == Fraction(100, 3) and d.votes_needed == 34 and d.at_least
    d = decide(yes=30, no=0, members=60, rule=MajorityRule.ABSOLUTE)
    assert d.explanation == "Rejected: 30 yes of 60 members, more than half required (30 ≤ 30)."
    assert not d.at_least and d.votes_needed == 31


def test_simple_rejects_a_base_of_members_and_absolute_one_of_votes_cast() -> None:
    with pytest.raises(MethodError, match="use rule 'absolute'"):
        decide(yes=1, no=0, members=3, rule="simple", base="members")
    with pytest.raises(MethodError, match="use rule 'simple'"):
        decide(yes=1, no=0, members=3, rule="absolute", base="cast")


@pytest.mark.parametrize(
    ("quorum", "present", "met"),
    [
        (None, 10, True),
        ("majority", 31, True),
        ("majority", 30, False),  # half is not a majority
        (Fraction(1, 2), 30, True),  # a share is "at least"
        (0.5, 29, False),
        (Decimal("0.25"), 15, True),
        (Fraction(1, 3), 19, False),  # 20 required
        (20, 20, True),
        (20, 19, False),
        (0, 0, True),
    ],
)
def test_quorum(quorum: Any, present: int, met: bool) -> None:
    d = decide(yes=min(present, 5), no=0, members=60, present=present, quorum=quorum)
    assert d.quorum_met is met
    if not met:
        assert not d.adopted
        assert d.explanation.startswith("No decision: quorum not met")


def test_present_defaults_to_those_who_voted() -> None:
    d = decide(yes=20, no=5, abstain=5, members=60, quorum="majority")
    assert d.present == 30 and not d.quorum_met
    assert d.explanation == ("No decision: quorum not met (30 of 60 members present, more than 30 required).")


def test_weighted_votes() -> None:
    # three delegates carrying mandates of 120, 75 and 40 votes, and two of 1
    t = tally([("yes", 120), ("no", 75), ("yes", 40), ("abstain", 1), ("no", 1)])
    assert (t.yes, t.no, t.abstain) == (160, 76, 1)
    d = decide(yes=t.yes, no=t.no, abstain=t.abstain, members=300, rule="two-thirds")
    assert d.adopted and d.base_total == 236
    # fractional weights are exact: 0.1 is one tenth, so 0.2 + 0.1 against 0.3 is a tie
    d = decide(yes=0.3, no=Fraction(3, 10), members=1)
    assert not d.adopted and d.yes == d.no
    d = decide(yes=Decimal("2.5"), no=Decimal("1.25"), members=5, rule="two-thirds")
    assert (
        d.adopted and d.explanation == "Adopted: 2.5 yes of 3.75 votes cast, two thirds required (2.5 ≥ 2.5)."
    )


def test_to_dict_is_json_ready() -> None:
    d = decide(yes=Fraction(5, 2), no=1, members=10, rule="two-thirds", quorum=Fraction(1, 3))
    data = json.loads(json.dumps(d.to_dict()))
    assert data["rule"] == "two-thirds" and data["yes"] == "5/2" and data["no"] == 1
    assert data["share"] == "2/3" and data["quorum_required"] == "10/3"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"yes": -1, "no": 0, "members": 5}, CountingError, "yes must not be negative, got -1"),
        ({"yes": 1, "no": -2, "members": 5}, CountingError, "no must not be negative, got -2"),
        ({"yes": 1, "no": 0, "abstain": -1, "members": 5}, CountingError, "abstain must not be negative"),
        (
            {"yes": 4, "no": 2, "members": 5},
            CountingError,
            "yes \\+ no \\+ abstain = 6 is more than the 5 members",
        ),
        (
            {"yes": 1, "no": 0, "members": 5, "present": 6},
            CountingError,
            "present = 6 is more than the 5 members",
        ),
        ({"yes": 3, "no": 1, "members": 5, "present": 3}, CountingError, "= 4 is more than the 3 present"),
        ({"yes": 1, "no": 0, "members": 5, "quorum": 6}, CountingError, "between 0 and the 5 members, got 6"),
        ({"yes": 1, "no": 0, "members": 5, "quorum": 1.5}, CountingError, "at most 1, got 1.5"),
        ({"yes": 1, "no": 0, "members": 5, "quorum": 0.0}, CountingError, "above 0"),
        ({"yes": "1", "no": 0, "members": 5}, CountingError, "yes must be a number, got '1'"),
        ({"yes": float("nan"), "no": 0, "members": 5}, CountingError, "yes must be a finite number"),
        ({"yes": True, "no": 0, "members": 5}, CountingError, "yes must be a number, got True"),
        ({"yes": 1, "no": 0, "members": 5, "rule": "plurality"}, MethodError, "'plurality'; choose one of"),
        ({"yes": 1, "no": 0, "members": 5, "base": "present"}, MethodError, "unknown base 'present'"),
        ({"yes": 1, "no": 0, "members": 5, "abstentions": "no"}, MethodError, "unknown abstentions policy"),
    ],
)
def test_bad_input_is_named(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        decide(**kwargs)


def test_tally_names_the_bad_vote() -> None:
    with pytest.raises(CountingError, match="vote 1: choice must be yes, no or abstain, got 'maybe'"):
        tally([("yes", 1), ("maybe", 1)])  # type: ignore[list-item]
    with pytest.raises(CountingError, match="vote 0: weight must not be negative"):
        tally([("no", -3)])


counts = st.integers(0, 200)


@given(yes=counts, no=counts, abstain=counts, extra=st.integers(0, 50))
def test_thresholds_match_their_definitions(yes: int, no: int, abstain: int, extra: int) -> None:
    members = yes + no + abstain + extra
    cast = yes + no
    assert decide(yes=yes, no=no, abstain=abstain, members=members).adopted == (yes > no)
    assert decide(yes=yes, no=no, abstain=abstain, members=members, rule="absolute").adopted == (
        2 * yes > members
    )
    two_thirds = decide(yes=yes, no=no, abstain=abstain, members=members, rule="two-thirds")
    assert two_thirds.adopted == (yes > 0 and 3 * yes >= 2 * cast)
    counted = decide(
        yes=yes, no=no, abstain=abstain, members=members, rule="three-quarters", abstentions="count"
    )
    assert counted.adopted == (yes > 0 and 4 * yes >= 3 * (cast + abstain))
    # more support never turns adoption into rejection
    if no:
        assert (
            not two_thirds.adopted
            or decide(yes=yes + 1, no=no - 1, abstain=abstain, members=members, rule="two-thirds").adopted
        )
