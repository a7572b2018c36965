"""A poll's exports: results, named votes and the stage table as CSV and JSON, and the ballots of a
closed ranked open poll as BLT (the counting library's writer).

CSV cells that a spreadsheet would read as a formula (a text beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a ``'`` in front; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from councils.counting.blt import write_blt
from councils.counting.profile import Profile
from councils.exports import FORMULA_STARTS
from councils.exports import neutralize as neutralize_text
from councils.voting import selectors, splits
from councils.voting.models import ANSWERS, Candidate, Participation, Poll


def neutralize(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula (numbers are kept as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        try:
            Decimal(text)  # a number written as text (a negative transfer): kept as a number
            return text
        except InvalidOperation:
            pass
    return neutralize_text(text)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(c) for c in row])
    return out.getvalue()


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"


def results_rows(poll: Poll) -> tuple[list[str], list[list[object]]]:
    """The result as one row per answer or candidate: votes at the last stage, elected or not."""
    result = poll.result or {}
    stages = result.get("stages") or []
    last = stages[-1]["votes"] if stages else {}
    elected = set(result.get("elected", []))
    if poll.kind == Poll.Kind.MOTION:
        rows = [[a, last.get(a, "0"), ""] for a in ANSWERS]
        rows.append(["outcome", "", result.get("explanation", "")])
        return ["answer", "votes", "note"], rows
    return ["candidate", "votes at the last stage", "elected"], [
        [name, last.get(name, "0"), name in elected] for name in result.get("candidates", [])
    ]


def stage_rows(poll: Poll) -> tuple[list[str], list[list[object]]]:
    """The stage table: one row per stage and candidate (votes, transfer), with the stage's action."""
    result = poll.result or {}
    header = [
        "stage",
        "action",
        "candidate",
        "votes",
        "transfer",
        "elected",
        "excluded",
        "quota",
        "exhausted",
    ]
    rows: list[list[object]] = []
    names = result.get("candidates") or list(ANSWERS)
    for stage in result.get("stages", []):
        for name in names:
            rows.append(
                [
                    stage.get("number"),
                    stage.get("action", ""),
                    name,
                    _num(stage.get("votes", {}).get(name, "0")),
                    _num(stage.get("transfers", {}).get(name, "0")),
                    name in stage.get("elected", []),
                    name in stage.get("excluded", []),
                    _num(stage.get("quota")) if stage.get("quota") is not None else "",
                    _num(stage.get("exhausted", "0")),
                ]
            )
    return header, rows


def _num(value: object) -> object:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def votes_rows(poll: Poll) -> tuple[list[str], list[list[object]]]:
    """Who voted how (named polls): voter, weight, the ballot in words, who cast it."""
    rows = [[v.name, v.weight, v.choice, v.cast_by, v.source] for v in selectors.named_votes(poll=poll)]
    return ["voter", "weight", "ballot", "cast by (proxy)", "source"], rows


def votes_json(poll: Poll) -> list[dict[str, Any]]:
    return [
        {
            "member": v.member_id,
            "name": v.name,
            "weight": v.weight,
            "choice": v.choice,
            "answers": v.answers,
            "ranking": v.ranking,
            "cast_by": v.cast_by,
            "source": v.source,
        }
        for v in selectors.named_votes(poll=poll)
    ]


def ballot_profile(poll: Poll) -> Profile:
    """The named ballots of an election as a counting profile (candidates in ballot order)."""
    candidates = list(
        Candidate.objects.filter(poll=poll).order_by("position", "pk").values_list("pk", "name")
    )
    code = {pk: i for i, (pk, _name) in enumerate(candidates)}
    rankings, weights = [], []
    for ballot, weight in (
        Participation.objects.filter(poll=poll).order_by("pk").values_list("ballot", "weight")
    ):
        for marks, share in splits.weighted_rankings(ballot, int(weight)):
            rankings.append([code[c] for c in marks if c in code])
            weights.append(share)
    return Profile.from_rankings(
        [n for _pk, n in candidates], rankings, weights, seats=poll.seats, title=poll.title
    )


def blt(poll: Poll) -> str:
    """The poll's ballots as a BLT file (names with a double quote have it replaced by ')."""
    profile = ballot_profile(poll)
    profile = Profile(
        tuple(n.replace('"', "'") for n in profile.candidates),
        profile.ranks,
        profile.weights,
        profile.seats,
        profile.title.replace('"', "'").replace("\n", " "),
        profile.withdrawn,
    )
    out = io.StringIO()
    write_blt(profile, out)
    return out.getvalue()
