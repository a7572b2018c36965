"""Meek STV against Droop's Meek count: the same winners in every generated election.

Droop (Jonathan Lundell's reference implementation of the Meek and WIGM rules) counted the
elections of ``generated.py`` with 9-digit fixed-point arithmetic, iterating until the surplus
is below 0.0001 as New Zealand's schedule 1A does; its winners are in ``data/meek_droop.json``
(made by ``data/make_meek_droop.py``). Only the winners are compared: Droop rounds the part a
candidate keeps *down* (as OpenSTV's Meek does), where schedule 1A clause 10 rounds it up, so
values differ in the ninth decimal and a close election could in principle differ; none of these
does. Elections in which either count met a tie are left out.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from councils.counting.meek import count_meek_stv
from tests.counting.generated import generated_election

REFERENCE = Path(__file__).with_name("data") / "meek_droop.json"


@cache
def reference() -> dict[str, list[str]]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["elected"]


def test_the_reference_is_large() -> None:
    assert len(reference()) >= 250


@pytest.mark.parametrize("seed", sorted(int(s) for s in reference()))
def test_the_winners_agree_with_droop(seed: int) -> None:
    result = count_meek_stv(generated_election(seed))
    assert not any(stage.ties for stage in result.stages)
    assert sorted(result.elected, key=lambda c: int(c[1:])) == reference()[str(seed)]
