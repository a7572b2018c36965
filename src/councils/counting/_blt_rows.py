"""Ballot lines parsed for ``councils.counting.blt``: a chunk of a plainly valid ballot section
with NumPy, and line by line, naming the first problem with its line and column."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from councils.counting._blt_table import _row_keys
from councils.counting._blt_text import (
    _DIGITS,
    _EQUAL_REFUSED,
    _EQUAL_UNSUPPORTED,
    _MAX_WEIGHT_DIGITS,
    _TOKEN,
    Codes,
    _decode_line,
)
from councils.counting.errors import BallotFileError
from councils.counting.profile import MAX_TOTAL_WEIGHT, NO_CANDIDATE, code_dtype


def _parse_chunk(
    chunk: bytes, n: int, *, is_last: bool, keyed: bool = False
) -> tuple[Codes, npt.NDArray[np.int64], npt.NDArray[np.int64] | None] | None:
    """Parse whole lines of ballots (and, when ``is_last``, the closing "0" line), or None.

    Returns the ranks, the weights and, when ``keyed``, each row's key (see :func:`_row_keys`,
    ``n`` digits).
    """
    # A space in front makes every token start after a non-digit; the padding behind keeps the
    # three-byte look-ahead below in bounds.
    b = np.frombuffer(b" " + chunk + b"\n   ", dtype=np.uint8)
    is_digit = b >= ord("0")
    pos = np.flatnonzero(is_digit[1:] > is_digit[:-1])
    pos += 1
    n_tokens = pos.shape[0]
    if n_tokens == 0:
        empty = np.empty((0, 1), dtype=code_dtype(n)), np.empty(0, dtype=np.int64)
        return None if is_last else (*empty, np.empty(0, dtype=np.int64) if keyed else None)
    # Values of tokens of one or two digits, computed on all bytes at once (cheap, in uint8) and
    # gathered once: ``pair[i]`` is the value of a token starting at byte i.
    digit = b - np.uint8(ord("0"))
    pair = np.where(is_digit[1:], digit[:-1] * np.uint8(10) + digit[1:], digit[:-1])
    values: npt.NDArray[np.integer[Any]] = pair.take(pos)
    longer = np.empty(0, dtype=np.intp)
    big: npt.NDArray[np.int64] | None = None
    if (is_digit[:-2] & is_digit[1:-1] & is_digit[2:]).any():
        three = is_digit[1:-1] & is_digit[2:]
        longer = np.flatnonzero(three.take(pos))
    if longer.shape[0]:
        big = _long_values(b, is_digit, pos.take(longer))
        if (big < 0).any():
            return None
        # Only weights may exceed int32; their exact values are taken from ``big`` below.
        values = values.astype(np.int32)
        values[longer] = np.minimum(big, np.iinfo(np.int32).max)
    # Each physical line's first token: the first token at or after the line's first byte.
    line_heads = np.flatnonzero(b == ord("\n"))
    line_heads[1:] = line_heads[:-1] + 1
    line_heads[0] = 0
    first_token = np.searchsorted(pos, line_heads)
    lengths = np.diff(first_token, append=n_tokens)
    nonblank = lengths > 0
    if nonblank.all():
        line_starts = first_token
    else:
        line_starts, lengths = np.compress(nonblank, first_token), np.compress(nonblank, lengths)
    n_lines = line_starts.shape[0]
    n_ballots = n_lines
    if is_last:
        # The last line must be the lone "0" ending the ballots.
        if lengths[-1] != 1 or values[-1] != 0:
            return None
        n_ballots -= 1
    # Every ballot line is "weight prefs... 0": at least two tokens, ending with 0.
    counts = (lengths[:n_ballots] - 2).astype(np.int64)
    line_ends = line_starts[:n_ballots] + lengths[:n_ballots] - 1
    if n_ballots and (counts.min() < 0 or values.take(line_ends).any()):
        return None
    # No zero before a line's end (weights aside), no candidate number above n.
    not_weight = values.copy()
    not_weight[line_starts] = 1
    if np.count_nonzero(not_weight == 0) != n_ballots or not_weight.max() > n:
        return None
    # Scatter every token into a table of rows "weight prefs... 0 0...": the preferences land in
    # columns 1..width, the terminating 0 and the padding become NO_CANDIDATE once shifted by -1.
    # A token's cell is the previous token's plus one, or, at the start of line l, l * stride.
    width = max(int(counts.max()) if n_ballots else 0, 1)
    stride = width + 2
    step = np.ones(n_tokens, dtype=np.intp)
    step[line_starts[1:]] = stride + 1 - lengths[:-1]
    step[0] = 0
    table = np.zeros((n_lines, stride), dtype=code_dtype(n))
    table.reshape(-1)[np.cumsum(step)] = not_weight
    prefs = table[:n_ballots, 1 : width + 1]
    checked = _check_rows(prefs, counts, n, keyed)
    if checked is None:
        return None
    ranks: Codes = prefs - 1
    weights = values.take(line_starts[:n_ballots]).astype(np.int64)
    if big is not None:
        weights = _exact_weights(weights, line_starts[:n_ballots], longer, big)
    return ranks, weights, (checked if keyed else None)


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


def _check_rows(
    prefs: Codes, counts: npt.NDArray[np.int64], n: int, keyed: bool
) -> npt.NDArray[np.int64] | None:
    """None if a row of ``prefs`` (candidate numbers 1..n, then zeros) names a candidate twice;
    else, when ``keyed``, the rows' keys (see :func:`_row_keys`), or an empty array.

    The keys are packed in the same pass over the columns as the check.
    """
    rows, width = prefs.shape
    keys = np.zeros(rows if keyed else 0, dtype=np.int64)
    if rows == 0:
        return keys
    base = n + 1
    if n <= 62:
        # One bit per candidate (bit 0 collects the zeros): a row repeats a candidate iff it
        # sets fewer bits above bit 0 than it holds preferences.
        union = np.zeros(rows, dtype=np.int64)
        one = np.int64(1)
        for j in range(width):
            column = prefs[:, j].astype(np.int64)
            union |= np.left_shift(one, column)
            if keyed:
                keys *= base
                keys += column
        if (np.bitwise_count(union >> 1).astype(np.int64) != counts).any():
            return None
    else:
        ordered = np.sort(prefs, axis=1)
        if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] > 0)).any():
            return None
        if keyed:
            keys = _row_keys(prefs - 1, n, n)
    if keyed and width < n:
        keys *= base ** (n - width)
    return keys


def _ballots_slow(
    data: bytes, offset: int, n: int, path: str | None, allow_equal: bool, total: int = 0
) -> tuple[Codes, npt.NDArray[np.int64], int]:
    """Parse ballots line by line from byte ``offset`` (a line start) to the line "0".

    ``total`` is the weight of the ballots before ``offset``: the running total must stay within
    ``MAX_TOTAL_WEIGHT``. Raises at the first problem, naming its line and column. Returns the
    ranks, the weights and the byte offset of the line after the "0".
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
        total += int(weight)
        if total > MAX_TOTAL_WEIGHT:
            raise BallotFileError(
                f"the ballots' total weight passes {MAX_TOTAL_WEIGHT:,} here: "
                "larger totals cannot be counted exactly",
                path=path,
                line=number,
                column=col,
            )
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
    ranks = np.full((len(rows), max(width, 1)), NO_CANDIDATE, dtype=code_dtype(n))
    for i, row in enumerate(rows):
        ranks[i, : len(row)] = row
    return ranks, np.asarray(weights, dtype=np.int64), min(offset, len(data))
