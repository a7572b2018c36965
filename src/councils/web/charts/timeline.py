"""Geometry of the seats-over-time chart: one step line per faction, with long stretches without
change drawn narrow behind a break in the time axis (see :mod:`councils.web.charts`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from councils.web.charts.svg import _n


@dataclass(frozen=True)
class Series:
    """One faction's line in the seats-over-time chart: an SVG path, its colour and label."""

    key: Hashable
    label: str
    colour: str
    d: str


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (``position`` as a string for the template), and how its
    text is anchored there (``start``, ``middle`` or ``end``)."""

    position: str
    label: str
    anchor: str = "middle"


@dataclass(frozen=True)
class AxisBreak:
    """A stretch of time without change, drawn narrow: where its mark stands on the x axis, and
    the moments it leaves out (for the text equivalent)."""

    x: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class StepChart:
    """What ``web/seats_over_time.svg`` needs."""

    series: list[Series]
    width: str
    height: str
    left: str
    right: str
    top: str
    bottom: str
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    breaks: list[AxisBreak] = field(default_factory=list)


#: A faction's key in the seats-over-time chart (the page uses faction ids, None for independents).
K = TypeVar("K", bound=Hashable)

#: A stretch without change is drawn narrow (the axis is broken there) when it lasts longer than
#: this and takes more than ``BREAK_SHARE`` of the time shown: a history of 1917 followed by one
#: change today keeps 1917 readable instead of squeezing it into the left edge.
BREAK_MIN = timedelta(days=90)
BREAK_SHARE = 0.25
#: The width a break takes on the x axis, as a share of the plot's width.
BREAK_WIDTH = 0.05
#: The width of one character of a tick's label (11px text), to keep labels from overlapping.
TICK_CHAR_WIDTH = 6.2


def _time_axis(
    moments: Sequence[datetime], left: float, plot_w: float
) -> tuple[Callable[[datetime], float], list[tuple[float, datetime, datetime]]]:
    """A piecewise linear map from moments to x, with long stretches without change compressed.

    ``moments`` are the changes and the end of the last step, oldest first. Returns the map and
    the breaks as ``(x of the break's middle, start, end)``.
    """
    first, last = moments[0], moments[-1]
    span = (last - first).total_seconds() or 1.0
    gaps = list(itertools.pairwise(moments))
    broken = [(a, b) for a, b in gaps if b - a > BREAK_MIN and (b - a).total_seconds() > BREAK_SHARE * span]
    kept = span - sum((b - a).total_seconds() for a, b in broken)
    if not broken or kept <= 0:
        return (lambda moment: left + (moment - first).total_seconds() / span * plot_w), []

    break_w = plot_w * BREAK_WIDTH
    scale = (plot_w - break_w * len(broken)) / kept
    # Segments (t0, t1, x0, width): kept stretches at ``scale``, broken ones at ``break_w``.
    segments: list[tuple[datetime, datetime, float, float]] = []
    x, cursor = left, first
    for a, b in broken:
        width = (a - cursor).total_seconds() * scale
        segments.append((cursor, a, x, width))
        x += width
        segments.append((a, b, x, break_w))
        x += break_w
        cursor = b
    segments.append((cursor, last, x, (last - cursor).total_seconds() * scale))

    def x_of(moment: datetime) -> float:
        for t0, t1, x0, width in segments:
            if moment <= t1:
                length = (t1 - t0).total_seconds()
                return x0 + ((moment - t0).total_seconds() / length * width if length else 0.0)
        return left + plot_w

    return x_of, [(x_of(a) + break_w / 2, a, b) for a, b in broken]


def seats_over_time(
    points: Sequence[tuple[datetime, Mapping[K, int]]],
    factions: Sequence[tuple[K, str, str]],
    width: float = 600.0,
    height: float = 200.0,
    *,
    until: datetime | None = None,
    date_label: object = None,
) -> StepChart:
    """Step lines of each faction's seats over time.

    Parameters
    ----------
    points:
        ``(moment, {faction key: seats})`` at each change, oldest first; a faction missing from a
        point holds no seat then.
    factions:
        ``(key, label, colour)`` for each line, in legend order.
    width, height:
        Size of the drawing, axes included.
    until:
        Where the last step ends (now, usually); the last point's moment when not given.
    date_label:
        A callable turning a moment into the text of an x-axis tick (the page passes a localized
        date format); ISO dates when not given.

    Returns
    -------
    A ``StepChart``: one path per faction (``M x y H x V y ...``), held flat between changes. A
    long stretch without change is drawn narrow, with a break mark on the x axis and its dates on
    either side (``StepChart.breaks``), so the changes keep their detail.
    """
    left, right, top, bottom = 36.0, 8.0, 8.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def label_of(moment: datetime) -> str:
        if callable(date_label):
            return str(date_label(moment))
        return moment.date().isoformat()

    chart = StepChart(
        series=[],
        width=_n(width),
        height=_n(height),
        left=_n(left),
        right=_n(width - right),
        top=_n(top),
        bottom=_n(height - bottom),
    )
    if not points:
        return chart

    first = points[0][0]
    last = until if until is not None and until > points[-1][0] else points[-1][0]
    x_of, breaks = _time_axis([*(moment for moment, _ in points), last], left, plot_w)
    peak = max([1, *(max(counts.values(), default=0) for _, counts in points)])

    def y_of(seats: int) -> float:
        return top + plot_h - seats / peak * plot_h

    x_end = left + plot_w
    for key, label, colour in factions:
        parts: list[str] = []
        for i, (moment, counts) in enumerate(points):
            x, y = x_of(moment), y_of(counts.get(key, 0))
            parts.append(f"M{_n(x)} {_n(y)}" if i == 0 else f"H{_n(x)} V{_n(y)}")
        parts.append(f"H{_n(x_end)}")
        chart.series.append(Series(key=key, label=label, colour=colour, d=" ".join(parts)))

    chart.y_ticks.extend([Tick(_n(y_of(0)), "0"), Tick(_n(y_of(peak)), str(peak))])
    ticks: list[tuple[float, datetime, str]] = [(left, first, "start")]
    for x, start, end in breaks:
        chart.breaks.append(AxisBreak(x=_n(x), start=start, end=end))
        ticks.extend(
            [(x - plot_w * BREAK_WIDTH / 2, start, "end"), (x + plot_w * BREAK_WIDTH / 2, end, "start")]
        )
    if last > first:
        ticks.append((x_end, last, "end"))
    # A label that would overlap the one before it is left out (the table says every date).
    kept: list[tuple[float, str, str]] = []
    right_edge = -math.inf
    for x, moment, anchor in ticks:
        text = label_of(moment)
        text_w = len(text) * TICK_CHAR_WIDTH
        x0 = {"start": x, "end": x - text_w}.get(anchor, x - text_w / 2)
        if kept and (x0 < right_edge + 4 or text == kept[-1][1]):
            continue
        kept.append((x, text, anchor))
        right_edge = x0 + text_w
    chart.x_ticks.extend(Tick(_n(x), text, anchor) for x, text, anchor in kept)
    return chart
