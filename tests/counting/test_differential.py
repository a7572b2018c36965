"""Differential tests against pref_voting, the reference implementation.

Thousands of small generated profiles (truncated ballots, weights) in total. Where the tie rules
differ, the comparison is arranged so that they cannot matter:

* IRV: pref_voting's ``instant_runoff`` excludes all tied-lowest candidates together, we exclude
  one (earlier stages, then lot). Profiles are kept only when no stage has a tie for last place
  (checked on our count: no tie was met) -- then both exclude the same candidate each round.
  Both stop at a majority of continuing votes (``exit_on_majority``).
* Schulze: pref_voting's ``beat_path`` measures a link by its margin by default; ours (as
  Schulze's paper and the Wikipedia example) by winning votes, ``d[i, j]`` where ``d[i, j] >
  d[j, i]``. With truncated ballots the two differ, so it is called with
  ``strength_function=support`` (the winning votes). It returns the set of winners; we elect one
  of them (by lot if several), so our winner must be in its set, and when the set has one
  member no lot was drawn. ``use_extended_strict_preference()`` makes unranked candidates rank
  below ranked ones, as ours.
* Plurality: our winner must be in pref_voting's set of plurality winners (the set, since ties
  are drawn by lot here).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import beat_path
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import plurality

from councils.counting.irv import count_irv
from councils.counting.plurality import count_plurality
from councils.counting.profile import Profile
from councils.counting.schulze import count_schulze

SETTINGS = settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: pref_voting's Schulze is the slowest reference: fewer examples keep the file under 30 s.
SCHULZE_SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    n = draw(st.integers(2, 5))
    ballots = draw(
        st.lists(
            st.tuples(st.permutations(range(n)), st.integers(1, n), st.integers(1, 20)),
            min_size=1,
            max_size=12,
        )
    )
    return Profile.from_rankings(
        [f"C{i}" for i in range(n)], [b[:k] for b, k, _ in ballots], [w for _, _, w in ballots]
    )


def reference(profile: Profile) -> ProfileWithTies:
    rankings = [{c: place for place, c in enumerate(r, start=1)} for r, _ in profile.rankings()]
    counts = [int(w) for _, w in profile.rankings()]
    ref = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(profile.n_candidates)))
    ref.use_extended_strict_preference()
    return ref


@SETTINGS
@given(profile=profiles())
def test_irv_agrees_with_pref_voting_when_no_tie_arises(profile: Profile) -> None:
    ours = count_irv(profile, seed=0)
    if ours.ties:
        return
    theirs = instant_runoff(reference(profile))
    assert [profile.candidates[c] for c in theirs] == list(ours.elected)


@SCHULZE_SETTINGS
@given(profile=profiles())
def test_schulze_winner_is_a_pref_voting_beat_path_winner(profile: Profile) -> None:
    ours = count_schulze(profile, seed=0)
    ref = reference(profile)
    theirs = [profile.candidates[c] for c in beat_path(ref, strength_function=ref.support)]
    assert ours.elected[0] in theirs
    if len(theirs) == 1:
        assert not ours.ties


@SETTINGS
@given(profile=profiles())
def test_plurality_winner_is_a_pref_voting_plurality_winner(profile: Profile) -> None:
    ours = count_plurality(profile, seed=0)
    theirs = [profile.candidates[c] for c in plurality(reference(profile))]
    assert ours.elected[0] in theirs
    assert bool(ours.ties) == (len(theirs) > 1)
