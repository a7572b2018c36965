"""Tie-breaking: earlier stages first, then a lot drawn from a recorded seed.

Every method breaks ties the same documented way unless its rules prescribe another:

1. Look back at earlier stages. ``look_back="recent"`` walks from the most recent earlier stage
   backwards (Scottish STV, rules 49 and 51; IRV); ``look_back="first"`` walks from the first
   stage forwards (ERS97 5.2.3 and 5.2.5; Meek STV, New Zealand's "ahead at the first
   difference"). At the first stage looked at where the tied candidates' votes differ, the one
   with the fewest votes is excluded (or the most votes elected). If that still leaves several
   tied, the look-back continues among those left.
2. Otherwise draw a lot: a ``random.Random`` seeded with the count's seed. The seed is recorded in
   the result, so giving it again repeats the count exactly.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from councils.counting.result import TieBreak

__all__ = ["Lot", "break_tie"]

LookBack = Literal["recent", "first", "none"]
Purpose = Literal["elect", "exclude", "surplus order"]


class Lot:
    """A seeded drawing of lots. The seed is chosen at random when none is given, and kept."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed: int = secrets.randbits(32) if seed is None else seed
        self._rng = random.Random(self.seed)
        self.drawn = False

    def draw(self, candidates: Sequence[str]) -> str:
        """Pick one of ``candidates`` (sorted first, so the draw does not depend on their order)."""
        self.drawn = True
        return self._rng.choice(sorted(candidates))


def break_tie(
    tied: Sequence[str],
    *,
    purpose: Purpose,
    history: Sequence[Mapping[str, Decimal]],
    lot: Lot,
    look_back: LookBack = "recent",
) -> TieBreak:
    """Choose one of ``tied`` to elect or exclude, by earlier stages then by lot.

    Parameters
    ----------
    tied : sequence of str
        Two or more candidate names with equal votes now.
    purpose : {"elect", "exclude", "surplus order"}
        ``"exclude"`` picks the candidate with the fewest votes at the deciding stage; the others
        pick the one with the most.
    history : sequence of mappings
        Votes per candidate at each earlier stage, oldest first (the current stage not included).
    lot : Lot
        The count's drawing of lots.
    look_back : {"recent", "first", "none"}
        Which earlier stage decides: the most recent where they differ, the first where they
        differ, or none (straight to the lot).

    Returns
    -------
    TieBreak
        The choice, the rule that made it and a sentence explaining it.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> t = break_tie(["A", "B"], purpose="exclude", history=[{"A": D(3), "B": D(5)}], lot=Lot(1))
    >>> t.chosen, t.rule
    ('A', 'earlier stage')
    """
    if len(tied) < 2:
        raise ValueError(f"a tie needs at least two candidates, got {list(tied)}")
    remaining = sorted(tied)
    stages: list[tuple[int, Mapping[str, Decimal]]] = list(enumerate(history, start=1))
    if look_back == "recent":
        stages.reverse()
    elif look_back == "none":
        stages = []
    for number, votes in stages:
        values = {name: votes.get(name, Decimal(0)) for name in remaining}
        target = min(values.values()) if purpose == "exclude" else max(values.values())
        narrowed = [name for name in remaining if values[name] == target]
        if len(narrowed) < len(remaining):
            remaining = narrowed
            if len(remaining) == 1:
                return TieBreak(
                    tied=tuple(sorted(tied)),
                    chosen=remaining[0],
                    purpose=purpose,
                    rule="earlier stage",
                    detail=f"decided by the votes at stage {number}",
                )
    chosen = lot.draw(remaining)
    return TieBreak(
        tied=tuple(sorted(tied)),
        chosen=chosen,
        purpose=purpose,
        rule="lot",
        detail=f"drawn by lot among {', '.join(remaining)} (seed {lot.seed})",
    )
