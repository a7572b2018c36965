"""The text of a BLT file around its ballots: the header, the names, the title, and the line
and column a problem is reported at (``councils.counting.blt`` reads and writes the files)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting.errors import BallotFileError
from councils.counting.profile import MAX_CANDIDATES

Codes = npt.NDArray[np.signedinteger[Any]]
Weights = npt.NDArray[np.int64] | npt.NDArray[np.float64]

#: Weights of more digits are refused at once (the total is bounded too: ``MAX_TOTAL_WEIGHT``).
_MAX_WEIGHT_DIGITS = 15

#: Bytes a valid ballot section may hold: digits, space, tab, CR, LF.
_ALLOWED = np.zeros(256, dtype=bool)
_ALLOWED[[ord(c) for c in "0123456789 \t\r\n"]] = True

_TOKEN = re.compile(r"\S+")
_NAME_TOKEN = re.compile(r'"[^"\n]*"|"[^"\n]*$|\S+')
_DIGITS = re.compile(r"[0-9]+")

_EQUAL_REFUSED = "equal rankings ('{token}') are not accepted: each preference must be one candidate number"
_EQUAL_UNSUPPORTED = (
    "equal rankings ('{token}') cannot be counted: no counting method accepts equal rankings yet"
)


@dataclass(frozen=True)
class _Header:
    n_candidates: int
    seats: int
    withdrawn: frozenset[int]
    next_line: int  # 0-based index of the first ballot line


def _line_offset(data: bytes, line_index: int) -> int:
    """Byte offset of the start of 0-based line ``line_index``."""
    pos = 0
    for _ in range(line_index):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def _decode_line(raw: bytes, number: int, path: str | None) -> str:
    try:
        return raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise BallotFileError(
            "line is not valid UTF-8 text", path=path, line=number, column=exc.start + 1
        ) from None


def _parse_header(data: bytes, path: str | None) -> _Header:
    end = data.find(b"\n")
    first = _decode_line(data if end < 0 else data[:end], 1, path)
    tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(first)]
    if len(tokens) != 2 or not all(_DIGITS.fullmatch(t) for t, _ in tokens):
        raise BallotFileError(
            f"header must be two whole numbers 'candidates seats', got {first.strip()!r}",
            path=path,
            line=1,
            column=tokens[0][1] if tokens else 1,
        )
    n, seats = int(tokens[0][0]), int(tokens[1][0])
    if n < 1:
        raise BallotFileError(
            "header: the number of candidates must be at least 1", path=path, line=1, column=1
        )
    if n > MAX_CANDIDATES:
        raise BallotFileError(
            f"header: at most {MAX_CANDIDATES:,} candidates can be counted, got {n:,}",
            path=path,
            line=1,
            column=tokens[0][1],
        )
    if not 1 <= seats <= n:
        raise BallotFileError(
            f"header: the number of seats must be between 1 and the number of candidates ({n}), got {seats}",
            path=path,
            line=1,
            column=tokens[1][1],
        )
    if end < 0:
        raise BallotFileError(
            "file ends after the header line (truncated file?)", path=path, line=1, column=len(first) + 1
        )
    # An optional line of withdrawn candidates follows, written as negative numbers.
    end2 = data.find(b"\n", end + 1)
    second = _decode_line(data[end + 1 :] if end2 < 0 else data[end + 1 : end2], 2, path)
    if not second.lstrip().startswith("-"):
        return _Header(n, seats, frozenset(), 1)
    withdrawn: set[int] = set()
    for m in _TOKEN.finditer(second):
        token = m.group()
        if not re.fullmatch(r"-[0-9]+", token) or not 1 <= int(token[1:]) <= n:
            raise BallotFileError(
                f"withdrawn candidates must be written -1..-{n}, got {token!r}",
                path=path,
                line=2,
                column=m.start() + 1,
            )
        code = int(token[1:]) - 1
        if code in withdrawn:
            raise BallotFileError(
                f"candidate {token[1:]} is withdrawn twice", path=path, line=2, column=m.start() + 1
            )
        withdrawn.add(code)
    return _Header(n, seats, frozenset(withdrawn), 2)


def _parse_names(data: bytes, line_index: int, n: int, path: str | None) -> tuple[tuple[str, ...], str]:
    """Read the ``n`` quoted names and the quoted title from ``data``, the end of the file from
    the start of line ``line_index + 1``."""
    lines = data.split(b"\n")
    found: list[tuple[str, int, int]] = []
    last_line, last_col = line_index, 1
    for offset, raw in enumerate(lines):
        number = line_index + offset + 1
        text = _decode_line(raw, number, path)
        if text.strip():
            last_line, last_col = number, len(text.rstrip()) + 1
        for m in _NAME_TOKEN.finditer(text):
            token, col = m.group(), m.start() + 1
            if not token.startswith('"'):
                raise BallotFileError(
                    f"expected a quoted name, got {token!r}", path=path, line=number, column=col
                )
            if len(token) < 2 or not token.endswith('"'):
                raise BallotFileError("quoted name has no closing quote", path=path, line=number, column=col)
            if len(found) == n + 1:
                raise BallotFileError(
                    f"too many names: expected {n} candidate names and a title",
                    path=path,
                    line=number,
                    column=col,
                )
            found.append((token[1:-1], number, col))
    if len(found) < n:
        raise BallotFileError(
            f"expected {n} candidate names, found {len(found)} (truncated file?)",
            path=path,
            line=last_line,
            column=last_col,
        )
    if len(found) == n:
        raise BallotFileError(
            "missing the quoted title after the candidate names", path=path, line=last_line, column=last_col
        )
    first_seen: dict[str, int] = {}
    for name, number, col in found[:n]:
        if name in first_seen:
            raise BallotFileError(
                f"candidate name {name!r} is used twice (first on line {first_seen[name]})",
                path=path,
                line=number,
                column=col,
            )
        first_seen[name] = number
    return tuple(name for name, _, _ in found[:n]), found[n][0]
