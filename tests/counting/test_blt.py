"""BLT files: reading, every malformation with its line and column, writing, round trips.

The reader has a vectorized fast path and a line-by-line parser; several tests force the second
(or make the first work in tiny chunks) and check that both give the same ballots and errors.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.counting import blt
from councils.counting.blt import parse_blt, read_blt, write_blt
from councils.counting.errors import BallotFileError, InvalidProfileError
from councils.counting.profile import Profile

ELECTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "elections"

GOOD = '4 2\n3 1 3 4 0\n1 2 0\n2 4 0\n1 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Dan"\n"Example election"\n'


def rankings(profile: Profile) -> list[tuple[tuple[int, ...], float]]:
    """The profile's ballots, merged and sorted (the order of rows is not part of the result)."""
    merged: dict[tuple[int, ...], float] = {}
    for ranking, weight in profile.rankings():
        merged[ranking] = merged.get(ranking, 0) + weight
    return sorted(merged.items())


def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fast paths (C and NumPy) give up at once, so the line-by-line parser reads everything."""
    monkeypatch.setattr(blt, "_bltscan", None)
    monkeypatch.setattr(blt, "_parse_chunk", lambda *args, **kwargs: None)


def test_it_reads_a_small_file() -> None:
    p = read_blt(GOOD)
    assert p.candidates == ("Ann", "Bob", "Cat", "Dan")
    assert p.seats == 2
    assert p.title == "Example election"
    assert p.withdrawn == frozenset()
    assert rankings(p) == [((), 1), ((0, 2, 3), 3), ((1,), 1), ((3,), 2)]


def test_it_reads_a_path_and_bytes(tmp_path: Path) -> None:
    f = tmp_path / "e.blt"
    f.write_text(GOOD)
    assert rankings(read_blt(f)) == rankings(read_blt(str(f))) == rankings(read_blt(GOOD.encode()))


def test_it_reads_withdrawn_candidates() -> None:
    p = read_blt(GOOD.replace("4 2\n", "4 2\n-2 -4\n"))
    assert p.withdrawn == frozenset({1, 3})
    assert rankings(p) == rankings(read_blt(GOOD))


def test_it_accepts_crlf_trailing_spaces_and_keeps_names_as_written() -> None:
    text = GOOD.replace('"Bob"', '"Bob  SMITH "').replace("\n", "   \r\n")
    p = read_blt(text)
    assert p.candidates[1] == "Bob  SMITH "
    assert rankings(p) == rankings(read_blt(GOOD))


def test_it_merges_repeated_ballots() -> None:
    p = read_blt('2 1\n1 1 2 0\n1 2 0\n2 1 2 0\n0\n"A"\n"B"\n"T"\n')
    assert p.n_ballots == 2
    assert rankings(p) == [((0, 1), 3), ((1,), 1)]


def test_it_keeps_large_weights_exact() -> None:
    p = read_blt('2 1\n123456789012345 1 0\n7 2 1 0\n0\n"A"\n"B"\n"T"\n')
    assert rankings(p) == [((0,), 123456789012345), ((1, 0), 7)]


def test_it_reads_candidate_numbers_above_99() -> None:
    names = "".join(f'"C{i}"\n' for i in range(150))
    p = read_blt(f'150 1\n2 150 101 7 0\n1 100 0\n0\n{names}"T"\n')
    assert rankings(p) == [((99,), 1), ((149, 100, 6), 2)]
    assert p.ranks.dtype == np.int16


def test_it_reads_an_edinburgh_original_padded_to_500_characters_with_crlf() -> None:
    folder = ELECTIONS / "scotland_edinburgh_2017"
    if not folder.is_dir():
        pytest.skip(f"real election data not found in {folder}")
    padded = read_blt(folder / "original_padded" / "ward_3_-_drum_braegyle_-_preference_profile_report.csv")
    plain = read_blt(folder / "ward_3_-_drum_braegyle_-_preference_profile_report.blt")
    assert padded.candidates == plain.candidates
    assert padded.title == plain.title == "Ward 3 - Drum Brae-Gyle"
    assert padded.seats == 3
    assert rankings(padded) == rankings(plain)


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, None, "empty file"),
        ("   \n\n", 1, None, "empty file"),
        ("4\n", 1, 1, "header must be two whole numbers"),
        ("four 2\n", 1, 1, "header must be two whole numbers"),
        ("4 5\n0\n", 1, 3, "number of seats must be between 1 and"),
        ("4 2", 1, 4, "file ends after the header"),
        ("4 2\n-7\n0\n", 2, 1, "withdrawn candidates must be written -1..-4"),
        ('4 2\n3 1 5 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 5, "candidate number 5 is out of range 1..4"),
        ('4 2\n3 1 2 1 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 7, "candidate 1 appears twice"),
        ('4 2\n3 1 2\n1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 6, "does not end with 0"),
        (
            '4 2\n1 2 0\n-3 1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n',
            3,
            1,
            "weight must be a non-negative whole number",
        ),
        ('4 2\n1.5 1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 1, "weight must be a non-negative whole number"),
        ('4 2\n1 2 0\n1 x 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 3, 3, "expected a candidate number"),
        ('4 2\n1 2 0 3 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 7, "after the 0 that ends the ballot"),
        ('4 2\n1 2 0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 3, 1, "missing the line '0' that ends the ballots"),
        ("4 2\n1 2 0\n1 3 0\n", 3, 6, "file ends before the line '0'"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n', 5, 4, "expected 4 candidate names, found 2"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n', 7, 4, "missing the quoted title"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n"E"\n', 9, 1, "too many names"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n"C"\nD\n"T"\n', 7, 1, "expected a quoted name"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n"A"\n"D"\n"T"\n', 6, 1, "candidate name 'A' is used twice"),
        ('4 2\n1 2 0\n0\n"A"\n"B"\n"C\n"D"\n"T"\n', 6, 1, "no closing quote"),
        ("4 2\n1 2 0\n1 3 4", 3, 6, "does not end with 0 (truncated file?)"),
        ('4 2\n1 1 3=4 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', 2, 5, "equal rankings ('3=4') are not accepted"),
    ],
)
def test_it_names_the_line_and_column_of_each_error(
    text: str, line: int, column: int | None, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BallotFileError) as caught:
        read_blt(text.encode())
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message
    where = f"line {line}" + (f", column {column}" if column else "")
    assert str(caught.value).startswith(where)
    # The line-by-line parser alone says the same.
    slow(monkeypatch)
    with pytest.raises(BallotFileError) as again:
        read_blt(text.encode())
    assert str(again.value) == str(caught.value)


def test_equal_rankings_allowed_still_refused_saying_no_method_counts_them() -> None:
    with pytest.raises(BallotFileError, match="no counting method accepts equal rankings yet") as caught:
        read_blt('4 2\n1 1 3=4 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n', allow_equal=True)
    assert (caught.value.line, caught.value.column) == (2, 5)


def test_more_candidates_than_codes_can_name_are_refused_not_wrapped_around() -> None:
    """Candidate 39,999 must not become a negative int16 code and be counted as someone else."""
    names = "".join(f'"C{i}"\n' for i in range(40_000))
    text = f'40000 1\n1 39999 0\n0\n{names}"T"\n'
    with pytest.raises(BallotFileError) as caught:
        read_blt(text)
    assert (caught.value.line, caught.value.column) == (1, 1)
    assert "at most 32,767 candidates" in str(caught.value)
    with pytest.raises(InvalidProfileError, match="at most 32,767 candidates"):
        Profile(tuple(f"C{i}" for i in range(40_000)), np.zeros((1, 1), dtype=np.int16), np.ones(1, np.int64))


def test_errors_name_the_file(tmp_path: Path) -> None:
    f = tmp_path / "bad.blt"
    f.write_text("4 2\n1 9 0\n0\n")
    with pytest.raises(BallotFileError, match=r"bad\.blt, line 2, column 3: candidate number 9"):
        read_blt(f)


def test_an_error_deep_in_a_large_file_is_found_with_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks before the bad one are read fast; the careful parser starts at the bad chunk."""
    monkeypatch.setattr(blt, "_CHUNK_BYTES", 64)
    lines = ["1 1 2 3 0"] * 500
    lines[345] = "1 1 2 2 0"
    text = "3 1\n" + "\n".join(lines) + '\n0\n"A"\n"B"\n"C"\n"T"\n'
    with pytest.raises(BallotFileError) as caught:
        read_blt(text)
    assert (caught.value.line, caught.value.column) == (347, 7)


def test_a_file_the_fast_path_leaves_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form feed is whitespace to the line parser but not to the fast path: the result agrees."""
    monkeypatch.setattr(blt, "_CHUNK_BYTES", 16)
    text = "3 1\n" + "\n".join(["2 1 2 0", "1 3\f0", "4 2 3 1 0"] * 20) + '\n0\n"A"\n"B"\n"C"\n"T"\n'
    p = read_blt(text)
    assert rankings(p) == [((0, 1), 40), ((1, 2, 0), 80), ((2,), 20)]


ballots = st.lists(
    st.tuples(st.permutations(range(6)), st.integers(0, 6), st.integers(0, 1000)),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(ballots=ballots, seats=st.integers(1, 6), withdrawn=st.sets(st.integers(0, 5), max_size=2))
def test_write_then_read_gives_the_same_profile(
    ballots: list[tuple[list[int], int, int]], seats: int, withdrawn: set[int]
) -> None:
    names = ["Ann", "Bob  B", "Cat", "Dan", "Eve", "Fay"]
    profile = Profile.from_rankings(
        names,
        [b[:k] for b, k, _ in ballots],
        [w for _, _, w in ballots],
        seats=seats,
        title="Round trip",
        withdrawn=withdrawn,
    )
    out = io.StringIO()
    write_blt(profile, out)
    back = read_blt(out.getvalue().encode())
    assert back.candidates == profile.candidates
    assert (back.seats, back.title, back.withdrawn) == (seats, "Round trip", frozenset(withdrawn))
    assert rankings(back) == rankings(profile)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["0", "1", "2", "3", "4", "9", "12", "x", "=", " ", "  "]), max_size=7),
        max_size=12,
    ),
    chunk=st.sampled_from([8, 32, 1 << 20]),
)
def test_fast_and_slow_parsers_agree_on_any_ballot_section(rows: list[list[str]], chunk: int) -> None:
    """Random (mostly malformed) ballot sections: same ballots or the same error either way."""
    text = "4 1\n" + "\n".join(" ".join(r) for r in rows) + '\n0\n"A"\n"B"\n"C"\n"D"\n"T"\n'

    def outcome() -> object:
        try:
            return rankings(parse_blt(text.encode()))
        except BallotFileError as exc:
            return str(exc)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(blt, "_CHUNK_BYTES", chunk)
        fast = outcome()
    with pytest.MonkeyPatch.context() as mp:
        slow(mp)
        assert outcome() == fast


def test_write_blt_writes_the_documented_format(tmp_path: Path) -> None:
    p = Profile.from_rankings(
        ["A", "B", "C"], [[0, 2], [1], []], [2, 1, 1], seats=2, title="T", withdrawn=[2]
    )
    f = tmp_path / "out.blt"
    write_blt(p, f)
    assert f.read_text() == '3 2\n-3\n1 0\n2 1 3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'


def test_write_blt_refuses_what_blt_cannot_hold() -> None:
    p = Profile.from_rankings(["A", "B"], [[0], [1]], [1.5, 1])
    with pytest.raises(InvalidProfileError, match="whole numbers"):
        write_blt(p, io.StringIO())
    q = Profile.from_rankings(['Say "hi"', "B"], [[0]])
    with pytest.raises(InvalidProfileError, match="double quote"):
        write_blt(q, io.StringIO())
