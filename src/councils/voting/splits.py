"""A weighted voter's split vote in an open election: their weight shared between several sets of
marks, each counted with its part of the weight.

A motion's ballot already splits (``{"answers": {"yes": 2, "no": 1}}``, see ``ballot_clean``). An
election's split ballot is ``{"parts": [{"ranking": [candidate ids], "weight": n}, ...]}``: each
part is an ordinary ballot of the poll's method (one mark for plurality, up to the seats for a
block vote, any candidates for approval) and the parts' weights are whole numbers adding up to the
voter's weight. A delegate carrying 300 members, 200 of whom want A and 100 B, casts
``{"parts": [{"ranking": [A], "weight": 200}, {"ranking": [B], "weight": 100}]}``; the count sees
two ballots of weights 200 and 100.

Ranked methods are left out: a split between preference orders has no meaning a voter would
recognise. A secret poll never takes one: its ballots are encrypted with one mark per answer, so
a split would tell the weight apart (and it is cast through the board, not here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from councils.voting.models import Poll

#: The election methods whose ballots may be split.
SPLIT_METHODS = frozenset({"plurality", "block", "approval"})

#: Most parts in one split ballot (a part per candidate is the most a voter needs).
MAX_PARTS = 500

Cleaner = Callable[..., dict[str, Any]]


def clean_parts(poll: Poll, parts: Any, *, weight: int, clean: Cleaner) -> dict[str, Any]:
    """The split ballot as stored, or a ``ValidationError`` on ``ballot`` saying what is wrong.
    ``clean`` checks each part as a ballot of its own (``ballot_clean``)."""
    if poll.is_secret:
        raise ValidationError(
            {"ballot": _("A secret poll takes no split vote: its ballots are encrypted whole.")}
        )
    if poll.method not in SPLIT_METHODS:
        raise ValidationError(
            {"ballot": _("Only plurality, block and approval votes may be split; this poll is ranked.")}
        )
    if not isinstance(parts, Sequence) or isinstance(parts, str) or not parts or len(parts) > MAX_PARTS:
        raise ValidationError(
            {"ballot": _('A split vote is {"parts": [{"ranking": [candidate ids], "weight": n}, ...]}.')}
        )
    out: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        if not isinstance(part, Mapping) or set(part) != {"ranking", "weight"}:
            raise ValidationError(
                {"ballot": _("Part %(n)s of the split vote needs a ranking and a weight.") % {"n": number}}
            )
        share = part["weight"]
        if isinstance(share, bool) or not isinstance(share, int) or share < 0:
            raise ValidationError({"ballot": _("Each part of a split vote is a whole number, 0 or more.")})
        try:
            marks = clean(poll, {"ranking": part["ranking"]}, weight=share)["ranking"]
        except ValidationError as exc:
            raise ValidationError(
                {"ballot": _("Part %(n)s: %(e)s") % {"n": number, "e": " ".join(exc.messages)}}
            ) from exc
        if share:
            out.append({"ranking": marks, "weight": share})
    total = sum(p["weight"] for p in out)
    if total != weight:
        raise ValidationError(
            {
                "ballot": _("A split vote must share out your whole weight, %(w)s; it adds up to %(s)s.")
                % {"w": weight, "s": total}
            }
        )
    if len(out) == 1:
        return {"ranking": out[0]["ranking"]}  # the whole weight on one set of marks: no split
    return {"parts": out}


def weighted_rankings(ballot: Mapping[str, Any] | None, weight: int) -> list[tuple[list[int], int]]:
    """An election's stored ballot as (marks, weight) pairs: one pair, or one per part of a split."""
    if not ballot:
        return [([], weight)]
    parts = ballot.get("parts")
    if parts:
        return [(list(p.get("ranking", [])), int(p.get("weight", 0))) for p in parts]
    return [(list(ballot.get("ranking", [])), weight)]
