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

This module holds the readers and the fast path; private modules beside it hold the text around
the ballots (``_blt_text``: header, names, lines), the ballot lines' parsers (``_blt_rows``), the
arrays rows are gathered in (``_blt_table``) and the writer (``_blt_write``).
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable
from typing import IO

import numpy as np
import numpy.typing as npt

from councils.counting._blt_rows import _ballots_slow, _parse_chunk
from councils.counting._blt_table import _Block, _concatenate, _group_if_repeated, _keys_fit, _Table
from councils.counting._blt_text import Codes, _line_offset, _parse_header, _parse_names
from councils.counting._blt_write import write_blt
from councils.counting.errors import BallotFileError
from councils.counting.profile import Profile, code_dtype, total_weight_within_bound

try:  # the C fast path, built when the package was installed with a C compiler (setup.py)
    from councils.counting import _bltscan
except ImportError:  # pragma: no cover - the NumPy parser does the same work
    _bltscan = None  # type: ignore[assignment]

__all__ = ["parse_blt", "read_blt", "write_blt"]

#: The fast reader parses about this many bytes at a time (a size that stays in cache).
_CHUNK_BYTES = 1 << 20
#: The C scanner writes rows as wide as the candidates are many, with room for the most rows a
#: chunk could hold; above this many cells (a megabyte chunk of a count of over 64 candidates)
#: the NumPy parser, whose rows are only as wide as the longest ballot, takes the chunk instead.
_SCAN_MAX_CELLS = 1 << 24


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
