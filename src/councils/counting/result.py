"""Results of a count: every stage recorded, so a count can be shown, explained and audited.

Values are ``Decimal`` so that a count prescribed at fixed precision (Scottish STV truncates to
five decimal places) is reported exactly as the statute computes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["CountResult", "Stage", "TieBreak"]


@dataclass(frozen=True)
class TieBreak:
    """How a tie was broken.

    Attributes
    ----------
    tied : tuple of str
        The candidates that were tied.
    chosen : str
        The candidate the rule picked (to be elected, or excluded, as ``purpose`` says).
    purpose : str
        What the choice decides: ``"elect"``, ``"exclude"`` or ``"surplus order"``.
    rule : str
        ``"earlier stage"`` when an earlier stage's votes separated them, ``"lot"`` when drawn.
    detail : str
        A sentence a returning officer can read out.
    """

    tied: tuple[str, ...]
    chosen: str
    purpose: str
    rule: str
    detail: str = ""


@dataclass(frozen=True)
class Stage:
    """One stage (round) of a count.

    Attributes
    ----------
    number : int
        1 for the first stage.
    action : str
        What happened, readable: ``"First preferences"``, ``"Surplus of X"``, ``"Exclusion of Y"``.
    votes : Mapping[str, Decimal]
        Each candidate's votes at the end of the stage (elected and excluded ones included).
    exhausted : Decimal
        Value of ballots with no further usable preference, cumulative.
    lost_to_rounding : Decimal
        Value lost by truncation of transfer values, cumulative.
    transfers : Mapping[str, Decimal]
        Votes each candidate gained (positive) or lost (negative) in this stage.
    quota : Decimal or None
        The quota in force at this stage (Meek STV recomputes it).
    elected, excluded : tuple of str
        Candidates elected or excluded in this stage, in order.
    ties : tuple of TieBreak
        Ties met in this stage and how each was broken.
    note : str
        Anything else worth telling (e.g. "remaining candidates elected to fill the last seats").
    """

    number: int
    action: str
    votes: Mapping[str, Decimal]
    exhausted: Decimal = Decimal(0)
    lost_to_rounding: Decimal = Decimal(0)
    transfers: Mapping[str, Decimal] = field(default_factory=dict)
    quota: Decimal | None = None
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    ties: tuple[TieBreak, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; decimals become strings so no precision is lost."""
        return {
            "number": self.number,
            "action": self.action,
            "votes": {name: str(v) for name, v in self.votes.items()},
            "exhausted": str(self.exhausted),
            "lost_to_rounding": str(self.lost_to_rounding),
            "transfers": {name: str(v) for name, v in self.transfers.items()},
            "quota": None if self.quota is None else str(self.quota),
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "ties": [tie_to_dict(t) for t in self.ties],
            "note": self.note,
        }


def tie_to_dict(tie: TieBreak) -> dict[str, Any]:
    """A JSON-ready dict of a tie break."""
    return {
        "tied": list(tie.tied),
        "chosen": tie.chosen,
        "purpose": tie.purpose,
        "rule": tie.rule,
        "detail": tie.detail,
    }


@dataclass(frozen=True)
class CountResult:
    """The outcome of a count and how it was reached.

    Attributes
    ----------
    method : str
        The method's command-line name (``"scottish-stv"``, ``"irv"``...).
    seats : int
        Seats filled.
    candidates : tuple of str
        All candidates, in the profile's order.
    elected : tuple of str
        The winners in order of election.
    stages : tuple of Stage
        Every stage of the count.
    quota : Decimal or None
        The (initial) quota, for quota methods.
    seed : int or None
        The seed of any lot drawn; giving it again repeats the count exactly.
    extra : Mapping[str, Any]
        Method-specific data that is part of the explanation (Schulze's pairwise matrix and
        strongest paths, for instance), JSON-ready.
    """

    method: str
    seats: int
    candidates: tuple[str, ...]
    elected: tuple[str, ...]
    stages: tuple[Stage, ...]
    quota: Decimal | None = None
    seed: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ties(self) -> tuple[TieBreak, ...]:
        """Every tie of the count, in the order met."""
        return tuple(t for s in self.stages for t in s.ties)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with at least ``method``, ``seats``, ``elected`` and ``stages``."""
        return {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "elected": list(self.elected),
            "quota": None if self.quota is None else str(self.quota),
            "seed": self.seed,
            "ties": [tie_to_dict(t) for t in self.ties],
            "stages": [s.to_dict() for s in self.stages],
            **dict(self.extra),
        }
