"""The migration that made a mandate one seat row: chains of old rows become one mandate."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

migration = importlib.import_module("councils.federation.migrations.0003_mandates")


def t(day: int) -> datetime:
    return datetime(1917, 3, day, tzinfo=UTC)


def row(pk, *, start, end=None, reason="", faction=1, election=10, holder=7, council=1, slot=1, below=None):
    return {
        "pk": pk,
        "organization_id": 1,
        "council_id": council,
        "constituency_id": 5 if below is None else None,
        "child_council_id": None if below is None else 2,
        "slot": slot,
        "holder_id": holder,
        "faction_id": faction,
        "derives_from_id": below,
        "election_id": election,
        "start": start,
        "end": end,
        "end_reason": reason,
        "term_ends": datetime(1918, 3, 1, tzinfo=UTC),
    }


def test_a_faction_change_and_a_re_election_merge_into_the_first_row():
    rows = [
        row(1, start=t(1), end=t(5), reason="superseded", faction=1),
        row(2, start=t(5), end=t(9), reason="term", faction=2),
        # Re-elected by election 11, in another slot.
        row(3, start=t(9), end=None, faction=2, election=11, slot=2),
        # Someone else's seat, ended by the same regular election: a chain of its own.
        row(4, start=t(1), end=t(9), reason="term", holder=8, slot=3),
    ]
    head_of, heads, affiliations, terms = migration.plan_mandates(rows)
    assert head_of == {1: 1, 2: 1, 3: 1, 4: 4}
    assert heads[1] == {"end": None, "end_reason": "", "slot": 2, "derives_from": None}
    assert heads[4]["end_reason"] == "term"
    assert [(a[1], a[2], a[3]) for a in affiliations if a[0] == 1] == [(1, t(1), t(5)), (2, t(5), None)]
    assert [(e, s) for h, e, s, _ends in terms if h == 1] == [(10, t(1)), (11, t(9))]


def test_a_delegate_seat_re_pointed_by_the_old_code_derives_from_the_merged_mandate():
    rows = [
        row(1, start=t(1), end=t(5), reason="superseded"),
        row(2, start=t(5)),
        row(3, start=t(2), end=t(5), reason="superseded", council=9, below=1),
        row(4, start=t(5), council=9, below=2),
    ]
    head_of, heads, _affiliations, _terms = migration.plan_mandates(rows)
    assert head_of[4] == 3
    assert heads[3]["derives_from"] == 1 and heads[3]["end"] is None
