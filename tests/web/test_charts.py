"""The SVG charts: a hemicycle has one dot per seat in seating order; numbers never localize."""

from __future__ import annotations

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


def test_the_svg_is_an_image_with_a_title() -> None:
    chart = charts.hemicycle_chart(
        [("A", RED, 3)], 1, title="Petrograd Soviet", description="3 seats of 4 filled", chart_id="c1"
    )
    svg = render_to_string("web/hemicycle.svg", {"chart": chart})

    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Petrograd Soviet</title>' in svg
    assert 'fill="#ffffff" stroke="#6b6b6b"' in svg  # the vacancy is hollow and grey


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
