"""Exports: one writer for every table Councils hands out as CSV or JSON.

A :class:`Table` is a list of columns, rows given lazily (any iterable of mappings, e.g. a
generator over ``QuerySet.iterator()``) and, for JSON only, a ``meta`` mapping written before
the rows. The writers stream: they read one row at a time, so an export of the whole audit log
never sits in memory::

    from councils.exports import Table, export_filename, export_response

    table = Table(
        columns=("deputy", "faction"),
        rows=({"deputy": s.holder.name, "faction": s.faction.name} for s in seats),
        meta={"council": council.slug},
    )
    return export_response(table, fmt="csv", filename=export_filename(org.slug, "deputies", day, "csv"))

**CSV** (``text/csv; charset=utf-8``): a UTF-8 byte order mark (so that spreadsheets read Russian
names right), one header line of the column keys, then one line per row, ``\\r\\n`` line ends.
Cells: ``None`` is empty, booleans are ``true``/``false``, dates and times ISO 8601, lists joined
with ``"; "``, mappings as JSON. A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a single quote in front (:func:`neutralize`), so a spreadsheet shows it
rather than running it as a formula. Numbers are written as numbers (a negative transfer stays
``-12.5``): Councils computes them, no one typed them.

**JSON** (``application/json``): one object, ``meta``'s keys first, then ``rows_key`` (default
``"rows"``) holding every row as an object; a row may carry more (nested) keys than the CSV's
columns. Decimals are written as strings (no precision lost), dates and times ISO 8601.

This module imports no Django at load time (``councils count`` uses it without a database);
:func:`export_response` imports Django's response class when called.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from django.http import StreamingHttpResponse

    from councils.counting.result import CountResult

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Format",
    "Table",
    "cell",
    "csv_chunks",
    "export_filename",
    "export_response",
    "json_chunks",
    "neutralize",
    "stage_table",
    "table_chunks",
]

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
CONTENT_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "json": "application/json"}

#: What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows written per chunk sent: fewer, larger writes, and still little memory.
ROWS_PER_CHUNK = 500
BOM = "\ufeff"


@dataclass(frozen=True)
class Table:
    """What an export holds: ``columns`` (CSV header and order), ``rows`` (mappings, read once,
    lazily) and ``meta`` (written at the top of the JSON object only)."""

    columns: Sequence[str]
    rows: Iterable[Mapping[str, Any]]
    meta: Mapping[str, Any] = field(default_factory=dict)
    rows_key: str = "rows"


def neutralize(text: str) -> str:
    """``text`` with a single quote in front if a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str:
    """One CSV cell: formatted as the module describes, text neutralized."""
    # Text and whole numbers first: nearly every cell is one of them (ABC checks cost more).
    kind = type(value)
    if kind is str:
        return neutralize(value)
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return neutralize(json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True))
    if isinstance(value, list | tuple | set | frozenset):
        return neutralize("; ".join(_plain(v) for v in value))
    return neutralize(str(value))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a few hundred rows per chunk, header first (with the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(c) for c in table.columns])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for written, row in enumerate(table.rows, start=1):
        writer.writerow([cell(row.get(column)) for column in table.columns])
        if written % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not exportable as JSON")


def _dump(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False)


def json_chunks(table: Table) -> Iterator[str]:
    """The table as one JSON object: ``meta``'s keys, then the rows under ``rows_key``."""
    head = [
        f"{_dump(str(key))}: {_dump(value)}" for key, value in table.meta.items() if key != table.rows_key
    ]
    yield "{" + "".join(part + ", " for part in head) + _dump(table.rows_key) + ": ["
    parts: list[str] = []
    first = True
    for row in table.rows:
        parts.append(("" if first else ",") + "\n" + _dump(dict(row)))
        first = False
        if len(parts) >= ROWS_PER_CHUNK:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


def table_chunks(table: Table, fmt: str) -> Iterator[str]:
    """The table in ``fmt`` (``csv`` or ``json``); ``ValueError`` for another format."""
    if fmt == "csv":
        return csv_chunks(table)
    if fmt == "json":
        return json_chunks(table)
    raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_filename(*parts: str | date | None, fmt: str) -> str:
    """A file name from its parts (an organization's slug, what, a date...), e.g.
    ``soviets-1917_composition_petrograd_1917-04-15.csv``: safe for any file system and header."""
    words = []
    for part in parts:
        if part is None or part == "":
            continue
        text = part.isoformat() if isinstance(part, date) else str(part)
        words.append(_UNSAFE.sub("-", text).strip("-") or "export")
    return "_".join(words or ["export"]) + "." + fmt


def export_response(table: Table, *, fmt: str, filename: str) -> StreamingHttpResponse:
    """A streaming HTTP answer with the table in ``fmt``, offered as a download named ``filename``."""
    from django.http import StreamingHttpResponse

    chunks = table_chunks(table, fmt)
    response = StreamingHttpResponse((chunk.encode() for chunk in chunks), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A record of a past moment as much as of now: let no shared cache keep one member's export.
    response["Cache-Control"] = "private, no-store"
    return response


def stage_table(result: CountResult, *, title: str = "") -> Table:
    """The stage table of a count (``councils count``, a poll's count): a row per candidate, then
    the exhausted and lost-to-rounding rows and the quota, a column per stage (``stage_1``...),
    and the stage at which each candidate was elected or excluded.

    The JSON's ``meta`` holds the method, seats, winners, quota, seed, ties and what each stage
    did, so the JSON export alone explains the count.
    """
    stages = result.stages
    columns = ["row", *(f"stage_{s.number}" for s in stages), "elected_at_stage", "excluded_at_stage"]

    def rows() -> Iterator[dict[str, Any]]:
        for name in result.candidates:
            if not any(name in s.votes for s in stages):
                continue
            row: dict[str, Any] = {"row": name, "kind": "candidate"}
            for s in stages:
                row[f"stage_{s.number}"] = s.votes.get(name)
                if name in s.elected:
                    row["elected_at_stage"] = s.number
                if name in s.excluded:
                    row["excluded_at_stage"] = s.number
            yield row
        yield {"row": "Exhausted", "kind": "exhausted", **{f"stage_{s.number}": s.exhausted for s in stages}}
        if any(s.lost_to_rounding for s in stages):
            yield {
                "row": "Lost to rounding",
                "kind": "lost_to_rounding",
                **{f"stage_{s.number}": s.lost_to_rounding for s in stages},
            }
        if any(s.quota is not None for s in stages):
            yield {"row": "Quota", "kind": "quota", **{f"stage_{s.number}": s.quota for s in stages}}

    summary = result.to_dict()
    meta = {
        "title": title,
        **{key: value for key, value in summary.items() if key != "stages"},
        "stages": [
            {
                "number": s.number,
                "action": s.action,
                "note": s.note,
                "elected": list(s.elected),
                "excluded": list(s.excluded),
            }
            for s in stages
        ],
    }
    return Table(columns=columns, rows=rows(), meta=meta)
