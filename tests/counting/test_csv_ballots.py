"""CSV ballots: both layouts, the delimiter, cast-vote-record tokens, errors, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from councils.counting.csv_ballots import read_csv_ballots
from councils.counting.errors import BallotFileError

ELECTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "elections"


def test_rank_columns_apply_the_undervote_overvote_uwi_and_repeat_rules() -> None:
    text = (
        "rank1,Rank2,rank3\n"
        "Ann,Bob,Cat\n"
        "undervote,Bob,Ann\n"  # a skipped ranking: Bob moves up
        "Ann,overvote,Bob\n"  # the ballot stops at the overvote
        "UWI,Ann,Ann\n"  # a write-in is the candidate UWI; the repeated Ann counts once
        "overvote,Ann,Bob\n"  # stops at once: a blank ballot
    )
    p = read_csv_ballots(text)
    assert p.candidates == ("Ann", "Bob", "Cat", "UWI")
    assert sorted(p.rankings()) == [((), 1), ((0,), 1), ((0, 1, 2), 1), ((1, 0), 1), ((3, 0), 1)]


def test_max_ranks_reads_first_choices_as_cast() -> None:
    p = read_csv_ballots("rank1,rank2\nundervote,Bob\nAnn,Bob\n", max_ranks=1)
    assert sorted(p.rankings()) == [((), 1), ((0,), 1)]


def test_candidate_columns_with_semicolons_and_commas_in_names() -> None:
    text = "Boland,Cathal;Daly,Clare;Davis,Mick\n;1;2\n3;2;1\n;;\n1;;\n"
    p = read_csv_ballots(text, seats=2)
    assert p.candidates == ("Boland,Cathal", "Daly,Clare", "Davis,Mick")
    assert p.seats == 2
    assert sorted(p.rankings()) == [((), 1), ((0,), 1), ((1, 2), 1), ((2, 1, 0), 1)]


def test_a_shared_rank_or_a_gap_ends_the_ballot_there() -> None:
    p = read_csv_ballots("A,B,C,D\n1,2,2,3\n1,3,,\n")
    assert sorted(p.rankings()) == [((0,), 2)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, None, "empty file"),
        ("A,B\n1,x\n", 2, 2, "rank must be a whole number"),
        ("A,B\n1,2\n0,1\n", 3, 1, "rank must be a whole number"),
        ("A,B\n1,2\n1,2,3\n", 3, 3, "expected 2 fields"),
        ("A,A\n1,2\n", 1, 2, "appears twice in the header"),
    ],
)
def test_bad_rows_name_their_line_and_column(text: str, line: int, column: int | None, words: str) -> None:
    with pytest.raises(BallotFileError) as caught:
        read_csv_ballots(text + "\n" if text else "\n")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message


def test_errors_name_the_file(tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    f.write_text("A,B\n1,-1\n")
    with pytest.raises(BallotFileError, match=r"b\.csv, line 2, column 2"):
        read_csv_ballots(f)


def test_dublin_north_2002_is_read_whole() -> None:
    f = ELECTIONS / "ireland_dublin_north_2002" / "dublin_north_2002_ballots.csv"
    if not f.is_file():
        pytest.skip(f"real election data not found in {ELECTIONS}")
    p = read_csv_ballots(f, seats=4)
    assert p.total_weight == 43_942
    assert p.n_ballots == 19_299
    assert p.n_candidates == 12
    assert p.candidates[-1] == "Wright,G.V.,F.F."
