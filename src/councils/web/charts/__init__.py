"""Geometry of the SVG charts: the hemicycle of a council and its seats over time.

Pure functions over numbers, labels and colours: nothing here reads a model. The hemicycle is in
``hemicycles``, the seats over time in ``timeline``, the formatting of numbers in ``svg``; this
package's names are the ones the pages and tests use. The pages pass the
results to ``web/hemicycle.svg`` and ``web/seats_over_time.svg``. Every coordinate reaches a
template as a string formatted here with ``.3f`` (as healthchecks' badges do), so a locale with a
decimal comma (``de``, ``pt-br``) still writes ``8.5`` and never ``8,5`` inside an SVG attribute.
"""

from __future__ import annotations

from councils.web.charts.hemicycles import (
    VACANT_COLOUR,
    Dot,
    Group,
    Hemicycle,
    MajorityLine,
    hemicycle,
    hemicycle_chart,
    majority_line,
    row_capacities,
    rows_for,
)
from councils.web.charts.svg import _n as _n
from councils.web.charts.timeline import (
    BREAK_MIN,
    BREAK_SHARE,
    BREAK_WIDTH,
    TICK_CHAR_WIDTH,
    AxisBreak,
    Series,
    StepChart,
    Tick,
    seats_over_time,
)

__all__ = [
    "BREAK_MIN",
    "BREAK_SHARE",
    "BREAK_WIDTH",
    "TICK_CHAR_WIDTH",
    "VACANT_COLOUR",
    "AxisBreak",
    "Dot",
    "Group",
    "Hemicycle",
    "MajorityLine",
    "Series",
    "StepChart",
    "Tick",
    "hemicycle",
    "hemicycle_chart",
    "majority_line",
    "row_capacities",
    "rows_for",
    "seats_over_time",
]
