"""Real elections counted by instant runoff and the single-seat methods.

Minneapolis mayor 2013 (cast vote record, 80,101 ballots): declared winner Betsy Hodges; declared
first choices Hodges 28,935 and Mark Andrew 19,584. The first choices are the rank1 column as
cast, read here with ``max_ranks=1``. Our IRV round 1 gives Hodges 28,956: under our documented
rule a skipped first ranking (``undervote``) lets the second ranking count from the start, while
the official first-choice table counts the first column only. Minneapolis eliminated in batches
where we exclude one candidate per stage; the winner is the same.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from councils.counting.blt import read_blt
from councils.counting.csv_ballots import read_csv_ballots
from councils.counting.irv import count_irv
from councils.counting.plurality import count_plurality
from councils.counting.schulze import count_schulze

ELECTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "elections"
MINNEAPOLIS = ELECTIONS / "minneapolis_2013_mayor" / "mn_2013_cast_vote_record.csv"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real election data not found in {ELECTIONS}")
    return path


def test_minneapolis_2013_first_choices_are_the_declared_ones() -> None:
    first = read_csv_ballots(need(MINNEAPOLIS), max_ranks=1)
    votes = count_plurality(first).stages[0].votes
    assert votes["BETSY HODGES"] == D(28_935)
    assert votes["MARK ANDREW"] == D(19_584)


def test_minneapolis_2013_irv_elects_betsy_hodges() -> None:
    profile = read_csv_ballots(need(MINNEAPOLIS))
    assert profile.total_weight == 80_101
    r = count_irv(profile, seed=1)
    assert r.elected == ("BETSY HODGES",)
    assert r.stages[0].votes["BETSY HODGES"] == D(28_956)
    last = r.stages[-1]
    assert 2 * last.votes["BETSY HODGES"] > sum(last.votes.values())
    for stage in r.stages:
        assert sum(stage.votes.values()) + stage.exhausted == 80_101
    assert count_schulze(profile, seed=1).elected == ("BETSY HODGES",)


def same_name(name: str) -> str:
    """The reference CSV writes names with single spaces; the BLT files keep runs of spaces."""
    return " ".join(name.split())


def test_glasgow_2007_wards_count_by_irv_to_one_of_their_stv_winners() -> None:
    """A sanity check on 21 real BLT files: in every ward the IRV winner is one of the STV winners.

    Not a theorem (IRV could elect an STV loser), but a fact of these data, checked once by hand.
    """
    folder = need(ELECTIONS / "scotland_glasgow_2007")
    winners = {}
    for line in (folder / "reference_winners.csv").read_text().splitlines()[1:]:
        fields = line.split(",")
        winners[fields[0]] = {same_name(n) for n in fields[-1].split("|")}
    checked = 0
    for name, elected in winners.items():
        profile = read_blt(folder / "blt" / name)
        r = count_irv(profile, seed=1)
        assert same_name(r.elected[0]) in elected, name
        checked += 1
    assert checked == 21
