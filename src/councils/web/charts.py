"""Geometry of the SVG charts: the hemicycle of a council and its seats over time.

Pure functions over numbers, labels and colours: nothing here reads a model. The pages pass the
results to ``web/hemicycle.svg`` and ``web/seats_over_time.svg``. Every coordinate reaches a
template as a string formatted here with ``.3f`` (as healthchecks' badges do), so a locale with a
decimal comma (``de``, ``pt-br``) still writes ``8.5`` and never ``8,5`` inside an SVG attribute.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

__all__ = [
    "VACANT_COLOUR",
    "AxisBreak",
    "Dot",
    "Hemicycle",
    "MajorityLine",
    "Series",
    "StepChart",
    "hemicycle",
    "hemicycle_chart",
    "majority_line",
    "row_capacities",
    "rows_for",
    "seats_over_time",
]

#: Grey of a vacant seat (drawn hollow, with this outline).
VACANT_COLOUR = "#6b6b6b"


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a dot for the decimal point, whatever the locale."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@dataclass(frozen=True)
class Dot:
    """One seat of a hemicycle: its centre and radius in the chart's units, and who sits there.

    ``x`` runs left to right and ``y`` top to bottom (SVG's axes). ``label`` is the faction's
    label or, for a vacant seat, the empty string.
    """

    x: float
    y: float
    r: float
    colour: str
    label: str
    vacant: bool = False
    #: Who sits there ("Anna Petrova"), or what a vacant seat is: its tooltip and accessible name.
    name: str = ""
    #: The seat's angle around the centre of the base line (pi is the far left), in radians.
    angle: float = 0.0

    @property
    def cx(self) -> str:
        return _n(self.x)

    @property
    def cy(self) -> str:
        return _n(self.y)

    @property
    def radius(self) -> str:
        return _n(self.r)


def row_capacities(rows: int) -> list[int]:
    """How many evenly spaced seats each of ``rows`` concentric arcs holds, innermost first.

    The parliament-chart layout (David Richfield's tool, and *parliamentarch* after it): in a
    half-disc of radius 1, rows are ``2t`` apart and seats ``2t`` wide, with ``t = 1 / (4 rows - 2)``;
    row ``r`` has radius ``1/2 + 2 r t`` and holds as many seats as fit along its half circle.
    """
    if rows <= 0:
        return []
    thickness = 1 / (4 * rows - 2)
    return [int(math.pi * (0.5 + 2 * r * thickness) / (2 * thickness)) for r in range(rows)]


def rows_for(seats: int) -> int:
    """The fewest rows whose arcs hold ``seats`` seats (0 for none)."""
    if seats <= 0:
        return 0
    # Capacity grows as about 3/2 pi rows^2: start from that estimate, then step to the fewest.
    rows = max(1, round(math.sqrt(seats / (1.5 * math.pi))))
    while rows > 1 and sum(row_capacities(rows - 1)) >= seats:
        rows -= 1
    while sum(row_capacities(rows)) < seats:
        rows += 1
    return rows


def _share_by_rows(seats: int, capacities: Sequence[int]) -> list[int]:
    """Split ``seats`` among rows in proportion to their capacities (largest remainder), so that
    seats are spaced alike on every row and no row exceeds its capacity."""
    total = sum(capacities)
    quotas = [seats * c / total for c in capacities]
    counts = [math.floor(q) for q in quotas]
    # Remainders go to the rows with the largest fractions, outer rows first on a tie.
    order = sorted(range(len(capacities)), key=lambda i: (counts[i] - quotas[i], -i))
    for i in order[: seats - sum(counts)]:
        counts[i] += 1
    return counts


#: One group of the hemicycle: ``(label, colour, seats)``, where ``seats`` is either how many seats
#: the group holds or the names of those who hold them, in the order they sit.
Group = tuple[str, str, "int | Sequence[str]"]


def hemicycle(
    groups: Sequence[Group],
    vacancies: int = 0,
    *,
    width: float = 200.0,
    seat_scale: float = 0.8,
    vacant_name: str = "",
) -> list[Dot]:
    """Arrange one dot per seat in concentric half-rings, filled left to right by group.

    Parameters
    ----------
    groups:
        ``(label, colour, seats)`` per faction, in the order they sit from left to right;
        ``seats`` is a count, or the holders' names (each dot then carries its holder's name).
    vacancies:
        Vacant seats: drawn last (on the right), hollow and grey.
    vacant_name:
        The name each vacant seat carries (its tooltip: "Vacant seat").
    width:
        Width of the drawing; its height is ``width / 2``.
    seat_scale:
        Dot diameter as a fraction of the space between neighbouring seats.

    Returns
    -------
    The dots in seating order: the first group's seats first (the leftmost seats of every row),
    vacancies last. The number of dots is the number of seats.
    """
    labels: list[tuple[str, str, bool, str]] = []
    for label, colour, holders in groups:
        if isinstance(holders, int):
            labels.extend([(label, colour, False, "")] * max(0, holders))
        else:
            labels.extend((label, colour, False, name) for name in holders)
    labels.extend([("", VACANT_COLOUR, True, vacant_name)] * max(0, vacancies))
    seats = len(labels)
    if seats == 0:
        return []

    rows = rows_for(seats)
    thickness = 1 / (4 * rows - 2)
    per_row = _share_by_rows(seats, row_capacities(rows))

    # Positions as (angle, radius) around the centre of the base line; angle pi is the far left.
    positions: list[tuple[float, float]] = []
    for r, count in enumerate(per_row):
        radius = 0.5 + 2 * r * thickness
        if count == 1:
            positions.append((math.pi / 2, radius))
            continue
        # Keep the outermost seats of each row wholly inside the drawing.
        margin = math.asin(min(1.0, thickness / radius))
        step = (math.pi - 2 * margin) / (count - 1)
        positions.extend((math.pi - margin - s * step, radius) for s in range(count))
    # Left to right across all rows at once: a faction takes a wedge, not a row.
    positions.sort(key=lambda p: (-p[0], p[1]))

    half = width / 2
    dot_radius = thickness * seat_scale * half
    return [
        Dot(
            x=half + radius * math.cos(angle) * half,
            y=half - radius * math.sin(angle) * half,
            r=dot_radius,
            colour=colour,
            label=label,
            vacant=vacant,
            name=name,
            angle=angle,
        )
        for (angle, radius), (label, colour, vacant, name) in zip(positions, labels, strict=True)
    ]


@dataclass(frozen=True)
class Hemicycle:
    """What ``web/hemicycle.svg`` needs: the dots and the drawing's size, as strings."""

    dots: list[Dot]
    width: str
    height: str
    #: The drawing's box (``min-x min-y width height``): a little room above the top row for the
    #: ring around the seat that makes the majority.
    view_box: str
    title: str
    description: str
    chart_id: str
    stroke: str
    #: The majority line: a dashed radius just after the seat that makes a majority, or None.
    majority_line: MajorityLine | None = None


@dataclass(frozen=True)
class MajorityLine:
    """Where the majority line runs (``x1 y1 x2 y2``), the seat it follows (0-based, in seating
    order), and the label written at the centre of the hemicycle ("35")."""

    x1: str
    y1: str
    x2: str
    y2: str
    seat: int
    label: str
    label_x: str
    label_y: str
    font_size: str
    #: A ring around the seat that makes the majority (a path, so that only seats are circles).
    ring: str = ""


def majority_line(dots: Sequence[Dot], needed: int, *, width: float, label: str) -> MajorityLine | None:
    """The line that separates the first ``needed`` seats (counted from the left) from the rest.

    ``needed`` is the number of seats that makes a majority (more than half of the filled seats).
    The line runs along a radius halfway between the angle of seat ``needed`` and the next seat's,
    from just inside the innermost row to the outer edge: every seat left of it, ``needed`` of them,
    make a majority. None when there is no seat or ``needed`` is out of range.
    """
    if needed <= 0 or needed > len(dots):
        return None
    seat = dots[needed - 1]
    # Halfway to the next seat; after the last seat, halfway to the right end of the base line.
    after = dots[needed].angle if needed < len(dots) else 0.0
    angle = (seat.angle + after) / 2
    half = width / 2
    rows = rows_for(len(dots))
    thickness = 1 / (4 * rows - 2)
    inner, outer = (0.5 - thickness) * half, half

    def at(radius: float) -> tuple[str, str]:
        return _n(half + radius * math.cos(angle)), _n(half - radius * math.sin(angle))

    (x1, y1), (x2, y2) = at(inner * 0.85), at(outer)
    return MajorityLine(
        x1=x1,
        y1=y1,
        x2=x2,
        y2=y2,
        seat=needed - 1,
        label=label,
        label_x=_n(half),
        label_y=_n(half - inner * 0.2),
        font_size=_n(max(6.0, inner * 0.32)),
        ring=_ring(seat.x, seat.y, seat.r * 1.3),
    )


def _ring(x: float, y: float, r: float) -> str:
    """A circle of radius ``r`` around (x, y) as an SVG path: two half arcs."""
    return f"M{_n(x - r)} {_n(y)} a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0 a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0"


def hemicycle_chart(
    groups: Sequence[Group],
    vacancies: int,
    *,
    title: str,
    description: str = "",
    chart_id: str = "hemicycle",
    width: float = 200.0,
    vacant_name: str = "",
    majority_needed: int = 0,
    majority_label: str = "",
) -> Hemicycle:
    """A hemicycle ready for the template: the dots, its size, its text title and description, and
    the majority line after seat ``majority_needed`` (none when 0)."""
    dots = hemicycle(groups, vacancies, width=width, vacant_name=vacant_name)
    # A little room below the base line so the lowest dots are not cut, and above the top row
    # for the majority ring.
    height = width / 2 + width / 40
    above = dots[0].r * 0.5 if dots and majority_needed else 0.0
    return Hemicycle(
        dots=dots,
        width=_n(width),
        height=_n(height + above),
        view_box=f"0 {_n(-above)} {_n(width)} {_n(height + above)}",
        title=title,
        description=description,
        chart_id=chart_id,
        # A hollow vacant seat's ring: a third of the dot's radius reads at every size.
        stroke=_n(dots[0].r / 3 if dots else 1),
        majority_line=majority_line(dots, majority_needed, width=width, label=majority_label),
    )


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
