"""Apportionment: published results, an exact seat-by-seat reference, properties, the PyPI peer."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import apportionment.methods as peer
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from councils.counting import apportionment as module
from councils.counting.apportionment import METHODS, apportion, apportion_arrays
from councils.counting.errors import CountingError, MethodError

DIVISOR = ("dhondt", "sainte-lague", "modified-sainte-lague", "huntington-hill")
PEER_NAMES = {
    "dhondt": "dhondt",
    "sainte-lague": "saintelague",
    "modified-sainte-lague": "modified_saintelague",
    "huntington-hill": "huntington",
    "hare": "largest_remainder",
}

# 2020 census apportionment populations (Census Bureau, apportionment-2020-table01) and the seats
# the House of Representatives got from them: Huntington–Hill, 435 seats, at least one per state.
US_2020 = {
    "Alabama": (5030053, 7), "Alaska": (736081, 1), "Arizona": (7158923, 9),
    "Arkansas": (3013756, 4), "California": (39576757, 52), "Colorado": (5782171, 8),
    "Connecticut": (3608298, 5), "Delaware": (990837, 1), "Florida": (21570527, 28),
    "Georgia": (10725274, 14), "Hawaii": (1460137, 2), "Idaho": (1841377, 2),
    "Illinois": (12822739, 17), "Indiana": (6790280, 9), "Iowa": (3192406, 4),
    "Kansas": (2940865, 4), "Kentucky": (4509342, 6), "Louisiana": (4661468, 6),
    "Maine": (1363582, 2), "Maryland": (6185278, 8), "Massachusetts": (7033469, 9),
    "Michigan": (10084442, 13), "Minnesota": (5709752, 8), "Mississippi": (2963914, 4),
    "Missouri": (6160281, 8), "Montana": (1085407, 2), "Nebraska": (1963333, 3),
    "Nevada": (3108462, 4), "New Hampshire": (1379089, 2), "New Jersey": (9294493, 12),
    "New Mexico": (2120220, 3), "New York": (20215751, 26), "North Carolina": (10453948, 14),
    "North Dakota": (779702, 1), "Ohio": (11808848, 15), "Oklahoma": (3963516, 5),
    "Oregon": (4241500, 6), "Pennsylvania": (13011844, 17), "Rhode Island": (1098163, 2),
    "South Carolina": (5124712, 7), "South Dakota": (887770, 1), "Tennessee": (6916897, 9),
    "Texas": (29183290, 38), "Utah": (3275252, 4), "Vermont": (643503, 1),
    "Virginia": (8654542, 11), "Washington": (7715946, 10), "West Virginia": (1795045, 2),
    "Wisconsin": (5897473, 8), "Wyoming": (577719, 1),
}  # fmt: skip


# ------------------------------------------------------------------------------------------
# An exact reference: seat by seat, with Fractions, as the textbooks define the methods.


def _divisor_key(method: str, size: int, k: int) -> tuple[int, Fraction]:
    if method == "dhondt":
        return 0, Fraction(size, k + 1)
    if method == "sainte-lague":
        return 0, Fraction(size, 2 * k + 1)
    if method == "modified-sainte-lague":
        return 0, Fraction(size, 1) / (Fraction(7, 5) if k == 0 else 2 * k + 1)
    # Huntington–Hill on squares; a first seat outranks every later one, the larger unit first.
    return (1, Fraction(size)) if k == 0 else (0, Fraction(size * size, k * (k + 1)))


def _eligible(sizes: list[int], threshold: Fraction) -> list[bool]:
    total = sum(sizes)
    return [s >= threshold * total for s in sizes]


def reference(
    sizes: list[int], seats: int, method: str, min_seats: int = 0, threshold: Fraction = Fraction(0)
) -> tuple[list[int], bool]:
    """Seats, and whether the last seat was an exact tie (so several results are right)."""
    n = len(sizes)
    ok = _eligible(sizes, threshold)
    out = [min_seats] * n
    if seats == min_seats * n:
        return out, False
    if method in DIVISOR:
        units = [i for i in range(n) if ok[i] and sizes[i] > 0]
        for _ in range(seats - min_seats * n):
            best = max(units, key=lambda i: _divisor_key(method, sizes[i], out[i]))
            out[best] += 1
        held = [_divisor_key(method, sizes[i], out[i] - 1) for i in units if out[i] > min_seats]
        nxt = [_divisor_key(method, sizes[i], out[i]) for i in units]
        return out, bool(held) and bool(nxt) and min(held) == max(nxt)
    free = [i for i in range(n) if ok[i]]
    while True:
        house = seats - min_seats * (n - len(free))
        total = sum(sizes[i] for i in free)
        q = Fraction(total, house) if method == "hare" else Fraction(total // (house + 1) + 1)
        quotas = {i: Fraction(sizes[i]) / q for i in free}
        alloc = {i: math.floor(quotas[i]) for i in free}
        left = house - sum(alloc.values())
        positive = [i for i in free if sizes[i] > 0]
        if left >= len(positive) > 0:
            for i in positive:
                alloc[i] += left // len(positive)
            left %= len(positive)
        rem = {i: quotas[i] - math.floor(quotas[i]) for i in positive}
        ranked = sorted(positive, key=lambda i: rem[i], reverse=True)
        cut = rem[ranked[left - 1]] if left else None
        contested = bool(left) and sum(r >= cut for r in rem.values()) > left
        for i in positive:
            if left and (rem[i] > cut or (rem[i] == cut and not contested)):
                alloc[i] += 1
        low = [i for i in free if alloc[i] < min_seats]
        if not low:
            break
        free = [i for i in free if i not in low]
    for i in free:
        out[i] = alloc[i]
    tie = bool(contested)
    if tie:  # the reference gives a contested seat to the first tied units; any choice is right
        for i in [i for i in ranked if rem[i] == cut][: left - sum(r > cut for r in rem.values())]:
            out[i] += 1
    return out, tie


def named(sizes: list[int]) -> dict[str, int]:
    return {f"u{i}": s for i, s in enumerate(sizes)}


# ------------------------------------------------------------------------------------------
# Known answers


def test_doctests_pass() -> None:
    assert doctest.testmod(module).failed == 0


def test_it_apportions_the_us_house_of_2020() -> None:
    sizes = {state: pop for state, (pop, _) in US_2020.items()}
    result = apportion(sizes, 435, "huntington-hill", min_seats=1)
    assert result.seats == {state: seats for state, (_, seats) in US_2020.items()}
    assert result.ties == ()
    # the divisor reproduces every state's seats by geometric rounding
    for state, pop in sizes.items():
        q = pop / result.divisor
        lower = math.floor(q)
        expected = lower + (q > math.sqrt(lower * (lower + 1)))
        assert max(1, expected) == result.seats[state]


def test_it_gives_the_textbook_dhondt_and_sainte_lague_results() -> None:
    votes = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}
    assert apportion(votes, 8, "dhondt").seats == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert apportion(votes, 8, "sainte-lague").seats == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_it_gives_the_bundestag_2013_sainte_lague_distribution() -> None:
    # second votes of the six parties in the 2013 Bundestag's upper distribution, 598 seats
    votes = [11828277, 9990488, 6316080, 5155933, 4643272, 2830238]
    assert apportion_arrays(np.array(votes), 598, "sainte-lague").tolist() == [173, 146, 93, 76, 68, 42]


def test_hare_and_droop_differ_on_the_classic_example() -> None:
    votes = {"Yellow": 47000, "White": 16000, "Red": 15800, "Green": 12000, "Blue": 6100, "Pink": 3100}
    hare = apportion(votes, 10, "hare")
    droop = apportion(votes, 10, "droop")
    assert list(hare.seats.values()) == [5, 2, 1, 1, 1, 0]
    assert list(droop.seats.values()) == [5, 2, 2, 1, 0, 0]
    assert hare.quota == 10_000
    assert droop.quota == 9091  # floor(100000 / 11) + 1


def test_modified_sainte_lague_makes_a_first_seat_harder() -> None:
    votes = {"big": 1000, "small": 130}
    # 130 / 1 beats 1000 / 9 = 111.1, but 130 / 1.4 = 92.9 does not
    assert apportion(votes, 5, "sainte-lague").seats == {"big": 4, "small": 1}
    assert apportion(votes, 5, "modified-sainte-lague").seats == {"big": 5, "small": 0}


def test_alabama_paradox_happens_with_hare_and_not_with_divisor_methods() -> None:
    sizes = {"A": 6, "B": 6, "C": 2}
    assert apportion(sizes, 10, "hare").seats == {"A": 4, "B": 4, "C": 2}
    assert apportion(sizes, 11, "hare").seats == {"A": 5, "B": 5, "C": 1}  # C loses a seat
    for method in DIVISOR:
        before, after = apportion(sizes, 10, method).seats, apportion(sizes, 11, method).seats
        assert all(after[k] >= before[k] for k in sizes), method


def test_threshold_excludes_small_units_but_keeps_their_floor() -> None:
    sizes = {"a": 60, "b": 35, "c": 6, "d": 4}
    r = apportion(sizes, 10, "dhondt", threshold=0.05)
    assert r.excluded_by_threshold == ("d",)  # 5 % of 105 is 5.25
    assert r.seats["d"] == 0
    exact = apportion({"a": 50, "b": 45, "c": 5}, 10, "hare", threshold=0.05)
    assert exact.excluded_by_threshold == ()  # exactly 5 % passes; 0.05 is read as 1/20
    floor = apportion(sizes, 10, "sainte-lague", threshold=0.05, min_seats=1)
    assert floor.seats["d"] == 1 and sum(floor.seats.values()) == 10


def test_min_seats_is_a_floor_for_divisor_methods() -> None:
    sizes = {"big": 900, "mid": 90, "tiny": 10}
    r = apportion(sizes, 10, "dhondt", min_seats=1)
    assert r.seats == {"big": 8, "mid": 1, "tiny": 1}
    assert all(r.seats[k] == max(1, math.floor(s / r.divisor)) for k, s in sizes.items())


def test_min_seats_sets_aside_units_short_of_the_floor_for_largest_remainder() -> None:
    r = apportion({"big": 900, "mid": 90, "tiny": 10}, 10, "hare", min_seats=1)
    # first round (quota 100): 9, 0.9 -> 1 by remainder, 0.1 -> 0: tiny gets its floor and leaves;
    # big and mid share 9 seats by a quota of 990 / 9 = 110: 8.18 -> 8, 0.82 -> 1
    assert r.seats == {"big": 8, "mid": 1, "tiny": 1}
    assert r.quota == 110
    r = apportion({"big": 600, "mid": 390, "tiny": 10}, 10, "droop", min_seats=2)
    # first round: q = 91, 6 + 4 + 0 seats: tiny leaves with 2; then q = 990 // 9 + 1 = 111
    assert r.seats == {"big": 5, "mid": 3, "tiny": 2}
    assert r.quota == 111


def test_huntington_hill_with_fewer_seats_than_units_goes_to_the_largest() -> None:
    r = apportion({"a": 5, "b": 9, "c": 7, "d": 0}, 2, "huntington-hill")
    assert r.seats == {"a": 0, "b": 1, "c": 1, "d": 0}


def test_droop_never_overallocates_and_hands_out_a_large_shortfall_evenly() -> None:
    r = apportion({"a": 1, "b": 1}, 10, "droop")
    assert r.quota == 1 and r.seats == {"a": 5, "b": 5}


def test_units_of_size_zero_get_only_their_floor() -> None:
    for method in METHODS:
        assert apportion({"a": 10, "b": 0}, 3, method).seats == {"a": 3, "b": 0}
        assert apportion({"a": 10, "b": 0}, 3, method, min_seats=1).seats == {"a": 2, "b": 1}


def test_float_sizes_are_exact() -> None:
    # 0.1 + 0.2 and 0.3 differ in binary; the exact comparison sees it, and says so consistently
    assert apportion({"a": 0.5, "b": 0.25, "c": 0.25}, 4, "dhondt").seats == {"a": 2, "b": 1, "c": 1}
    halves = apportion({"a": 3.5, "b": 1.5}, 5, "sainte-lague").seats
    assert halves == apportion({"a": 7, "b": 3}, 5, "sainte-lague").seats


def test_huge_integers_are_exact() -> None:
    big = 10**30
    r = apportion({"a": big, "b": big + 1, "c": 7}, 3, "hare")
    assert r.seats == {"a": 1, "b": 2, "c": 0} and r.ties == ()
    r = apportion({"a": big, "b": big + 1, "c": 7}, 3, "sainte-lague")
    assert r.seats == {"a": 1, "b": 2, "c": 0} and r.ties == ()


# ------------------------------------------------------------------------------------------
# Ties


def test_an_exact_tie_goes_to_the_larger_unit_and_is_reported() -> None:
    r = apportion({"A": 6, "B": 3}, 2, "dhondt")
    assert r.seats == {"A": 2, "B": 0}
    (tie,) = r.ties
    assert (tie.tied, tie.seats, tie.chosen, tie.rule) == (("A", "B"), 1, ("A",), "larger size")
    assert r.seed is None  # no lot was drawn


def test_a_tie_between_equal_units_is_drawn_by_a_recorded_lot() -> None:
    sizes = {"X": 10, "Y": 10, "Z": 10}
    first = apportion(sizes, 2, "sainte-lague")
    assert first.seed is not None
    (tie,) = first.ties
    assert tie.rule == "lot" and tie.seats == 2 and len(tie.chosen) == 2
    again = apportion(sizes, 2, "sainte-lague", seed=first.seed)
    assert again.seats == first.seats and again.ties == first.ties
    outcomes = {tuple(apportion(sizes, 1, "hare", seed=s).seats.values()) for s in range(30)}
    assert len(outcomes) == 3  # each unit can win the lot


def test_a_tie_mixes_size_and_lot() -> None:
    # Sainte-Laguë: 9/3 = 3/1 = 3/1; two seats for three equal claims after A's first
    r = apportion({"A": 9, "B": 3, "C": 3}, 3, "sainte-lague", seed=1)
    (tie,) = r.ties
    assert tie.tied == ("A", "B", "C") and tie.seats == 2
    assert "A" in tie.chosen and tie.rule == "larger size, then lot"
    assert r.seats["A"] == 2 and r.seats["B"] + r.seats["C"] == 1


def test_to_dict_is_json_ready() -> None:
    import json

    r = apportion({"A": 6, "B": 3}, 2, "hare")
    data = json.loads(json.dumps(r.to_dict()))
    assert data["method"] == "hare" and data["seats"] == {"A": 1, "B": 1}
    assert data["quota"] == "9/2"


# ------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (({}, 3, "dhondt"), {}, CountingError, "sizes is empty"),
        (({"a": 1}, 3, "webster"), {}, MethodError, "'webster'; choose one of: dhondt, sainte-lague"),
        (({"a": 1}, -1, "dhondt"), {}, CountingError, "seats must be at least 0, got -1"),
        (({"a": 1}, 2.5, "dhondt"), {}, CountingError, "seats must be a whole number, got 2.5"),
        (({"a": 1, "b": -2}, 3, "hare"), {}, CountingError, "size of b is negative: -2"),
        (({"a": 1, "b": float("nan")}, 3, "hare"), {}, CountingError, "size of b is NaN"),
        (({"a": 1, "b": float("inf")}, 3, "hare"), {}, CountingError, "size of b is infinite"),
        (({"a": "7"}, 3, "hare"), {}, CountingError, "size of a must be a number, got '7'"),
        (({"a": 1, "b": 2}, 3, "dhondt"), {"min_seats": 2}, CountingError, "needs 4 seats, more than the 3"),
        (({"a": 1, "b": 1, "c": 1}, 3, "dhondt"), {"threshold": 0.4}, CountingError, "no unit reaches"),
        (({"a": 1}, 3, "dhondt"), {"threshold": 1.5}, CountingError, "between 0 and 1, got 1.5"),
        (({"a": 0, "b": 0}, 3, "droop"), {}, CountingError, "nothing to apportion 3 seats by"),
    ],
)
def test_bad_input_is_named(args: tuple, kwargs: dict, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        apportion(*args, **kwargs)


def test_array_errors_name_the_position() -> None:
    with pytest.raises(CountingError, match="size of unit 1 is negative"):
        apportion_arrays(np.array([3, -1]), 2, "dhondt")
    with pytest.raises(CountingError, match="one-dimensional"):
        apportion_arrays(np.ones((2, 2)), 2, "dhondt")


# ------------------------------------------------------------------------------------------
# Properties

small_sizes = st.lists(st.integers(0, 400), min_size=1, max_size=7)
# few distinct, highly composite sizes make exact ties common
tie_prone = st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 8, 12, 24]), min_size=1, max_size=7)
thresholds = st.sampled_from([Fraction(0), Fraction(1, 20), Fraction(1, 5)])


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.one_of(small_sizes, tie_prone),
    seats=st.integers(0, 40),
    method=st.sampled_from(METHODS),
    min_seats=st.integers(0, 2),
    threshold=thresholds,
)
def test_it_matches_the_exact_reference(
    sizes: list[int], seats: int, method: str, min_seats: int, threshold: Fraction
) -> None:
    assume(min_seats * len(sizes) <= seats)
    ok = _eligible(sizes, threshold)
    assume(any(ok))
    assume(seats == min_seats * len(sizes) or any(s > 0 for s, e in zip(sizes, ok, strict=True) if e))
    result = apportion(named(sizes), seats, method, min_seats=min_seats, threshold=float(threshold), seed=0)
    got = list(result.seats.values())
    expected, tie = reference(sizes, seats, method, min_seats, threshold)
    assert sum(got) == seats
    assert bool(result.ties) == tie
    if tie:
        # only the tied units may differ from the reference's arbitrary choice, by one seat each
        tied = {int(name[1:]) for name in result.ties[0].tied}
        assert all(got[i] == expected[i] for i in range(len(sizes)) if i not in tied)
        assert all(abs(got[i] - expected[i]) <= 1 for i in tied)
    else:
        assert got == expected


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(1, 10**6), min_size=1, max_size=12), seats=st.integers(0, 80))
def test_divisor_methods_are_house_monotone(sizes: list[int], seats: int) -> None:
    for method in DIVISOR:
        before = apportion(named(sizes), seats, method, seed=0)
        after = apportion(named(sizes), seats + 1, method, seed=0)
        assume(not before.ties and not after.ties)
        assert all(after.seats[k] >= before.seats[k] for k in before.seats), method


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 10**6), min_size=1, max_size=12), seats=st.integers(0, 80))
def test_hare_stays_within_quota(sizes: list[int], seats: int) -> None:
    assume(sum(sizes) > 0)
    result = apportion(named(sizes), seats, "hare", seed=0)
    total = sum(sizes)
    for name, size in named(sizes).items():
        quota = Fraction(size * seats, total)
        assert math.floor(quota) <= result.seats[name] <= math.ceil(quota)


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 10**6), min_size=1, max_size=10),
    seats=st.integers(0, 60),
    method=st.sampled_from(DIVISOR),
    min_seats=st.integers(0, 2),
)
def test_the_divisor_reproduces_the_seats(sizes: list[int], seats: int, method: str, min_seats: int) -> None:
    assume(min_seats * len(sizes) < seats)
    result = apportion(named(sizes), seats, method, min_seats=min_seats, seed=0)
    assume(not result.ties and result.divisor is not None)
    for name, size in named(sizes).items():
        q = size / result.divisor
        if method == "dhondt":
            r = math.floor(q)
        elif method == "huntington-hill":
            lower = math.floor(q)
            r = lower + (q > math.sqrt(lower * (lower + 1)))
        elif method == "modified-sainte-lague" and q < 1:
            r = int(q > 0.7)
        else:
            r = math.floor(q + 0.5)
        assert result.seats[name] == max(min_seats, r), name


@settings(max_examples=100, deadline=None)
@given(
    sizes=small_sizes,
    seats=st.integers(0, 30),
    # not Droop: its whole-number quota floor(total / (seats + 1)) + 1 depends on the unit of size
    method=st.sampled_from([m for m in METHODS if m != "droop"]),
    shift=st.integers(1, 8),
)
def test_sizes_halved_in_binary_give_the_same_seats(
    sizes: list[int], seats: int, method: str, shift: int
) -> None:
    assume(sum(sizes) > 0)
    whole = apportion(named(sizes), seats, method, seed=3)
    halved = apportion({k: v / 2**shift for k, v in named(sizes).items()}, seats, method, seed=3)
    assert halved.seats == whole.seats
    assert [t.tied for t in halved.ties] == [t.tied for t in whole.ties]


@settings(max_examples=100, deadline=None)
@given(sizes=small_sizes, seats=st.integers(0, 30), method=st.sampled_from(METHODS))
def test_arrays_and_mappings_agree(sizes: list[int], seats: int, method: str) -> None:
    assume(sum(sizes) > 0)
    result = apportion(named(sizes), seats, method, seed=5)
    assume(not result.ties)
    assert apportion_arrays(np.array(sizes), seats, method).tolist() == list(result.seats.values())


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 10**5), min_size=1, max_size=10),
    seats=st.integers(0, 60),
    method=st.sampled_from(sorted(PEER_NAMES)),
)
def test_it_agrees_with_the_apportionment_package_when_there_is_no_tie(
    sizes: list[int], seats: int, method: str
) -> None:
    assume(sum(sizes) > 0)
    result = apportion(named(sizes), seats, method, seed=0)
    assume(not result.ties)
    assert list(result.seats.values()) == peer.compute(PEER_NAMES[method], sizes, seats)


def test_it_is_fast_and_agrees_with_the_peer_on_a_large_house() -> None:
    rng = np.random.default_rng(2020)
    sizes = rng.integers(1_000, 1_000_000, 300)
    for method in sorted(PEER_NAMES):
        ours = apportion_arrays(sizes, 3_000, method, seed=0)
        assert ours.sum() == 3_000
        names = [f"p{i}" for i in range(sizes.size)]
        theirs = peer.compute(PEER_NAMES[method], sizes.tolist(), 3_000, parties=names)
        assert ours.tolist() == theirs, method
