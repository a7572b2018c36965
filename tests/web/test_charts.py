"""The SVG charts: a hemicycle has one dot per seat in seating order; numbers never localize."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import translation

from councils.web import charts

RED, PINK, GREEN = "#c0392b", "#e08283", "#27ae60"


def test_it_draws_one_dot_per_seat() -> None:
    for seats in [*range(0, 120), 199, 450, 1001]:
        dots = charts.hemicycle([("A", RED, seats // 2), ("B", GREEN, seats - seats // 2)], 0)
        assert len(dots) == seats, seats


def test_it_colours_dots_in_faction_order_with_vacancies_last() -> None:
    dots = charts.hemicycle([("Bolsheviks", RED, 5), ("SRs", GREEN, 3)], vacancies=2)

    assert [d.colour for d in dots] == [RED] * 5 + [GREEN] * 3 + [charts.VACANT_COLOUR] * 2
    assert [d.vacant for d in dots] == [False] * 8 + [True] * 2
    assert [d.label for d in dots][:6] == ["Bolsheviks"] * 5 + ["SRs"]


def test_it_fills_seats_from_left_to_right() -> None:
    dots = charts.hemicycle([("Left", RED, 50), ("Right", GREEN, 50)], 0)
    left = [d for d in dots if d.label == "Left"]
    right = [d for d in dots if d.label == "Right"]

    # Every row is split into a left part and a right part, so the groups' mean x fall on either side.
    assert sum(d.x for d in left) / 50 < 100 < sum(d.x for d in right) / 50
    assert max(d.x for d in left) <= min(d.x for d in right) + 30


def test_it_handles_no_seat_and_one_seat() -> None:
    assert charts.hemicycle([], 0) == []
    assert charts.hemicycle([("A", RED, 0)], 0) == []

    (only,) = charts.hemicycle([("A", RED, 1)], 0, width=200)
    assert (only.x, only.colour) == (100, RED)
    (vacant,) = charts.hemicycle([], 1)
    assert vacant.vacant


def test_dots_stay_inside_the_drawing_and_apart() -> None:
    width = 200.0
    dots = charts.hemicycle([("A", RED, 120), ("B", GREEN, 80)], 13, width=width)
    for d in dots:
        assert d.r <= d.x <= width - d.r
        assert d.r / 2 <= d.y <= width / 2
    # No two seats overlap.
    closest = min(
        ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 for i, a in enumerate(dots) for b in dots[i + 1 :]
    )
    assert closest >= 2 * dots[0].r * 0.99


def test_rows_hold_the_seats() -> None:
    for seats in (1, 5, 17, 99, 500, 5000):
        rows = charts.rows_for(seats)
        assert sum(charts.row_capacities(rows)) >= seats
        assert rows == 1 or sum(charts.row_capacities(rows - 1)) < seats


def test_five_thousand_seats_render() -> None:
    chart = charts.hemicycle_chart(
        [("A", RED, 2600), ("B", PINK, 1400), ("C", GREEN, 900)], 100, title="Congress", chart_id="big"
    )
    svg = render_to_string("web/hemicycle.svg", {"chart": chart})

    assert len(chart.dots) == 5000
    assert svg.count("<circle") == 5000
    assert svg.count('class="seat vacant"') == 100


def test_the_svg_is_a_named_group_of_named_seats() -> None:
    chart = charts.hemicycle_chart(
        [("A", RED, ["Anna Petrova", "Boris Orlov", "Dora Ivanova"])],
        1,
        title="Petrograd Soviet",
        description="3 seats of 4 filled",
        chart_id="c1",
        vacant_name="Vacant seat",
    )
    svg = render_to_string("web/hemicycle.svg", {"chart": chart})

    assert 'role="group" aria-labelledby="c1-title" aria-describedby="c1-desc"' in svg
    assert '<title id="c1-title">Petrograd Soviet</title>' in svg
    assert 'fill="#ffffff" stroke="#6b6b6b"' in svg  # the vacancy is hollow and grey
    # Each seat is an image named by its title: the deputy and the faction, for pointer and reader.
    assert svg.count('role="img"') == 4
    for name in ("Anna Petrova, A", "Boris Orlov, A", "Dora Ivanova, A", "Vacant seat"):
        assert f"<title>{name}</title>" in svg


def test_seats_carry_their_holders_names_in_seating_order() -> None:
    dots = charts.hemicycle([("Reds", RED, ["a", "b"]), ("Greens", GREEN, 1)], 1, vacant_name="empty")
    assert [(d.name, d.label) for d in dots] == [("a", "Reds"), ("b", "Reds"), ("", "Greens"), ("empty", "")]


def test_the_majority_line_follows_the_seat_that_makes_a_majority() -> None:
    # 68 filled seats and 4 vacant: 35 make a majority.
    chart = charts.hemicycle_chart(
        [("A", RED, 30), ("B", GREEN, 38)], 4, title="t", majority_needed=35, majority_label="35"
    )
    line = chart.majority_line
    assert line is not None and line.seat == 34 and line.label == "35"
    # The 35 seats left of the line (larger angle) are the first 35 in seating order.
    x1, y1, x2, y2 = (float(v) for v in (line.x1, line.y1, line.x2, line.y2))
    centre = 100.0

    def side(dot: charts.Dot) -> float:
        # The sign of the cross product: which side of the line (from the centre outwards) a seat is.
        return (x2 - x1) * (dot.y - y1) - (y2 - y1) * (dot.x - x1)

    assert abs((x2 - x1) * (centre - y1) - (y2 - y1) * (centre - x1)) < 1  # a radius
    left = {side(d) > 0 for d in chart.dots[:35]}
    right = {side(d) > 0 for d in chart.dots[35:]}
    assert len(left) == 1 and len(right) == 1 and left != right

    svg = render_to_string("web/hemicycle.svg", {"chart": chart})
    assert 'class="majority-line"' in svg and ">35</text>" in svg
    assert svg.count("<circle") == 72  # the ring around seat 35 is a path, not a seat


def test_no_majority_line_without_seats_or_need() -> None:
    assert charts.hemicycle_chart([], 0, title="t", majority_needed=1).majority_line is None
    assert charts.hemicycle_chart([("A", RED, 3)], 0, title="t").majority_line is None
    one = charts.hemicycle_chart([("A", RED, 1)], 0, title="t", majority_needed=1).majority_line
    assert one is not None and one.seat == 0


@pytest.mark.parametrize("language", ["de", "pt-br", "fr", "ru"])
def test_it_uses_a_decimal_dot_in_every_locale(language: str) -> None:
    # 5 seats on a 200-wide drawing put dots at x = 18.35 and r = 13.333.
    with override_settings(USE_THOUSAND_SEPARATOR=True), translation.override(language):
        chart = charts.hemicycle_chart([("A", RED, 5)], 0, title="t")
        svg = render_to_string("web/hemicycle.svg", {"chart": chart})
        steps = render_to_string(
            "web/seats_over_time.svg",
            {
                "chart": charts.seats_over_time(
                    [
                        (datetime(2026, 1, 1, tzinfo=UTC), {1: 3}),
                        (datetime(2026, 1, 2, 12, tzinfo=UTC), {1: 1}),
                    ],
                    [(1, "A", RED)],
                    width=601.5,
                ),
                "title": "t",
                "chart_id": "s",
            },
        )

    assert 'cx="18.35"' in svg
    assert "18,35" not in svg
    assert 'r="13.333"' in svg
    assert 'viewBox="0 0 601.5 200"' in steps
    assert "601,5" not in steps


def test_seats_over_time_draws_a_step_line_per_faction() -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    t1 = datetime(2026, 3, 11, tzinfo=UTC)
    t2 = datetime(2026, 3, 21, tzinfo=UTC)
    chart = charts.seats_over_time(
        [(t0, {"b": 4, "m": 6}), (t1, {"b": 5, "m": 5}), (t2, {"b": 7, "m": 2})],
        [("b", "Bolsheviks", RED), ("m", "Mensheviks", GREEN)],
        width=236,
        height=100,
    )

    bolsheviks, mensheviks = chart.series
    # Plot from x=36 to 228 (200 wide), y from 8 (7 seats) to 78 (0 seats).
    assert bolsheviks.d == "M36 38 H132 V28 H228 V8 H228"
    assert mensheviks.d.startswith("M36 18 H132 V28")
    assert [t.label for t in chart.y_ticks] == ["0", "7"]
    assert [t.label for t in chart.x_ticks] == ["2026-03-01", "2026-03-21"]


def test_seats_over_time_extends_the_last_step_until_now() -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    chart = charts.seats_over_time(
        [(t0, {"b": 2})], [("b", "B", RED)], width=236, height=100, until=datetime(2026, 3, 3, tzinfo=UTC)
    )
    assert chart.series[0].d == "M36 8 H236".replace("236", "228")
    assert charts.seats_over_time([], [("b", "B", RED)]).series == []


def test_a_long_stretch_without_change_is_drawn_narrow() -> None:
    """1917's changes, then one today: the axis breaks, and 1917 keeps most of the width."""
    march, june, october = (datetime(1917, m, d, tzinfo=UTC) for m, d in ((3, 15), (6, 16), (10, 25)))
    today = datetime(2026, 11, 30, tzinfo=UTC)
    chart = charts.seats_over_time(
        [(march, {"b": 4}), (june, {"b": 6}), (october, {"b": 9}), (today, {"b": 8})],
        [("b", "Bolsheviks", RED)],
        width=636,
        height=100,
    )
    (mark,) = chart.breaks
    assert (mark.start, mark.end) == (october, today)
    # The plot runs from x=36 to 628 (592 wide); the break takes 5% of it, 1917 the rest.
    xs = [float(part.split()[0]) for part in chart.series[0].d.split(" H")[1:]]
    june_x, october_x, today_x = xs[0], xs[1], xs[2]
    assert 36 < june_x < october_x == pytest.approx(628 - 592 * charts.BREAK_WIDTH)
    assert today_x - october_x == pytest.approx(592 * charts.BREAK_WIDTH, abs=0.01)
    labels = [t.label for t in chart.x_ticks]
    assert labels[0] == "1917-03-15" and "1917-10-25" in labels and "2026-11-30" in labels
    svg = render_to_string(
        "web/seats_over_time.svg", {"chart": chart, "title": "t", "chart_id": "s", "description": "broken"}
    )
    assert 'class="axis-break"' in svg and '<desc id="s-desc">broken</desc>' in svg


def test_changes_spread_evenly_keep_a_plain_axis() -> None:
    moments = [datetime(2026, month, 1, tzinfo=UTC) for month in range(1, 12)]
    chart = charts.seats_over_time([(m, {"b": i}) for i, m in enumerate(moments)], [("b", "B", RED)])
    assert chart.breaks == []


def test_tick_labels_never_overlap() -> None:
    start = datetime(1917, 3, 1, tzinfo=UTC)
    points = [(start, {"b": 1}), (datetime(1917, 3, 2, tzinfo=UTC), {"b": 2})]
    points += [(datetime(2026, 11, 29, tzinfo=UTC), {"b": 3})]
    chart = charts.seats_over_time(points, [("b", "B", RED)], until=datetime(2026, 11, 30, tzinfo=UTC))
    spans = []
    for tick in chart.x_ticks:
        x, w = float(tick.position), len(tick.label) * charts.TICK_CHAR_WIDTH
        x0 = {"start": x, "end": x - w}.get(tick.anchor, x - w / 2)
        spans.append((x0, x0 + w))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
