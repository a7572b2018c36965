"""``councils count`` and ``councils apportion``: the counting library's command line.

Imports nothing from Django, and each command and method only the modules it needs, so it
starts fast and runs where only NumPy is installed::

    councils count ward.blt --method scottish-stv [--seats 3] [--seed 7] [--json | --csv]
    councils apportion regions.csv --seats 100 --method sainte-lague [--threshold 0.05] [--json]

Errors in the input (a malformed ballot file, an unknown method, more seats than candidates)
print ``councils: error: <message>`` on stderr and exit with status 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from councils.counting.errors import BallotFileError, CountingError
from councils.counting.profile import Profile
from councils.counting.result import CountResult

__all__ = ["main"]

#: Apportionment methods offered (the apportionment module checks them again).
APPORTION_METHODS = ("dhondt", "sainte-lague", "modified-sainte-lague", "hare", "droop", "huntington-hill")
#: Files above this size get a progress bar while read (when stderr is a terminal).
_PROGRESS_BYTES = 8 << 20
_BAR_WIDTH = 30


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``count`` or ``apportion`` with ``argv`` (without the program name); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse has printed its usage message already
        return int(exc.code) if isinstance(exc.code, int) else 2
    try:
        if args.command == "count":
            return _count(args)
        return _apportion(args)
    except (CountingError, OSError) as exc:
        print(f"councils: error: {_describe(exc)}", file=sys.stderr)
        return 2


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="councils", description="Count ballots and apportion seats.")
    sub = parser.add_subparsers(dest="command", required=True)
    count = sub.add_parser(
        "count",
        help="count a ballot file",
        description="Count a BLT ballot file (or a CSV of ranked ballots, by the .csv extension).",
    )
    count.add_argument("file", help="the ballot file (.blt, or .csv)")
    count.add_argument(
        "--method",
        required=True,
        help="plurality, block, approval, irv, scottish-stv, ers97, meek-stv, schulze",
    )
    count.add_argument("--seats", type=int, default=None, help="seats to fill (default: the file's)")
    count.add_argument(
        "--seed", type=int, default=None, help="seed for any lot drawn (default: random, recorded)"
    )
    output = count.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the result as one JSON object")
    output.add_argument(
        "--csv",
        action="store_true",
        help="print the stage table as CSV (a row per candidate, a column per stage; for a spreadsheet)",
    )
    apportion = sub.add_parser(
        "apportion",
        help="apportion seats by size",
        description="Apportion seats among the rows of a CSV 'name,votes' (or 'name,population').",
    )
    apportion.add_argument("file", help="CSV of name,size rows, after an optional header row")
    apportion.add_argument("--seats", type=int, required=True, help="seats to apportion")
    apportion.add_argument("--method", required=True, help=", ".join(APPORTION_METHODS))
    apportion.add_argument(
        "--threshold", type=float, default=0.0, help="share of the total needed (0.05 = 5%%)"
    )
    apportion.add_argument("--min-seats", type=int, default=0, help="seats every unit gets whatever its size")
    apportion.add_argument("--seed", type=int, default=None, help="seed for any lot drawn")
    apportion.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


# ---------------------------------------------------------------------------------------------
# count


def _count(args: argparse.Namespace) -> int:
    from councils.counting.methods import get_method

    _keep_freed_memory()
    method = get_method(args.method)
    profile = _read_profile(args.file, args.seats)
    result = method(profile, seats=args.seats, seed=args.seed)
    if args.json:
        import json

        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv:
        # The project's export writer (no Django): the same cells, neutralized, as the pages' exports.
        from councils.exports import csv_chunks, stage_table

        for chunk in csv_chunks(stage_table(result, title=profile.title)):
            sys.stdout.write(chunk)
    else:
        sys.stdout.write(format_result(result, title=profile.title))
    return 0


def _keep_freed_memory() -> None:
    """Let the C allocator keep freed blocks for reuse while counting (glibc; elsewhere a no-op).

    Reading and counting allocate and free many arrays of a few megabytes. By default glibc
    hands such blocks back to the system and maps them again, a page fault per 4 KB each time:
    about 90,000 faults, a fifth of the time of ``councils count`` on a million ballots (0.47 s
    -> 0.37 s; 3.5 s -> 2.2 s on ten million). Blocks below 32 MB are now kept for reuse, and up
    to 256 MB of free memory at the top of the heap, which raises the peak resident memory a
    little (400 MB -> 450 MB on ten million ballots). This tunes the whole process, so only the
    ``count`` command does it.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 256 << 20)


def _read_profile(path: str, seats: int | None) -> Profile:
    if path.lower().endswith(".csv"):
        from councils.counting.csv_ballots import read_csv_ballots

        return read_csv_ballots(path, seats=seats or 1)
    from councils.counting.blt import read_blt

    progress = _progress_bar(sys.stderr, "reading") if _wants_progress(path) else None
    try:
        return read_blt(path, progress=progress)
    finally:
        if progress is not None:
            sys.stderr.write("\r" + " " * (_BAR_WIDTH + 30) + "\r")
            sys.stderr.flush()


def _wants_progress(path: str) -> bool:
    try:
        return sys.stderr.isatty() and os.path.getsize(path) >= _PROGRESS_BYTES
    except OSError:
        return False


def _progress_bar(stream: IO[str], label: str) -> Callable[[int, int], None]:
    """A callback drawing ``label [#####.....]  42%`` on ``stream``, redrawn in place."""

    def draw(done: int, total: int) -> None:
        share = 1.0 if total <= 0 else min(1.0, done / total)
        filled = int(share * _BAR_WIDTH)
        stream.write(f"\r{label} [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {share:4.0%}")
        stream.flush()

    return draw


def format_result(result: CountResult, *, title: str = "") -> str:
    """A stage table for a returning officer: a column per stage, a row per candidate.

    Below the candidates come the exhausted and lost-to-rounding rows and the quota, then what
    each stage did, who was elected and any tie, with the seed of the lot when one was drawn.
    """
    stages = result.stages
    names = [c for c in result.candidates if any(c in s.votes for s in stages)]
    label_rows: list[tuple[str, list[str]]] = []
    for name in names:
        cells = []
        for s in stages:
            value = s.votes.get(name)
            mark = " E" if name in s.elected else (" X" if name in s.excluded else "")
            cells.append("" if value is None else _number(value) + mark)
        label_rows.append((name, cells))
    label_rows.append(("Exhausted", [_number(s.exhausted) for s in stages]))
    if any(s.lost_to_rounding for s in stages):
        label_rows.append(("Lost to rounding", [_number(s.lost_to_rounding) for s in stages]))
    if any(s.quota is not None for s in stages):
        label_rows.append(("Quota", ["" if s.quota is None else _number(s.quota) for s in stages]))
    header = ["Stage", *[str(s.number) for s in stages]]
    label_width = max(len(header[0]), *(len(label) for label, _ in label_rows))
    widths = [
        max(len(header[i + 1]), *(len(cells[i]) for _, cells in label_rows)) for i in range(len(stages))
    ]
    out = io.StringIO()
    heading = f"{title} - " if title else ""
    out.write(f"{heading}method {result.method}, {result.seats} seat{'s' if result.seats != 1 else ''}\n\n")

    def line(label: str, cells: Sequence[str]) -> None:
        parts = [label.ljust(label_width), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]
        out.write("  ".join(parts).rstrip() + "\n")

    line(header[0], header[1:])
    line("-" * label_width, ["-" * w for w in widths])
    for i, (label, cells) in enumerate(label_rows):
        if i == len(names):
            line("-" * label_width, ["-" * w for w in widths])
        line(label, cells)
    out.write("\nE: elected at this stage, X: excluded at this stage\n")
    for s in stages:
        note = f" ({s.note})" if s.note else ""
        out.write(f"Stage {s.number}: {s.action}{note}\n")
    out.write(f"\nElected: {', '.join(result.elected) if result.elected else '(none)'}\n")
    for s in stages:
        for tie in s.ties:
            out.write(
                f"Tie at stage {s.number} between {', '.join(tie.tied)} ({tie.purpose}): "
                f"{tie.chosen} chosen by {tie.rule}; {tie.detail}\n"
            )
    if result.seed is not None and any(t.rule == "lot" for t in result.ties):
        out.write(f"Lots drawn with seed {result.seed} (give --seed {result.seed} to repeat them)\n")
    return out.getvalue()


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,f}"


# ---------------------------------------------------------------------------------------------
# apportion


def _apportion(args: argparse.Namespace) -> int:
    from councils.counting.apportionment import apportion

    sizes = read_sizes(args.file)
    result = apportion(
        sizes, args.seats, args.method, threshold=args.threshold, min_seats=args.min_seats, seed=args.seed
    )
    if args.json:
        import json

        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    name_width = max(4, *(len(n) for n in sizes))
    size_width = max(4, *(len(_size(v)) for v in sizes.values()))
    out = sys.stdout
    out.write(f"method {result.method}, {args.seats} seats\n\n")
    out.write(f"{'Name'.ljust(name_width)}  {'Size'.rjust(size_width)}  Seats\n")
    for name, size in sizes.items():
        out.write(f"{name.ljust(name_width)}  {_size(size).rjust(size_width)}  {result.seats[name]:5d}\n")
    out.write(f"{'Total'.ljust(name_width)}  {''.rjust(size_width)}  {sum(result.seats.values()):5d}\n")
    for tie in result.ties:
        out.write(f"Tie: {tie.detail}\n")
    return 0


def _size(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,g}"


def read_sizes(path: str | os.PathLike[str]) -> dict[str, int | float]:
    """Read a CSV of ``name,votes`` (or ``name,population``) rows after an optional header.

    The first row is a header when its second cell is not a number (``name,votes``); a first row
    such as ``Putilov Works,12000`` is data, and is counted.

    Raises
    ------
    BallotFileError
        On a missing header, a row without exactly two fields, an empty or repeated name, or a
        size that is not a non-negative number; the message names the line and column.
    """
    import csv

    name = os.fspath(path)
    text = Path(name).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise BallotFileError("empty file: expected a header row 'name,votes'", path=name, line=1)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    if len(header) != 2:
        raise BallotFileError(
            f"header must have two columns (name and votes or population), found {len(header)}",
            path=name,
            line=1,
        )
    rows: Iterable[tuple[int, list[str]]] = ((reader.line_num, row) for row in reader)
    if _is_number(header[1]):
        # A first row whose size is a number is a row of data, not a header: it is counted.
        rows = itertools.chain([(1, header)], rows)
    sizes: dict[str, int | float] = {}
    for line, row in rows:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise BallotFileError(f"expected 2 fields (name, size), found {len(row)}", path=name, line=line)
        unit, raw = row[0].strip(), row[1].strip()
        if not unit:
            raise BallotFileError("empty name", path=name, line=line, column=1)
        if unit in sizes:
            raise BallotFileError(f"name {unit!r} appears twice", path=name, line=line, column=1)
        sizes[unit] = _parse_size(raw, name, line)
    if not sizes:
        raise BallotFileError("no rows after the header", path=name, line=2)
    return sizes


def _is_number(raw: str) -> bool:
    try:
        float(raw.replace("_", "").replace(" ", ""))
    except ValueError:
        return False
    return True


def _parse_size(raw: str, path: str, line: int) -> int | float:
    cleaned = raw.replace("_", "").replace(" ", "")
    try:
        value: Any = int(cleaned)
    except ValueError:
        try:
            value = float(cleaned)
        except ValueError:
            raise BallotFileError(
                f"size must be a number, got {raw!r}", path=path, line=line, column=2
            ) from None
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        raise BallotFileError(
            f"size must be a non-negative number, got {raw!r}", path=path, line=line, column=2
        )
    return value  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
