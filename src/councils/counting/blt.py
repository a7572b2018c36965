"""Read and write ballot files in the BLT format (OpenSTV, Droop, the Scottish council counts).

A BLT file holds, line by line::

    4 2                  number of candidates, number of seats
    -2                   optional: withdrawn candidates as negative numbers
    3 1 3 4 0            ballots: weight, then candidate numbers (1-based) in order, then 0
    1 2 0
    0                    end of the ballots
    "Ann"                one quoted name per candidate, in candidate-number order
    "Bob"
    "Cat"
    "Dan"
    "Example election"   the title

Readers accept CRLF line ends and lines padded with trailing spaces (the Edinburgh 2017 originals
pad every line to 500 characters). Names are kept exactly as written between the quotes, inner
spacing included.

Reading is done in two ways that must agree. A vectorized fast path parses the ballot section of a
valid file with NumPy (a million ballots in a small fraction of a second); whenever it sees
anything unusual it gives up and a careful line-by-line parser re-reads the file, to report the
first problem with its line and column. Nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from councils.counting.errors import BallotFileError, InvalidProfileError
from councils.counting.profile import NO_CANDIDATE, Profile, group_rows

__all__ = ["parse_blt", "read_blt", "write_blt"]

Codes = npt.NDArray[np.signedinteger[Any]]
Weights = npt.NDArray[np.int64] | npt.NDArray[np.float64]

_MAX_INT8_CANDIDATES = 127
#: Weights above this are refused: their sum over a file could overflow int64.
_MAX_WEIGHT_DIGITS = 15
#: The fast reader parses about this many bytes at a time (a size that stays in cache).
_CHUNK_BYTES = 1 << 20

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


def _code_dtype(n_candidates: int) -> type[np.int8] | type[np.int16]:
    return np.int8 if n_candidates <= _MAX_INT8_CANDIDATES else np.int16


def read_blt(
    source: str | os.PathLike[str] | bytes,
    *,
    allow_equal: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Profile:
    """Read a BLT ballot file into a :class:`~councils.counting.profile.Profile`.

    Parameters
    ----------
    source : str, path-like or bytes
        A path to the file; or the file's content, as ``bytes`` or as a ``str`` holding at least
        one line break.
    allow_equal : bool, default False
        Whether the caller can take equal rankings (``1 3=4 2 0``). No counting method accepts them
        yet, so they are refused either way; the message then says so instead of calling them
        malformed.
    progress : callable, optional
        Called as ``progress(bytes_read, total_bytes)`` while a file is read, for a progress bar.

    Returns
    -------
    Profile
        Ballots grouped (identical ballots merged, weights summed) when the file repeats a ballot;
        in file order otherwise. ``seats``, ``title`` and ``withdrawn`` come from the file.

    Raises
    ------
    BallotFileError
        If the file is malformed; the message names the line and column (1-based).
    OSError
        If the file cannot be read.

    Examples
    --------
    >>> p = read_blt('3 1\\n2 1 3 0\\n1 2 0\\n0\\n"Ann"\\n"Bob"\\n"Cat"\\n"Example"\\n')
    >>> p.candidates, p.seats, p.title
    (('Ann', 'Bob', 'Cat'), 1, 'Example')
    >>> p.rankings()
    [((0, 2), 2), ((1,), 1)]
    """
    if isinstance(source, bytes):
        return parse_blt(source, allow_equal=allow_equal)
    if isinstance(source, str) and ("\n" in source or "\r" in source):
        return parse_blt(source.encode("utf-8"), allow_equal=allow_equal)
    path = os.fspath(source)
    data = _read_bytes(path, progress)
    return parse_blt(data, path=path, allow_equal=allow_equal)


def _read_bytes(path: str, progress: Callable[[int, int], None] | None) -> bytes:
    if progress is None:
        return Path(path).read_bytes()
    total = os.path.getsize(path)
    chunks = []
    done = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            chunks.append(chunk)
            done += len(chunk)
            progress(done, total)
    return b"".join(chunks)


def parse_blt(data: bytes, *, path: str | None = None, allow_equal: bool = False) -> Profile:
    """Parse the bytes of a BLT file; ``path`` only names the file in error messages.

    See :func:`read_blt` for the format, the result and the errors.
    """
    if not data.strip():
        raise BallotFileError("empty file: expected a header line 'candidates seats'", path=path, line=1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = _parse_header(data, path)
    n = header.n_candidates
    start = _line_offset(data, header.next_line)
    parts, resume_at, names_at = _ballots_fast(data, start, n)
    if resume_at is not None:
        # Lines before ``resume_at`` were read and checked; the careful parser takes over there
        # and either reports the problem it finds or reads the rest.
        slow_ranks, slow_weights, names_at = _ballots_slow(data, resume_at, n, path, allow_equal)
        parts.append((slow_ranks, slow_weights))
    ranks, weights = _concatenate(parts, n)
    names, title = _parse_names(data, names_at, n, path)
    ranks, grouped_weights = _group_if_repeated(ranks, weights, n)
    return Profile(names, ranks, grouped_weights, header.seats, title, header.withdrawn)


def _concatenate(
    parts: list[tuple[Codes, npt.NDArray[np.int64]]], n: int
) -> tuple[Codes, npt.NDArray[np.int64]]:
    """Stack blocks of rows of different widths, padding with NO_CANDIDATE."""
    if len(parts) == 1:
        return parts[0]
    width = max([1, *(r.shape[1] for r, _ in parts)])
    ranks = np.full((sum(r.shape[0] for r, _ in parts), width), NO_CANDIDATE, dtype=_code_dtype(n))
    row = 0
    for part_ranks, _ in parts:
        ranks[row : row + part_ranks.shape[0], : part_ranks.shape[1]] = part_ranks
        row += part_ranks.shape[0]
    weights = np.concatenate([np.empty(0, dtype=np.int64), *(w for _, w in parts)])
    return ranks, weights


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


def _ballots_fast(
    data: bytes, start: int, n: int
) -> tuple[list[tuple[Codes, npt.NDArray[np.int64]]], int | None, int]:
    """Parse the ballot section with NumPy, as far as it is plainly valid.

    The section (from byte ``start`` to the first double quote, where the names begin) is cut at
    line breaks into chunks of about a megabyte, so that the intermediate arrays stay in the
    processor's cache. Each chunk is checked, vectorized, for everything the line-by-line parser
    checks. Returns the blocks of (ranks, weights) read, the byte offset of the first chunk that
    failed a check (None when all passed) and the byte offset of the line where the names begin.
    """
    quote = data.find(b'"', start)
    stop = len(data) if quote < 0 else quote
    parts: list[tuple[Codes, npt.NDArray[np.int64]]] = []
    begin = start
    while begin < stop:
        cut = data.find(b"\n", begin + _CHUNK_BYTES, stop)
        end = stop if cut < 0 else cut + 1
        chunk = data[begin:end]
        part = None
        if quote >= 0 and not chunk.translate(None, b"0123456789 \t\r\n"):
            part = _parse_chunk(chunk, n, is_last=end == stop)
        if part is None:
            return parts, begin, stop
        parts.append(part)
        begin = end
    if begin == start:
        return parts, start, stop
    # The names start on the quote's line (the parser of names reports anything before it).
    return parts, None, data.rfind(b"\n", 0, quote) + 1


def _parse_chunk(chunk: bytes, n: int, *, is_last: bool) -> tuple[Codes, npt.NDArray[np.int64]] | None:
    """Parse whole lines of ballots (and, when ``is_last``, the closing "0" line), or None."""
    # A space in front makes every token start after a non-digit; the padding behind keeps the
    # three-byte look-ahead below in bounds.
    b = np.frombuffer(b" " + chunk + b"\n   ", dtype=np.uint8)
    is_digit = b >= ord("0")
    pos = np.flatnonzero(is_digit[1:] > is_digit[:-1]) + 1
    n_tokens = pos.shape[0]
    if n_tokens == 0:
        return None if is_last else (np.empty((0, 1), dtype=_code_dtype(n)), np.empty(0, dtype=np.int64))
    d0 = b[pos].astype(np.int32) - ord("0")
    d1 = b[pos + 1].astype(np.int32) - ord("0")
    two = d1 >= 0
    values = np.where(two, d0 * 10 + d1, d0)
    longer = np.flatnonzero(two & (b[pos + 2] >= ord("0")))
    big: npt.NDArray[np.int64] | None = None
    if longer.shape[0]:
        big = _long_values(b, is_digit, pos[longer])
        if (big < 0).any():
            return None
        # Only weights may exceed int32; their exact values are taken from ``big`` below.
        values[longer] = np.minimum(big, np.iinfo(np.int32).max)
    # Each physical line's first token: the first token at or after the line's first byte.
    line_heads = np.flatnonzero(b == ord("\n")) + 1
    line_heads[1:] = line_heads[:-1]
    line_heads[0] = 0
    first_token = np.searchsorted(pos, line_heads)
    lengths = np.diff(first_token, append=n_tokens)
    nonblank = lengths > 0
    line_starts = first_token[nonblank]
    lengths = lengths[nonblank]
    n_lines = line_starts.shape[0]
    line_ends = line_starts + lengths - 1
    n_ballots = n_lines
    if is_last:
        # The last line must be the lone "0" ending the ballots.
        if lengths[-1] != 1 or values[-1] != 0:
            return None
        n_ballots -= 1
    # Every ballot line is "weight prefs... 0": at least two tokens, ending with 0.
    counts = (lengths[:n_ballots] - 2).astype(np.int64)
    if n_ballots and (counts.min() < 0 or (values[line_ends[:n_ballots]] != 0).any()):
        return None
    # No zero before a line's end (weights aside), no candidate number above n.
    not_weight = values.copy()
    not_weight[line_starts] = 1
    if np.count_nonzero(not_weight == 0) != n_ballots or not_weight.max() > n:
        return None
    # Scatter every token into a table of rows "weight prefs... 0 0...": the preferences land in
    # columns 1..width, the terminating 0 and the padding become NO_CANDIDATE once shifted by -1.
    width = max(int(counts.max()) if n_ballots else 0, 1)
    stride = width + 2
    offsets = np.arange(n_lines, dtype=np.int64) * stride - line_starts
    table = np.zeros((n_lines, stride), dtype=np.int16 if n < np.iinfo(np.int16).max else np.int32)
    flat = np.arange(n_tokens, dtype=np.int64) + np.repeat(offsets, lengths)
    table.reshape(-1)[flat] = not_weight
    if _has_repeat(table[:n_ballots, 1:], counts, n):
        return None
    ranks: Codes = (table[:n_ballots, 1 : width + 1] - 1).astype(_code_dtype(n))
    weights = values[line_starts[:n_ballots]].astype(np.int64)
    if big is not None:
        weights = _exact_weights(weights, line_starts[:n_ballots], longer, big)
    return ranks, weights


def _exact_weights(
    weights: npt.NDArray[np.int64],
    weight_tokens: npt.NDArray[np.intp],
    longer: npt.NDArray[np.intp],
    big: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Put back the full values of weights that do not fit int32."""
    at = np.searchsorted(longer, weight_tokens)
    at = np.minimum(at, longer.shape[0] - 1)
    hit = longer[at] == weight_tokens
    weights[hit] = big[at[hit]]
    return weights


def _long_values(
    b: npt.NDArray[np.uint8], is_digit: npt.NDArray[np.bool_], pos: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64]:
    """Values of the tokens of three digits or more starting at ``pos``; -1 where too long."""
    value = np.zeros(pos.shape[0], dtype=np.int64)
    active = np.ones(pos.shape[0], dtype=bool)
    for k in range(_MAX_WEIGHT_DIGITS + 1):
        # Inactive tokens may look past the buffer's end: clip, their bytes are ignored.
        at = np.minimum(pos + k, b.shape[0] - 1)
        active &= is_digit[at]
        if not active.any():
            return value
        if k == _MAX_WEIGHT_DIGITS:
            break
        value = np.where(active, value * 10 + (b[at].astype(np.int64) - ord("0")), value)
    value[active] = -1
    return value


def _has_repeat(table: npt.NDArray[np.integer[npt.NBitBase]], counts: npt.NDArray[np.int64], n: int) -> bool:
    """Whether a row of ``table`` (candidate numbers 1..n, then zeros) names a candidate twice."""
    rows = table.shape[0]
    if rows == 0:
        return False
    if n <= 62:
        # One bit per candidate (bit 0 collects the zeros): a row repeats a candidate iff it
        # sets fewer bits above bit 0 than it holds preferences.
        union = np.zeros(rows, dtype=np.int64)
        one = np.int64(1)
        for j in range(table.shape[1]):
            union |= np.left_shift(one, table[:, j].astype(np.int64))
        return bool((np.bitwise_count(union >> 1).astype(np.int64) != counts).any())
    ordered = np.sort(table, axis=1)
    return bool(((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] > 0)).any())


def _ballots_slow(
    data: bytes, offset: int, n: int, path: str | None, allow_equal: bool
) -> tuple[Codes, npt.NDArray[np.int64], int]:
    """Parse ballots line by line from byte ``offset`` (a line start) to the line "0".

    Raises at the first problem, naming its line and column. Returns the ranks, the weights and
    the byte offset of the line after the "0".
    """
    rows: list[list[int]] = []
    weights: list[int] = []
    number = data.count(b"\n", 0, offset)
    # Where the file ends too early, the error points after the last line that holds something.
    before = data.rfind(b"\n", 0, max(offset - 1, 0)) + 1
    last_number, last_text = max(number, 1), data[before : max(offset - 1, 0)].decode("utf-8", "replace")
    while True:
        if offset >= len(data):
            raise BallotFileError(
                "file ends before the line '0' that ends the ballots (truncated file?)",
                path=path,
                line=last_number,
                column=len(last_text.rstrip()) + 1,
            )
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        number += 1
        text = _decode_line(data[offset:end], number, path)
        offset = end + 1
        if text.strip():
            last_number, last_text = number, text
        tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(text)]
        if not tokens:
            continue
        if len(tokens) == 1 and tokens[0][0] == "0":
            break
        if tokens[0][0].startswith('"'):
            raise BallotFileError(
                "missing the line '0' that ends the ballots before the candidate names",
                path=path,
                line=number,
                column=tokens[0][1],
            )
        weight, col = tokens[0]
        if not _DIGITS.fullmatch(weight):
            raise BallotFileError(
                f"ballot weight must be a non-negative whole number, got {weight!r}",
                path=path,
                line=number,
                column=col,
            )
        if len(weight.lstrip("0")) > _MAX_WEIGHT_DIGITS:
            raise BallotFileError(f"ballot weight {weight} is too large", path=path, line=number, column=col)
        row: list[int] = []
        seen: dict[int, int] = {}
        ended = False
        for token, col in tokens[1:]:
            if ended:
                raise BallotFileError(
                    f"unexpected {token!r} after the 0 that ends the ballot",
                    path=path,
                    line=number,
                    column=col,
                )
            if "=" in token:
                template = _EQUAL_UNSUPPORTED if allow_equal else _EQUAL_REFUSED
                raise BallotFileError(template.format(token=token), path=path, line=number, column=col)
            if not _DIGITS.fullmatch(token):
                raise BallotFileError(
                    f"expected a candidate number or the 0 ending the ballot, got {token!r}",
                    path=path,
                    line=number,
                    column=col,
                )
            value = int(token)
            if value == 0:
                ended = True
                continue
            if value > n:
                raise BallotFileError(
                    f"candidate number {value} is out of range 1..{n}", path=path, line=number, column=col
                )
            if value in seen:
                raise BallotFileError(
                    f"candidate {value} appears twice in this ballot (first at column {seen[value]})",
                    path=path,
                    line=number,
                    column=col,
                )
            seen[value] = col
            row.append(value - 1)
        if not ended:
            raise BallotFileError(
                "ballot line does not end with 0" + ("" if data[offset:].strip() else " (truncated file?)"),
                path=path,
                line=number,
                column=len(text.rstrip()) + 1,
            )
        rows.append(row)
        weights.append(int(weight))
    width = max((len(r) for r in rows), default=0)
    ranks = np.full((len(rows), max(width, 1)), NO_CANDIDATE, dtype=_code_dtype(n))
    for i, row in enumerate(rows):
        ranks[i, : len(row)] = row
    return ranks, np.asarray(weights, dtype=np.int64), min(offset, len(data))


def _parse_names(data: bytes, at: int, n: int, path: str | None) -> tuple[tuple[str, ...], str]:
    """Read the ``n`` quoted names and the quoted title from byte offset ``at`` (a line start)."""
    line_index = data.count(b"\n", 0, at)
    lines = data[at:].split(b"\n")
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


def _group_if_repeated(ranks: Codes, weights: npt.NDArray[np.int64], n: int) -> tuple[Codes, Weights]:
    """Merge identical ballots when the file repeats one; leave distinct ballots in file order.

    Each row is packed into one int64 key (base ``n + 1`` digits, most significant first, so keys
    sort like the rows do) when it fits; sorting 760,000 keys is much faster than sorting rows.
    """
    rows, width = ranks.shape
    if rows < 2:
        return ranks, weights
    base = n + 1
    if width * np.log2(base) >= 62:
        grouped, summed = group_rows(ranks, weights)
        return grouped.astype(ranks.dtype, copy=False), summed
    keys = np.zeros(rows, dtype=np.int64)
    for j in range(width):
        keys *= base
        keys += ranks[:, j].astype(np.int64) + 1
    ordered = np.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():
        return ranks, weights
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    head = np.ones(rows, dtype=bool)
    head[1:] = sorted_keys[1:] != sorted_keys[:-1]
    firsts = np.flatnonzero(head)
    summed = np.add.reduceat(weights[order], firsts)
    return ranks[order[firsts]], summed.astype(np.int64)


def write_blt(profile: Profile, destination: str | os.PathLike[str] | IO[str]) -> None:
    """Write ``profile`` as a BLT file (one line per distinct ballot, with its weight).

    Parameters
    ----------
    profile : Profile
        The ballots. Weights must be whole numbers; names and title must not contain ``"``.
    destination : str, path-like or text stream
        A path to write (UTF-8, LF line ends) or an open text stream.

    Raises
    ------
    InvalidProfileError
        If a weight is fractional or negative, or a name holds a double quote or a line break.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> write_blt(Profile.from_rankings(["Ann", "Bob"], [[0, 1], [1]], seats=1, title="T"), out)
    >>> print(out.getvalue(), end="")
    2 1
    1 1 2 0
    1 2 0
    0
    "Ann"
    "Bob"
    "T"
    """
    weights = profile.weights
    if np.issubdtype(weights.dtype, np.floating) and (
        not np.all(np.isfinite(weights)) or not np.all(np.floor(weights) == weights)
    ):
        raise InvalidProfileError("BLT weights must be whole numbers; this profile has fractional weights")
    if weights.shape[0] and weights.min() < 0:
        raise InvalidProfileError("BLT weights must not be negative")
    for name in (*profile.candidates, profile.title):
        if '"' in name or "\n" in name or "\r" in name:
            raise InvalidProfileError(f"a BLT name cannot hold a double quote or a line break: {name!r}")
    if isinstance(destination, (str, os.PathLike)):
        with open(destination, "w", encoding="utf-8", newline="\n") as f:
            _write(profile, f)
    else:
        _write(profile, destination)


def _write(profile: Profile, out: IO[str]) -> None:
    out.write(f"{profile.n_candidates} {profile.seats}\n")
    if profile.withdrawn:
        out.write(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)) + "\n")
    labels = [str(c + 1) for c in range(profile.n_candidates)]
    buffer = io.StringIO()
    for row, weight in zip(profile.ranks.tolist(), profile.weights.astype(np.int64).tolist(), strict=True):
        buffer.write(str(weight))
        for code in row:
            if code == NO_CANDIDATE:
                break
            buffer.write(" ")
            buffer.write(labels[code])
        buffer.write(" 0\n")
    out.write(buffer.getvalue())
    out.write("0\n")
    for name in profile.candidates:
        out.write(f'"{name}"\n')
    out.write(f'"{profile.title}"\n')
