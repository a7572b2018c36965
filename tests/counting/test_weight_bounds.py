"""Ballot weights whose totals cannot be counted exactly are refused, naming the line.

A file of 9,224 ballots of weight 999,999,999,999,999 wrapped the int64 totals (Scottish STV then
elected the wrong candidates with exit 0) and IRV and plurality lost precision above 2**53: such a
file is refused where its running total passes ``MAX_TOTAL_WEIGHT``, by every reading path.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from councils.counting import blt
from councils.counting.blt import read_blt
from councils.counting.cli import main
from councils.counting.errors import BallotFileError, InvalidProfileError, MethodError
from councils.counting.irv import count_irv
from councils.counting.plurality import count_plurality
from councils.counting.profile import MAX_TOTAL_WEIGHT, ApprovalProfile, Profile
from councils.counting.stv_scottish import count_scottish_stv

HUGE = 999_999_999_999_999
NAMES = '"Ann"\n"Bob"\n"Cat"\n"Wrapped"\n'


def wrapping_file(ballots: int = 9_224) -> str:
    """The reported file: identical heavy ballots whose sum passes int64."""
    return "3 1\n" + f"{HUGE} 1 2 0\n" * (ballots - 1) + f"{HUGE} 3 0\n0\n" + NAMES


#: The ballot line on which the running total first exceeds 2**53 (the header is line 1).
CROSSING_LINE = MAX_TOTAL_WEIGHT // HUGE + 2


def test_the_reported_file_is_refused_on_the_line_where_its_total_passes_the_bound() -> None:
    with pytest.raises(BallotFileError) as caught:
        read_blt(wrapping_file())
    assert (caught.value.line, caught.value.column) == (CROSSING_LINE, 1)
    assert "total weight passes 9,007,199,254,740,992" in str(caught.value)


@pytest.mark.parametrize("path", ["stream", "whole", "slow", "tiny chunks"])
def test_every_reading_path_names_the_same_line(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "whole":
        monkeypatch.setattr(blt, "_read_stream", lambda *args: None)
    elif path == "slow":
        monkeypatch.setattr(blt, "_bltscan", None)
        monkeypatch.setattr(blt, "_parse_chunk", lambda *args, **kwargs: None)
    elif path == "tiny chunks":
        monkeypatch.setattr(blt, "_CHUNK_BYTES", 256)
    with pytest.raises(BallotFileError) as caught:
        read_blt(wrapping_file().encode())
    assert caught.value.line == CROSSING_LINE


def test_a_malformed_line_after_the_passing_total_is_not_reported_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(blt, "_CHUNK_BYTES", 256)
    text = wrapping_file().replace("0\n" + NAMES, "1 x 0\n0\n" + NAMES)
    with pytest.raises(BallotFileError) as caught:
        read_blt(text)
    assert caught.value.line == CROSSING_LINE


def lines(weight: int, ballot: str) -> str:
    """Ballot lines for ``weight`` papers, split into weights of at most 15 digits."""
    out = []
    while weight > 0:
        out.append(f"{min(weight, HUGE)} {ballot} 0\n")
        weight -= HUGE
    return "".join(out)


def test_a_total_of_exactly_the_bound_is_read_and_counted_exactly() -> None:
    half = MAX_TOTAL_WEIGHT // 2
    text = "2 1\n" + lines(half, "1") + lines(half - 1, "2") + "1 2 0\n0\n" + '"Ann"\n"Bob"\n"T"\n'
    profile = read_blt(text)
    assert int(profile.weights.sum()) == MAX_TOTAL_WEIGHT
    # The totals are equal: a tie, drawn by lot, not a float rounding.
    result = count_plurality(profile, seed=1)
    assert result.stages[0].votes == {"Ann": Decimal(half), "Bob": Decimal(half)}
    assert result.ties
    # One paper less for Bob and Ann wins outright, in IRV too.
    text = "2 1\n" + lines(half, "1") + lines(half - 1, "2") + "0\n" + '"Ann"\n"Bob"\n"T"\n'
    profile = read_blt(text)
    assert count_irv(profile).elected == ("Ann",)
    assert count_plurality(profile).stages[0].votes["Bob"] == Decimal(half - 1)


def test_the_command_refuses_the_reported_file_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "wrapped.blt"
    f.write_text(wrapping_file())
    assert main(["count", str(f), "--method", "scottish-stv"]) != 0
    err = capsys.readouterr().err
    assert f"line {CROSSING_LINE}" in err and "total weight" in err


def test_scottish_stv_refuses_more_papers_than_it_counts_exactly() -> None:
    profile = read_blt(f'2 1\n{10**8} 1 0\n1 2 0\n0\n"Ann"\n"Bob"\n"T"\n')
    with pytest.raises(MethodError, match="at most 100,000,000 ballot papers"):
        count_scottish_stv(profile)


def test_profiles_built_in_code_are_bounded_too() -> None:
    with pytest.raises(InvalidProfileError, match="total weight exceeds"):
        Profile.from_rankings(["A", "B"], [[0], [1]], [HUGE * 9, HUGE * 9])
    with pytest.raises(InvalidProfileError, match="total weight exceeds"):
        Profile(("A",), np.zeros((9_224, 1), np.int8), np.full(9_224, HUGE, np.int64))
    with pytest.raises(InvalidProfileError, match="total weight exceeds"):
        ApprovalProfile(("A",), np.ones((2, 1), bool), np.array([2.0**53, 1e6]))
