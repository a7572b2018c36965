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
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal, TypeVar

from councils.counting.result import TieBreak

__all__ = ["Lot", "break_tie", "pick", "recorded_seed"]

LookBack = Literal["recent", "first", "none"]
Purpose = Literal["elect", "exclude", "surplus order"]

#: Votes as the methods hold them: whole units, floats or decimals.
V = TypeVar("V", int, float, Decimal)


class Lot:
    """A seeded drawing of lots. The seed is chosen at random when none is given, and kept."""

    def __init__(self, seed: int | None = None) -> None:
        # ``secrets.randbits`` is this same call; importing ``secrets`` would cost 4 ms at start-up.
        self.seed: int = random.SystemRandom().getrandbits(32) if seed is None else seed
        self._rng = random.Random(self.seed)
        self.drawn = False

    def draw(self, candidates: Sequence[str]) -> str:
        """Pick one of ``candidates`` (sorted first, so the draw does not depend on their order)."""
        self.drawn = True
        return self._rng.choice(sorted(candidates))


def recorded_seed(seed: int | None, lot: Lot) -> int | None:
    """The seed a result records: the caller's, or the one drawn with when a lot was used."""
    if seed is not None:
        return seed
    return lot.seed if lot.drawn else None


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


def pick(
    pool: Sequence[int],
    count: int,
    votes: Sequence[V],
    names: Sequence[str],
    *,
    purpose: Purpose,
    history: Sequence[Mapping[str, Decimal]],
    lot: Lot,
    look_back: LookBack,
    ties: list[TieBreak],
) -> list[int]:
    """The ``count`` candidates of ``pool`` with the most votes (the fewest when excluding).

    Candidates are taken one at a time. When several have the votes wanted and not all of them
    can be taken, :func:`break_tie` chooses among them (``look_back`` as the method's rules
    say), and the tie is appended to ``ties``; when all of them can be taken, they are taken in
    the order of ``pool``.

    Parameters
    ----------
    pool : sequence of int
        Candidate codes to choose from, in the order equal candidates are taken without a tie.
    count : int
        How many to choose, at most ``len(pool)``.
    votes : sequence
        Votes by candidate code.
    names : sequence of str
        Names by candidate code (distinct), as the tie-break and its record name them.
    purpose, history, lot, look_back
        As for :func:`break_tie`.
    ties : list of TieBreak
        Ties broken here are appended to it.

    Returns
    -------
    list of int
        The codes chosen, in the order chosen.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> ties: list[TieBreak] = []
    >>> pick([0, 1, 2], 1, [5, 3, 3], ["A", "B", "C"], purpose="exclude",
    ...      history=[{"A": D(5), "B": D(2), "C": D(4)}], lot=Lot(1), look_back="recent", ties=ties)
    [1]
    >>> ties[0].rule
    'earlier stage'
    """
    chosen: list[int] = []
    rest = list(pool)
    while len(chosen) < count:
        values = [votes[c] for c in rest]
        target = min(values) if purpose == "exclude" else max(values)
        tied = [c for c in rest if votes[c] == target]
        choice = tied[0]
        if len(tied) > 1 and len(tied) > count - len(chosen):
            tie = break_tie(
                [names[c] for c in tied], purpose=purpose, history=history, lot=lot, look_back=look_back
            )
            ties.append(tie)
            choice = list(names).index(tie.chosen)
        chosen.append(choice)
        rest.remove(choice)
    return chosen
