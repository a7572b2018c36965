"""The export writer (``councils.exports``): CSV that a spreadsheet cannot run, JSON that streams."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from councils.exports import (
    Table,
    cell,
    csv_chunks,
    export_filename,
    json_chunks,
    neutralize,
    table_chunks,
)


def read_csv(table: Table) -> list[list[str]]:
    text = "".join(csv_chunks(table))
    assert text.startswith("\ufeff"), "a BOM, so that spreadsheets read UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_a_spreadsheet_would_run_gets_a_quote(start):
    payload = f'{start}HYPERLINK("http://evil.example","x")'
    table = Table(columns=["name"], rows=[{"name": payload}])

    [_header, [written]] = read_csv(table)

    assert written == "'" + payload
    assert neutralize(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Bolsheviks", "Anna = Vera", " =1+1", "'quoted", "", "1917-03-15"])
def test_other_text_is_written_as_it_is(text):
    assert read_csv(Table(columns=["name"], rows=[{"name": text}]))[1] == [text]


def test_the_header_and_lists_and_mappings_are_neutralized_too():
    table = Table(columns=["=cmd", "factions", "data"], rows=[{"factions": ["-x", "y"], "data": {"a": 1}}])
    [header, row] = read_csv(table)
    assert header == ["'=cmd", "factions", "data"]
    assert row == ["", "'-x; y", '{"a": 1}']


def test_numbers_stay_numbers_and_values_are_formatted():
    moment = datetime(1917, 10, 25, 22, 40, tzinfo=UTC)
    row = {
        "n": -3,
        "d": Decimal("-12.50000"),
        "b": True,
        "none": None,
        "at": moment,
        "day": date(1917, 3, 15),
    }
    [_header, written] = read_csv(Table(columns=list(row), rows=[row]))
    assert written == ["-3", "-12.50000", "true", "", "1917-10-25T22:40:00+00:00", "1917-03-15"]
    assert cell(False) == "false"


def test_names_in_any_script_survive():
    [_header, [name]] = read_csv(Table(columns=["name"], rows=[{"name": 'Пётр Кузьмин, "Путилов"'}]))
    assert name == 'Пётр Кузьмин, "Путилов"'


def test_json_holds_meta_then_rows_with_nested_values():
    rows = [{"seat": 1, "at": datetime(1917, 3, 15, tzinfo=UTC), "votes": Decimal("1.5"), "f": ["a"]}]
    table = Table(columns=["seat"], rows=rows, meta={"council": "petrograd", "filled": 68})
    data = json.loads("".join(json_chunks(table)))
    assert data == {
        "council": "petrograd",
        "filled": 68,
        "rows": [{"seat": 1, "at": "1917-03-15T00:00:00+00:00", "votes": "1.5", "f": ["a"]}],
    }
    assert json.loads("".join(json_chunks(Table(columns=[], rows=[], rows_key="events")))) == {"events": []}


def test_rows_are_read_lazily_one_chunk_at_a_time():
    read = []

    def rows():
        for i in range(2000):
            read.append(i)
            yield {"i": i}

    for fmt in ("csv", "json"):
        read.clear()
        chunks = table_chunks(Table(columns=["i"], rows=rows()), fmt)
        next(chunks)
        next(chunks)
        assert 0 < len(read) <= 501, fmt  # not the whole table for the first chunks
        rest = "".join(chunks)
        assert len(read) == 2000 and rest


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="csv, json"):
        table_chunks(Table(columns=[], rows=[]), "xlsx")


def test_file_names_carry_the_slug_and_the_date_and_nothing_unsafe():
    assert (
        export_filename("soviets-1917", "composition", "petrograd", date(1917, 4, 15), fmt="csv")
        == "soviets-1917_composition_petrograd_1917-04-15.csv"
    )
    assert export_filename('a/b"; c', None, "", fmt="json") == "a-b-c.json"


def test_a_counts_stage_table_as_json_explains_the_count(tmp_path):
    from councils.counting.blt import read_blt
    from councils.counting.methods import get_method
    from councils.exports import stage_table

    ballots = tmp_path / "e.blt"
    ballots.write_text('3 1\n4 1 2 0\n3 2 0\n2 3 2 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Test election"\n')
    result = get_method("irv")(read_blt(str(ballots)), seats=None, seed=1)

    data = json.loads("".join(json_chunks(stage_table(result, title="Test election"))))

    assert data["title"] == "Test election" and data["method"] == "irv" and data["elected"] == ["Bob"]
    assert [s["action"] for s in data["stages"]] == ["First preferences", "Exclusion of Cat"]
    bob = next(r for r in data["rows"] if r["row"] == "Bob")
    assert (bob["stage_1"], bob["stage_2"], bob["elected_at_stage"]) == ("3", "5", 2)
    assert data["rows"][-1]["kind"] == "exhausted"
