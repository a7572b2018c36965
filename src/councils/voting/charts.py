"""Geometry of a poll's pictures: result bars, and the stages of a count with their transfers.

Pure functions over names and numbers, as ``councils.web.charts``: coordinates reach the SVG
templates as strings with a dot for the decimal point, whatever the locale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from councils.web.charts import _n

ELECTED_COLOUR = "#1f7a3a"
EXCLUDED_COLOUR = "#9a9a9a"
BAR_COLOUR = "#2c5d8f"
QUOTA_COLOUR = "#b03a2e"


def number(value: object) -> Decimal:
    """A count from a result's JSON (strings keep their decimals)."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def shown(value: Decimal) -> str:
    """A count for people: whole numbers bare, others to two decimals."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.2f}"


def signed(value: Decimal) -> str:
    """A transfer for people: ``+3``, ``-2.50``, or nothing for none."""
    if not value:
        return ""
    return ("+" if value > 0 else "") + shown(value)


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: str
    width: str
    text_y: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    quota_x: str | None
    title: str


def bar_chart(
    votes: Mapping[str, object],
    *,
    elected: Sequence[str] = (),
    excluded: Sequence[str] = (),
    quota: object | None = None,
    title: str = "",
) -> BarChart:
    """Horizontal bars, one per option, longest first order kept as given; a quota line if any."""
    label_width, bar_space, row = 150, 300, 26
    values = {name: number(v) for name, v in votes.items()}
    top = max([*values.values(), number(quota) if quota is not None else Decimal(0), Decimal(1)])
    bars = []
    for i, (name, value) in enumerate(values.items()):
        colour = ELECTED_COLOUR if name in elected else EXCLUDED_COLOUR if name in excluded else BAR_COLOUR
        width = float(value / top) * bar_space
        bars.append(
            Bar(
                label=name,
                value=shown(value),
                y=_n(i * row + 4),
                width=_n(max(width, 0.0)),
                text_y=_n(i * row + 18),
                colour=colour,
            )
        )
    quota_x = None
    if quota is not None and number(quota) > 0:
        quota_x = _n(label_width + float(number(quota) / top) * bar_space)
    return BarChart(
        width=label_width + bar_space + 70,
        height=max(row * len(bars) + 8, 30),
        label_width=label_width,
        bars=tuple(bars),
        quota_x=quota_x,
        title=title,
    )


@dataclass(frozen=True)
class Cell:
    x: str
    y: str
    width: str
    colour: str
    value: str
    transfer: str
    text_x: str
    text_y: str


@dataclass(frozen=True)
class StageColumn:
    number: int
    x: str
    header_x: str
    action: str


@dataclass(frozen=True)
class StagesChart:
    """A grid: a row per candidate, a column per stage; each cell a bar as long as the candidate's
    votes then, green once elected, grey once excluded, with the transfer into it written beside."""

    width: int
    height: int
    columns: tuple[StageColumn, ...]
    rows: tuple[tuple[str, str], ...]  # (name, y of its label)
    cells: tuple[Cell, ...]


def stages_chart(candidates: Sequence[str], stages: Sequence[Mapping[str, Any]]) -> StagesChart:
    """The picture of a count's stages and the transfers between them (a table says the same)."""
    label_width, column, row, header = 110, 150, 24, 30
    top = Decimal(1)
    for stage in stages:
        for v in dict(stage.get("votes", {}) or {}).values():
            top = max(top, number(v))
    columns = []
    cells = []
    elected_by: dict[str, int] = {}
    excluded_by: dict[str, int] = {}
    for s, stage in enumerate(stages):
        for name in stage.get("elected", []) or []:
            elected_by.setdefault(str(name), s)
        for name in stage.get("excluded", []) or []:
            excluded_by.setdefault(str(name), s)
    for s, stage in enumerate(stages):
        x0 = label_width + s * column
        columns.append(
            StageColumn(
                number=int(str(stage.get("number", s + 1))),
                x=_n(x0),
                header_x=_n(x0 + 4),
                action=str(stage.get("action", "")),
            )
        )
        votes = dict(stage.get("votes", {}) or {})
        transfers = dict(stage.get("transfers", {}) or {})
        for c, name in enumerate(candidates):
            value = number(votes.get(name, 0))
            moved = number(transfers.get(name, 0))
            colour = BAR_COLOUR
            if name in elected_by and elected_by[name] <= s:
                colour = ELECTED_COLOUR
            elif name in excluded_by and excluded_by[name] <= s:
                colour = EXCLUDED_COLOUR
            y = header + c * row
            cells.append(
                Cell(
                    x=_n(x0 + 2),
                    y=_n(y + 4),
                    width=_n(float(value / top) * 56),
                    colour=colour,
                    value=shown(value),
                    transfer=signed(moved),
                    text_x=_n(x0 + 62),
                    text_y=_n(y + 16),
                )
            )
    rows = tuple((name, _n(header + c * row + 16)) for c, name in enumerate(candidates))
    return StagesChart(
        width=label_width + column * max(len(stages), 1) + 10,
        height=header + row * len(candidates) + 6,
        columns=tuple(columns),
        rows=rows,
        cells=tuple(cells),
    )
