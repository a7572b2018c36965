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

Reading is done in two ways that must agree. A fast path parses the ballot section of a valid
file a chunk of about a megabyte at a time, read from disk and parsed in two threads into arrays
grown in place, so that the file is never held whole in memory. Each chunk is parsed in one pass
by a small C scanner (``_bltscan.c``, built when the package is installed with a C compiler: a
million ballots in about 0.06 s), or else with NumPy (about 0.15 s); the two accept exactly the
same chunks and give the same rows. Whenever the fast path sees anything unusual it gives up,
and the file is read again whole: vectorized as far as it is plainly valid, then line by line,
to report the first problem with its line and column. Nothing is returned unless the whole file
is valid.
"""

from __future__ import annotations

import io
import os
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from councils.counting.errors import BallotFileError, InvalidProfileError
from councils.counting.profile import (
    MAX_CANDIDATES,
    MAX_TOTAL_WEIGHT,
    NO_CANDIDATE,
    Profile,
    code_dtype,
    group_rows,
    total_weight_within_bound,
)

try:  # the C fast path, built when the package was installed with a C compiler (setup.py)
    from councils.counting import _bltscan
except ImportError:  # pragma: no cover - the NumPy parser does the same work
    _bltscan = None  # type: ignore[assignment]

__all__ = ["parse_blt", "read_blt", "write_blt"]

Codes = npt.NDArray[np.signedinteger[Any]]
Weights = npt.NDArray[np.int64] | npt.NDArray[np.float64]

#: Weights of more digits are refused at once (the total is bounded too: ``MAX_TOTAL_WEIGHT``).
_MAX_WEIGHT_DIGITS = 15
#: The fast reader parses about this many bytes at a time (a size that stays in cache).
_CHUNK_BYTES = 1 << 20
#: The C scanner writes rows as wide as the candidates are many, with room for the most rows a
#: chunk could hold; above this many cells (a megabyte chunk of a count of over 64 candidates)
#: the NumPy parser, whose rows are only as wide as the longest ballot, takes the chunk instead.
_SCAN_MAX_CELLS = 1 << 24

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
    with open(path, "rb") as f:
        if not f.seekable():  # a pipe: read it whole, as a malformed file would be re-read
            return _parse_whole(f.read(), path, allow_equal)
        return _read(f, os.fstat(f.fileno()).st_size, path, allow_equal, progress)


def parse_blt(data: bytes, *, path: str | None = None, allow_equal: bool = False) -> Profile:
    """Parse the bytes of a BLT file; ``path`` only names the file in error messages.

    See :func:`read_blt` for the format, the result and the errors.
    """
    return _read(io.BytesIO(data), len(data), path, allow_equal, None)


def _read(
    f: IO[bytes], total: int, path: str | None, allow_equal: bool, progress: Callable[[int, int], None] | None
) -> Profile:
    """Read a valid file as a stream of chunks; anything else again, whole, the careful way."""
    profile = _read_stream(f, total, path, progress)
    if profile is not None:
        return profile
    f.seek(0)
    return _parse_whole(f.read(), path, allow_equal)


def _parse_whole(data: bytes, path: str | None, allow_equal: bool) -> Profile:
    """Parse a whole file held in memory: fast as far as it is plainly valid, then line by line.

    This is the path of files the stream reader gives up on (malformed ones, and a few unusual
    layouts): it reports the first problem with its line and column.
    """
    if not data.strip():
        raise BallotFileError("empty file: expected a header line 'candidates seats'", path=path, line=1)
    if data.startswith(_BOM):
        data = data[3:]
    header = _parse_header(data, path)
    n = header.n_candidates
    start = _line_offset(data, header.next_line)
    parts, resume_at, names_at = _ballots_fast(data, start, n)
    if resume_at is not None:
        # Lines before ``resume_at`` were read and checked; the careful parser takes over there
        # and either reports the problem it finds or reads the rest.
        read = np.concatenate([np.empty(0, dtype=np.int64), *(w for _, w in parts)])
        if total_weight_within_bound(read):
            before = int(read.sum())  # no wrap within the bound
        else:  # the total passed the bound before the problem: report that, from the start
            parts, resume_at, before = [], start, 0
        slow_ranks, slow_weights, names_at = _ballots_slow(data, resume_at, n, path, allow_equal, before)
        parts.append((slow_ranks, slow_weights))
    ranks, weights = _concatenate(parts, n)
    if not total_weight_within_bound(weights):
        # The careful parser keeps the running total and names the line that passes the bound.
        _ballots_slow(data, start, n, path, allow_equal)
        raise AssertionError("the careful parser accepted ballots whose total is out of bounds")
    names, title = _parse_names(data[names_at:], data.count(b"\n", 0, names_at), n, path)
    ranks, grouped_weights = _group_if_repeated(ranks, weights, n)
    return Profile(names, ranks, grouped_weights, header.seats, title, header.withdrawn)


# ---------------------------------------------------------------------------------------------
# The stream reader: a valid file, read from disk a chunk at a time and parsed in threads


#: Bytes read first: the header and the line of withdrawn candidates must lie within them.
_HEAD_BYTES = 1 << 16
_BOM = b"\xef\xbb\xbf"
#: Chunks parsed at the same time: NumPy releases the GIL in its large operations, so two
#: threads parse a million ballots in 0.13 s instead of 0.23 s on two cores.
_WORKERS = max(1, min(2, os.cpu_count() or 1))


class _Block(NamedTuple):
    """A parsed chunk: its size in bytes, its rows, their keys sorted (or None), its lines."""

    size: int
    ranks: Codes
    weights: npt.NDArray[np.int64]
    keys: npt.NDArray[np.int64] | None
    newlines: int


def _parse_block(chunk: bytes, n: int, is_last: bool, keyed: bool) -> _Block | None:
    """A chunk of whole ballot lines parsed (in a worker thread), or None if not plainly valid."""
    if _bltscan is not None and _scan_capacity(chunk) * n <= _SCAN_MAX_CELLS:
        return _scan_block(chunk, n, is_last, keyed)
    if chunk.translate(None, b"0123456789 \t\r\n"):
        return None
    part = _parse_chunk(chunk, n, is_last=is_last, keyed=keyed)
    if part is None:
        return None
    ranks, weights, keys = part
    if keys is not None:
        # Sorted here, in parallel: the reader then only merges sorted runs to look for repeats.
        keys.sort()
    newlines = int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n")))
    return _Block(len(chunk), ranks, weights, keys, newlines)


def _scan_capacity(chunk: bytes) -> int:
    """The most ballot rows ``chunk`` could hold: the shortest line, "0 0", takes four bytes."""
    return len(chunk) // 4 + 2


def _scan_block(chunk: bytes, n: int, is_last: bool, keyed: bool) -> _Block | None:
    """:func:`_parse_block` by the C scanner: the same rows, weights and keys in one pass.

    The arrays have room for :func:`_scan_capacity` rows; pages past the rows written are never
    touched.
    """
    assert _bltscan is not None
    capacity = _scan_capacity(chunk)
    ranks = np.empty((capacity, n), dtype=code_dtype(n))
    weights = np.empty(capacity, dtype=np.int64)
    keys = np.empty(capacity, dtype=np.int64) if keyed else None
    scanned = _bltscan.scan(chunk, n, is_last, ranks, weights, keys)
    if scanned is None:
        return None
    rows, width, newlines, increasing = scanned
    if keys is not None:
        keys = keys[:rows]
        if not increasing:
            keys.sort()
    return _Block(len(chunk), ranks[:rows, : max(width, 1)], weights[:rows], keys, newlines)


def _read_stream(
    f: IO[bytes], total: int, path: str | None, progress: Callable[[int, int], None] | None
) -> Profile | None:
    """Read a plainly valid file chunk by chunk; None as soon as anything needs a closer look.

    The file is never held whole in memory: chunks of about ``_CHUNK_BYTES`` (cut after a line
    break, the last complete line held back for the next chunk so that the line "0" ending the
    ballots always lands in the last one) are parsed by ``_WORKERS`` threads, in order, and their
    rows appended to a :class:`_Table` grown in place. Only the names are read whole.
    """
    head = f.read(_HEAD_BYTES)
    done = len(head)
    if progress is not None:
        progress(done, total)
    if head.startswith(_BOM):
        head = head[3:]
    # The whole-file path reports an empty file, or a header the head does not hold whole.
    if not head.strip() or (head.count(b"\n") < 2 and done < total):
        return None
    header = _parse_header(head, path)
    n = header.n_candidates
    start = _line_offset(head, header.next_line)
    newlines = header.next_line
    keyed = _keys_fit(n, n)
    table = _Table(n, total, keyed)
    pending = head[start:]
    in_flight: deque[_Task] = deque()
    threaded = total > 2 * _CHUNK_BYTES and _WORKERS > 1
    tail = b""

    def submit(chunk: bytes, is_last: bool) -> None:
        in_flight.append(_Task(chunk, n, is_last, keyed, threaded))

    def collect(keep: int) -> bool:
        nonlocal newlines
        while len(in_flight) > keep:
            block = in_flight.popleft().result()
            if block is None:
                return False
            table.append(block)
            newlines += block.newlines
        return True

    try:
        sent = False
        while True:
            quote = pending.find(b'"')
            if quote >= 0:
                # The ballots end where the names begin, on the quote's line.
                names_at = pending.rfind(b"\n", 0, quote) + 1
                section, tail = pending[:quote], pending[names_at:]
                while len(section) > _CHUNK_BYTES:
                    cut = section.find(b"\n", _CHUNK_BYTES)
                    if cut < 0:
                        break
                    submit(section[: cut + 1], False)
                    section = section[cut + 1 :]
                if not section and not sent:
                    return None
                submit(section, True)
                break
            more = f.read(_CHUNK_BYTES)
            if not more:
                return None  # no names: the careful path says what is missing
            done += len(more)
            if progress is not None:
                progress(done, total)
            pending += more
            if len(pending) > _CHUNK_BYTES:
                # Hold the last complete line back: it may be the "0" ending the ballots.
                last = pending.rfind(b"\n")
                cut = pending.rfind(b"\n", 0, last) if last >= 0 else -1
                if cut >= 0:
                    submit(pending[: cut + 1], False)
                    sent = True
                    pending = pending[cut + 1 :]
            # At most _WORKERS chunks are parsed at once (one thread each).
            if not collect(_WORKERS - 1):
                return None
        if not collect(0):
            return None
    finally:
        for task in in_flight:
            task.wait()
    rest = f.read()
    if progress is not None and rest:
        progress(done + len(rest), total)
    names, title = _parse_names(tail + rest, newlines, n, path)
    ranks, weights, runs = table.finish()
    if not total_weight_within_bound(weights):
        return None  # the careful path names the line where the total passes the bound
    ranks, grouped_weights = _group_if_repeated(ranks, weights, n, runs)
    return Profile(names, ranks, grouped_weights, header.seats, title, header.withdrawn)


def _narrow(flat: Codes, rows: int, n: int, width: int) -> None:
    """Rewrite ``rows`` rows of ``n`` codes held in ``flat`` as rows of ``width``, in place.

    A block of rows at a time, front to back: a block's new place never reaches past its old
    one, so nothing is overwritten before it is read (NumPy copies a block that overlaps).
    """
    step = max(1, _CHUNK_BYTES // n)
    for begin in range(0, rows, step):
        end = min(rows, begin + step)
        flat[begin * width : end * width] = flat[begin * n : end * n].reshape(-1, n)[:, :width].reshape(-1)


class _Task:
    """A chunk parsed in a thread of its own, or at once when not ``threaded``.

    A thread per chunk (a few dozen a second) costs less than importing ``concurrent.futures``
    (which imports ``logging``) at start-up.
    """

    def __init__(self, chunk: bytes, n: int, is_last: bool, keyed: bool, threaded: bool) -> None:
        self._block: _Block | None = None
        self._error: BaseException | None = None
        self._thread = None
        if threaded:
            import threading

            self._thread = threading.Thread(target=self._run, args=(chunk, n, is_last, keyed), daemon=True)
            self._thread.start()
        else:
            self._run(chunk, n, is_last, keyed)

    def _run(self, chunk: bytes, n: int, is_last: bool, keyed: bool) -> None:
        try:
            self._block = _parse_block(chunk, n, is_last, keyed)
        except BaseException as exc:  # handed to the reading thread by result()
            self._error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def result(self) -> _Block | None:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._block


class _Table:
    """Rows appended in file order to arrays that grow in place.

    The ranks are ``n`` columns wide (no valid ballot is wider) until :meth:`finish` narrows
    them, in place, to the widest ballot. Growing and shrinking use ``ndarray.resize``, a
    ``realloc`` that moves pages rather than copying them, so that reading holds the ballots
    once (plus a tenth of slack) instead of once in chunks and again concatenated.
    """

    def __init__(self, n: int, total_bytes: int, keyed: bool) -> None:
        self.n = n
        self.total_bytes = total_bytes
        self.keyed = keyed
        self.rows = 0
        self.width = 0
        self.ranks: Codes = np.empty((0, n), dtype=code_dtype(n))
        self.weights = np.empty(0, dtype=np.int64)
        self.keys = np.empty(0, dtype=np.int64)

    def _reserve(self, rows: int, chunk_bytes: int) -> None:
        capacity = self.weights.shape[0]
        if rows <= capacity:
            return
        if capacity == 0:
            # A first estimate from the first chunk's bytes per ballot, with a tenth to spare.
            per_row = max(chunk_bytes, 1) / max(rows, 1)
            estimate = int(self.total_bytes / per_row * 1.1) + 16
        else:
            estimate = int(capacity * 1.25)
        capacity = max(rows, estimate)
        if not self.rows:
            # Fresh arrays are not written until filled, so the slack costs no memory pages.
            self.ranks = np.empty((capacity, self.n), dtype=self.ranks.dtype)
            self.weights = np.empty(capacity, dtype=np.int64)
            self.keys = np.empty(capacity if self.keyed else 0, dtype=np.int64)
            return
        # (``resize`` fills the new rows with zeros: they are overwritten as they fill.)
        self.ranks.resize((capacity, self.n), refcheck=False)
        self.weights.resize(capacity, refcheck=False)
        if self.keyed:
            self.keys.resize(capacity, refcheck=False)

    def append(self, block: _Block) -> None:
        ranks, weights, keys = block.ranks, block.weights, block.keys
        count, width = ranks.shape
        start, stop = self.rows, self.rows + count
        self._reserve(stop, block.size)
        if width == self.n:
            self.ranks[start:stop] = ranks
        else:
            self.ranks[start:stop, :width] = ranks
            self.ranks[start:stop, width:] = NO_CANDIDATE
        self.weights[start:stop] = weights
        if self.keyed and keys is not None:
            self.keys[start:stop] = keys
        self.rows = stop
        self.width = max(self.width, width)

    def finish(self) -> tuple[Codes, npt.NDArray[np.int64], npt.NDArray[np.int64] | None]:
        rows, width, n = self.rows, max(self.width, 1), self.n
        ranks = self.ranks
        if width < n and rows:
            _narrow(ranks.reshape(-1), rows, n, width)
        ranks.resize((rows * width,), refcheck=False)
        self.weights.resize(rows, refcheck=False)
        keys = None
        if self.keyed:
            self.keys.resize(rows, refcheck=False)
            keys = self.keys
        return ranks.reshape(rows, width), self.weights, keys


def _concatenate(
    parts: list[tuple[Codes, npt.NDArray[np.int64]]], n: int
) -> tuple[Codes, npt.NDArray[np.int64]]:
    """Stack blocks of rows of different widths, padding with NO_CANDIDATE."""
    if len(parts) == 1:
        return parts[0]
    width = max([1, *(r.shape[1] for r, _ in parts)])
    ranks = np.full((sum(r.shape[0] for r, _ in parts), width), NO_CANDIDATE, dtype=code_dtype(n))
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
        parts.append(part[:2])
        begin = end
    if begin == start:
        return parts, start, stop
    # The names start on the quote's line (the parser of names reports anything before it).
    return parts, None, data.rfind(b"\n", 0, quote) + 1


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


def _keys_fit(width: int, n: int) -> bool:
    """Whether rows of ``width`` codes pack into one int64 key (base ``n + 1`` digits)."""
    return bool(width * np.log2(n + 1) < 62)


def _row_keys(ranks: Codes, n: int, digits: int) -> npt.NDArray[np.int64]:
    """Each row packed into an int64: ``digits`` base ``n + 1`` digits (code + 1), most significant first.

    Keys sort like the rows do, and equal keys are equal rows. Rows narrower than ``digits`` count
    as padded with NO_CANDIDATE (digit 0), so keys of blocks of different widths compare.
    """
    rows, width = ranks.shape
    base = n + 1
    keys = np.zeros(rows, dtype=np.int64)
    for j in range(width):
        keys *= base
        keys += ranks[:, j].astype(np.int64) + 1
    if width < digits:
        keys *= base ** (digits - width)
    return keys


def _group_if_repeated(
    ranks: Codes, weights: npt.NDArray[np.int64], n: int, runs: npt.NDArray[np.int64] | None = None
) -> tuple[Codes, Weights]:
    """Merge identical ballots when the file repeats one; leave distinct ballots in file order.

    Each row is packed into one int64 key (see :func:`_row_keys`) when it fits: sorting 760,000
    keys is much faster than sorting rows. The stream reader gives ``runs``: the keys of each
    chunk, sorted in its threads, one chunk after another, which a stable sort (a merge of the
    runs) orders 3x faster than keys in file order. Keys already strictly increasing (a file
    written from a grouped profile) need no sort at all.
    """
    rows, width = ranks.shape
    if rows < 2:
        return ranks, weights
    if runs is None:
        if not _keys_fit(width, n):
            grouped, summed = group_rows(ranks, weights)
            return grouped.astype(ranks.dtype, copy=False), summed
        keys = _row_keys(ranks, n, width)
        if (keys[1:] > keys[:-1]).all():
            return ranks, weights
        ordered = np.sort(keys)
    else:
        if (runs[1:] > runs[:-1]).all():
            return ranks, weights
        ordered = np.sort(runs, kind="stable")
        keys = None
    if not (ordered[1:] == ordered[:-1]).any():
        return ranks, weights
    del ordered
    if keys is None:
        keys = _row_keys(ranks, n, n)
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
