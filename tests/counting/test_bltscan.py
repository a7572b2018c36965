"""The BLT reader's C scanner (``_bltscan``) against its NumPy parser: the same rows or the same refusal.

The C scanner only speeds up reading: it must accept exactly the chunks the NumPy parser accepts,
give the same rows, weights and keys, and leave every error to the careful parser.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.counting import blt
from councils.counting.blt import read_blt
from councils.counting.errors import BallotFileError
from councils.counting.profile import Profile
from tests.conftest import on_ci

ELECTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "elections"

needs_scanner = pytest.mark.skipif(
    blt._bltscan is None and not on_ci(),
    reason="the C scanner councils.counting._bltscan was not built (no C compiler at install time)",
)


def test_ci_builds_the_c_scanner() -> None:
    """Without it reading silently gets four times slower: CI must notice."""
    if blt._bltscan is None and not on_ci():
        pytest.skip("the C scanner was not built (no C compiler at install time)")
    assert blt._bltscan is not None


def numpy_block(chunk: bytes, n: int, is_last: bool, keyed: bool) -> blt._Block | None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(blt, "_bltscan", None)
        return blt._parse_block(chunk, n, is_last, keyed)


def assert_same_block(chunk: bytes, n: int, is_last: bool) -> None:
    keyed = blt._keys_fit(n, n)
    c = blt._scan_block(chunk, n, is_last, keyed)
    py = numpy_block(chunk, n, is_last, keyed)
    if py is None or c is None:
        assert c is None and py is None, (chunk, n, is_last)
        return
    assert c.ranks.dtype == py.ranks.dtype
    np.testing.assert_array_equal(c.ranks, py.ranks)
    np.testing.assert_array_equal(c.weights, py.weights)
    assert (c.size, c.newlines) == (py.size, py.newlines)
    if keyed:
        assert c.keys is not None and py.keys is not None
        np.testing.assert_array_equal(c.keys, py.keys)


tokens = st.sampled_from(
    ["0", "1", "2", "3", "4", "5", "9", "12", "130", "007", "0" * 15 + "1", "1" * 16, "x", "=", "-1", "\x00"]
)
spaces = st.sampled_from([" ", "  ", "\t", "\r", " \r"])


@needs_scanner
@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(st.lists(st.tuples(tokens, spaces), max_size=8), max_size=12),
    n=st.sampled_from([4, 12, 15, 16, 130]),
    is_last=st.booleans(),
    closing=st.booleans(),
    final_break=st.booleans(),
)
def test_it_agrees_with_the_numpy_parser_on_any_chunk(
    lines: list[list[tuple[str, str]]], n: int, is_last: bool, closing: bool, final_break: bool
) -> None:
    """Mostly malformed chunks: tokens too long, zeros inside a line, candidates above n, NULs."""
    text = "\n".join("".join(t + s for t, s in line) for line in lines)
    if closing:
        text += "\n0"
    if final_break:
        text += "\n"
    assert_same_block(text.encode(), n, is_last)


@needs_scanner
@settings(max_examples=200, deadline=None)
@given(
    ballots=st.lists(
        st.tuples(st.integers(0, 10**15 - 1), st.permutations(range(1, 17)), st.integers(0, 16)), max_size=40
    ),
    n=st.sampled_from([16, 17, 200]),
    is_last=st.booleans(),
)
def test_it_agrees_with_the_numpy_parser_on_valid_chunks(
    ballots: list[tuple[int, list[int], int]], n: int, is_last: bool
) -> None:
    """Valid ballots with weights up to 15 digits, keyed (n = 16 is not) and int16 codes (n = 200)."""
    text = "".join(f"{w} {' '.join(map(str, order[:k]))} 0\n".replace("  ", " ") for w, order, k in ballots)
    if is_last:
        text += "0\n"
    assert_same_block(text.encode(), n, is_last)


@needs_scanner
@pytest.mark.parametrize(
    "text",
    [
        "3 1 2 0\n0\n",  # a ballot and the closing line
        "3 1 2 0\n\n  \n0\n",  # blank lines
        "3 1 2 0\r\n1 0\r\n0\r\n",  # CRLF, a ballot with no preferences
        "3 1 2 0\n0",  # no break after the closing line
        "0\n",  # no ballots at all
    ],
)
def test_it_reads_the_last_chunk(text: str) -> None:
    assert blt._scan_block(text.encode(), 3, True, True) is not None
    assert_same_block(text.encode(), 3, True)


@needs_scanner
@pytest.mark.parametrize(
    "text",
    [
        "3 1 2 0\n",  # the last chunk must hold the closing line
        "3 1 2 0\n0\n1 1 0\n",  # a ballot after it
        "0 3\n0\n",  # a ballot line without its closing 0
        "3 1 2 0\x00\n0\n",  # a NUL byte
    ],
)
def test_it_refuses_what_is_not_plainly_valid(text: str) -> None:
    assert blt._scan_block(text.encode(), 3, True, True) is None
    assert_same_block(text.encode(), 3, True)


@needs_scanner
def test_it_refuses_wrong_arguments_with_a_clear_error() -> None:
    assert blt._bltscan is not None
    ranks, weights = np.empty((4, 3), dtype=np.int8), np.empty(4, dtype=np.int64)
    with pytest.raises(TypeError, match="chunk must be bytes"):
        blt._bltscan.scan("1 1 0\n", 3, False, ranks, weights, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fewer rows"):
        blt._bltscan.scan(b"1 1 0\n", 3, False, ranks[:2], weights, None)
    with pytest.raises(TypeError, match="item size"):
        blt._bltscan.scan(b"1 1 0\n", 3, False, ranks, weights.astype(np.int32), None)


def profile_arrays(p: Profile) -> tuple[object, ...]:
    return (p.candidates, p.seats, p.title, p.withdrawn, p.ranks.tolist(), p.weights.tolist())


@needs_scanner
@pytest.mark.parametrize("folder", ["scotland_glasgow_2007/blt", "scotland_edinburgh_2017"])
def test_real_files_read_the_same_with_and_without_it(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = ELECTIONS / folder
    if not directory.is_dir():
        pytest.skip(f"real election data not found in {ELECTIONS} (see its README)")
    monkeypatch.setattr(blt, "_CHUNK_BYTES", 4096)  # many chunks, threads and merges
    paths = sorted(directory.glob("*.blt"))
    with_c = [profile_arrays(read_blt(p)) for p in paths]
    monkeypatch.setattr(blt, "_bltscan", None)
    assert [profile_arrays(read_blt(p)) for p in paths] == with_c


@needs_scanner
def test_an_error_is_still_named_by_the_careful_parser() -> None:
    text = "3 1\n" + "2 1 2 0\n" * 1000 + "1 1 4 0\n0\n" + '"A"\n"B"\n"C"\n"T"\n'
    with pytest.raises(BallotFileError) as caught:
        read_blt(text)
    assert (caught.value.line, caught.value.column) == (1002, 5)
    assert "4" in str(caught.value)
