"""Scottish STV against pref_voting's ``stv_scottish`` on generated profiles.

pref_voting implements the same statute with floats (truncated to 5 decimals) and its own
lot. Profiles on which our count needed any tie-break are skipped: both implementations look
back to the most recent stage where the tied candidates differed, but a lot is drawn from
different generators, and pref_voting's float totals compare equal within a tolerance where
ours are exact. Everything else must elect the same set.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_scottish

from councils.counting.profile import Profile
from councils.counting.stv_scottish import count_scottish_stv


@st.composite
def elections(draw: st.DrawFn) -> tuple[int, int, list[list[int]], list[int]]:
    n_cand = draw(st.integers(3, 6))
    seats = draw(st.integers(1, n_cand - 1))
    ballots = draw(
        st.lists(
            st.tuples(st.permutations(range(n_cand)), st.integers(1, n_cand), st.integers(1, 40)),
            min_size=2,
            max_size=12,
        )
    )
    rankings = [list(order[:length]) for order, length, _ in ballots]
    weights = [w for _, _, w in ballots]
    return n_cand, seats, rankings, weights


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_it_elects_what_pref_voting_elects(election: tuple[int, int, list[list[int]], list[int]]) -> None:
    n_cand, seats, rankings, weights = election
    names = [f"c{i}" for i in range(n_cand)]
    ours = count_scottish_stv(Profile.from_rankings(names, rankings, weights, seats=seats), seed=0)
    assume(not ours.ties)
    reference = ProfileWithTies(
        [{c: r for r, c in enumerate(ranking, start=1)} for ranking in rankings],
        rcounts=weights,
        candidates=list(range(n_cand)),
    )
    theirs = stv_scottish(reference, num_seats=seats, rng=random.Random(0))
    assert {names[c] for c in theirs} == set(ours.elected)
