"""Geometry of a council's hemicycle: one dot per seat in concentric half-rings, and the majority
line after the seat that makes a majority (see :mod:`councils.web.charts`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from councils.web.charts.svg import _n

#: Grey of a vacant seat (drawn hollow, with this outline).
VACANT_COLOUR = "#6b6b6b"


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
