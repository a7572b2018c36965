"""Read ranked ballots from a CSV file: one row per ballot.

Two layouts are recognised from the header:

* **rank columns** (every header cell reads ``rank1``, ``Rank 2``, ``choice3``...): each cell holds
  the name of the candidate given that rank, as in cast vote records (Minneapolis 2013).
* **candidate columns** (any other header): one column per candidate, each cell the rank number
  the ballot gives that candidate, blank when unranked (Dublin North 2002).

The delimiter (``,`` or ``;``) is the one that splits the header and the first rows into the same
number of fields, the most fields winning; a comma inside candidate names (``Boland,Cathal,F.G.``)
therefore does not mislead it.

Rules for the tokens of cast vote records, in rank columns (compared case-insensitively):

``undervote`` or a blank cell
    The ranking was left blank: it is skipped and later rankings move up (a skipped ranking does
    not end the ballot).
``overvote``
    Several candidates were marked at that ranking: the ballot stops there; this and later
    rankings are not used (as the Minneapolis ordinance, 167.60, exhausts a ballot at an
    overvote).
``UWI``
    An undeclared write-in: counted as one candidate named ``UWI`` (all write-ins together, as
    Minneapolis reports them), who is excluded like any other candidate.
a candidate repeated on a ballot
    Only its first (highest) ranking counts; later repeats are skipped.

In candidate columns, ranks must be whole numbers from 1; the ballot is read in rank order.
A rank number given to two candidates, or a gap in the numbering, ends the ballot before that
rank (the Irish rule for papers with equal or missing preferences).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from councils.counting.errors import BallotFileError
from councils.counting.profile import NO_CANDIDATE, Profile, group_rows

if TYPE_CHECKING:
    from _csv import Reader as _reader

__all__ = ["read_csv_ballots"]

_RANK_HEADER = re.compile(r"\s*(rank|choice|preference|pref)\s*[_ #.-]?\s*\d+\s*", re.IGNORECASE)
_UNDERVOTE = "undervote"
_OVERVOTE = "overvote"
_WRITE_IN = "uwi"
_SAMPLE_ROWS = 20


def read_csv_ballots(
    source: str | os.PathLike[str],
    *,
    seats: int = 1,
    title: str = "",
    max_ranks: int | None = None,
    delimiter: str | None = None,
) -> Profile:
    """Read a CSV file of ranked ballots, one row per ballot, into a grouped Profile.

    Parameters
    ----------
    source : str or path-like
        The file (UTF-8, a byte-order mark allowed), or its text when it holds a line break.
    seats : int, default 1
        Seats to fill (a CSV file does not say).
    title : str, optional
        The election's title; the file's name by default.
    max_ranks : int, optional
        Read only the first ``max_ranks`` rankings of each ballot (``max_ranks=1``: the first
        choices as cast, a skipped first ranking giving a blank ballot).
    delimiter : str, optional
        ``","`` or ``";"``; sniffed when omitted.

    Returns
    -------
    Profile
        Candidates in header order (candidate columns) or in alphabetical order (rank columns);
        identical ballots grouped.

    Raises
    ------
    BallotFileError
        On an empty file, a row with the wrong number of fields, or a cell that is not a rank
        (candidate columns): the message names the line and column (both 1-based).

    Examples
    --------
    >>> p = read_csv_ballots("rank1,rank2\\nAnn,Bob\\nBob,undervote\\nCat,overvote\\n")
    >>> p.candidates, sorted(p.rankings())
    (('Ann', 'Bob', 'Cat'), [((0, 1), 1), ((1,), 1), ((2,), 1)])
    """
    path: str | None
    if isinstance(source, str) and ("\n" in source or "\r" in source):
        text, path = source, None
    else:
        path = os.fspath(source)
        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise BallotFileError("file is not UTF-8 text", path=path, line=line) from None
        if not title:
            title = Path(path).stem
    if not text.strip():
        raise BallotFileError("empty file: expected a header row", path=path, line=1)
    sep = delimiter or _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BallotFileError(f"unreadable CSV header: {exc}", path=path, line=1) from None
    names = [h.strip() for h in header]
    if all(_RANK_HEADER.fullmatch(h) for h in names):
        candidates, rows = _read_rank_columns(reader, len(names), path, max_ranks)
    else:
        candidates, rows = _read_candidate_columns(reader, names, path, max_ranks)
    n = len(candidates)
    width = max((len(r) for r in rows), default=0)
    ranks = np.full((len(rows), max(width, 1)), NO_CANDIDATE, dtype=np.int8 if n <= 127 else np.int16)
    for i, row in enumerate(rows):
        ranks[i, : len(row)] = row
    grouped, weights = group_rows(ranks, np.ones(len(rows), dtype=np.int64))
    if seats > n:
        raise BallotFileError(f"{seats} seats asked for but the file names only {n} candidates", path=path)
    return Profile(tuple(candidates), grouped, weights, seats, title)


def _sniff(text: str) -> str:
    """The delimiter that splits most of the first rows into as many fields as the header.

    A delimiter that leaves the header whole comes last, so ``A,B`` with a bad row still reads
    as comma-separated; among the others, agreement with the first rows decides, then the
    number of fields.
    """
    sample = text.splitlines()[: _SAMPLE_ROWS + 1]
    best, best_score = ",", (False, -1.0, 0)
    for sep in (",", ";"):
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=sep) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        rows = counts[1:] or counts
        agreement = sum(c == counts[0] for c in rows) / len(rows)
        score = (counts[0] > 1, agreement, counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _rows(reader: _reader, fields: int, path: str | None) -> list[tuple[int, list[str]]]:
    """Every non-blank row with its line number, checked for its number of fields."""
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip() and fields > 1):
                continue
            if len(row) != fields:
                raise BallotFileError(
                    f"expected {fields} fields as in the header, found {len(row)}",
                    path=path,
                    line=line,
                    column=min(len(row), fields) + 1,
                )
            out.append((line, row))
    except csv.Error as exc:
        raise BallotFileError(f"unreadable CSV row: {exc}", path=path, line=reader.line_num) from None
    return out


def _read_rank_columns(
    reader: _reader, fields: int, path: str | None, max_ranks: int | None
) -> tuple[list[str], list[list[int]]]:
    """Rank columns: cells name candidates; apply the undervote/overvote/UWI/repeat rules."""
    ballots: list[list[str]] = []
    for _line, row in _rows(reader, fields, path):
        ballot: list[str] = []
        for cell in row[: fields if max_ranks is None else max_ranks]:
            name = cell.strip()
            token = name.lower()
            if not name or token == _UNDERVOTE:
                continue
            if token == _OVERVOTE:
                break
            if token == _WRITE_IN:
                name = "UWI"
            if name not in ballot:
                ballot.append(name)
        ballots.append(ballot)
    candidates = sorted({name for ballot in ballots for name in ballot})
    code = {name: i for i, name in enumerate(candidates)}
    return candidates, [[code[name] for name in ballot] for ballot in ballots]


def _read_candidate_columns(
    reader: _reader, names: list[str], path: str | None, max_ranks: int | None
) -> tuple[list[str], list[list[int]]]:
    """Candidate columns: cells hold rank numbers, blank when unranked."""
    seen: dict[str, int] = {}
    for column, name in enumerate(names, start=1):
        if not name:
            raise BallotFileError("empty candidate name in the header", path=path, line=1, column=column)
        if name in seen:
            raise BallotFileError(
                f"candidate {name!r} appears twice in the header (first in column {seen[name]})",
                path=path,
                line=1,
                column=column,
            )
        seen[name] = column
    rows: list[list[int]] = []
    for line, row in _rows(reader, len(names), path):
        marks: list[tuple[int, int]] = []
        for column, cell in enumerate(row, start=1):
            value = cell.strip()
            if not value:
                continue
            if not value.isdigit() or int(value) < 1:
                raise BallotFileError(
                    f"rank must be a whole number from 1 or blank, got {value!r}",
                    path=path,
                    line=line,
                    column=column,
                )
            marks.append((int(value), column - 1))
        marks.sort()
        ballot: list[int] = []
        for place, (rank, candidate) in enumerate(marks):
            shared = (place + 1 < len(marks) and marks[place + 1][0] == rank) or (
                place > 0 and marks[place - 1][0] == rank
            )
            if rank != len(ballot) + 1 or shared:
                break
            ballot.append(candidate)
        rows.append(ballot if max_ranks is None else ballot[:max_ranks])
    return names, rows
