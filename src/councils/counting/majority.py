"""Majority and quorum rules for yes/no/abstain polls.

Definitions (after *Robert's Rules of Order Newly Revised*, 12th ed., §§1:7, 4:35, 44, and common
statutes):

* **Votes cast** are yes + no. Abstentions are not votes cast (``abstentions="exclude"``, the
  default and Robert's rule), unless the body's rules count them as cast (``abstentions="count"``,
  "a majority of those present and voting, abstentions included"): then they weigh like no votes.
* **Simple majority** (``"simple"``): *more than half* of the votes cast. With abstentions
  excluded this is "more yes than no"; a tie (yes == no) fails.
* **Absolute majority** (``"absolute"``): *more than half* of the members (the whole membership,
  present or not).
* **Two thirds, three quarters** (``"two-thirds"``, ``"three-quarters"``): *at least* that share
  of the votes cast (``base="cast"``, the default) or of the members (``base="members"``).
  "At least" is the usual statutory wording: 2 of 3 votes is two thirds.
* **Unanimity** (``"unanimity"``): every vote cast is yes (``base="cast"``; abstentions break it only
  when counted as cast), or every member votes yes (``base="members"``).
* Nothing is adopted without a single yes vote: with no votes cast, every rule fails.
* **Quorum**: the members present that a decision needs. An ``int`` is a number of members; a
  share (``Fraction``, ``Decimal`` or ``float`` in (0, 1]) means *at least* that share of the
  members; ``"majority"`` means more than half of the members (Robert's default quorum). Without a
  quorum no decision is taken: ``adopted`` is ``False`` and ``quorum_met`` says why.
* **Weights.** Counts may be weighted (a delegate carrying a mandate of N votes counts N): pass
  totals of weights, or tally weighted votes with `tally`. Weights may be ``int``, ``Fraction``,
  ``Decimal`` or ``float`` (read as written: ``0.1`` is one tenth); all arithmetic is exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal, TypeAlias

from councils.counting.errors import CountingError, MethodError

__all__ = [
    "ABSTENTION_POLICIES",
    "BASES",
    "Decision",
    "MajorityRule",
    "Tally",
    "decide",
    "tally",
]

Number: TypeAlias = int | Fraction | Decimal | float
Base = Literal["cast", "members"]
AbstentionPolicy = Literal["exclude", "count"]
Choice = Literal["yes", "no", "abstain"]

BASES: tuple[Base, ...] = ("cast", "members")
ABSTENTION_POLICIES: tuple[AbstentionPolicy, ...] = ("exclude", "count")


class MajorityRule(StrEnum):
    """The majority a motion needs (see the module docstring for exact definitions)."""

    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two-thirds"
    THREE_QUARTERS = "three-quarters"
    UNANIMITY = "unanimity"


# share of the base, whether reaching it exactly suffices, the words used in explanations
_RULES: dict[MajorityRule, tuple[Fraction, bool, str]] = {
    MajorityRule.SIMPLE: (Fraction(1, 2), False, "more than half"),
    MajorityRule.ABSOLUTE: (Fraction(1, 2), False, "more than half"),
    MajorityRule.TWO_THIRDS: (Fraction(2, 3), True, "two thirds"),
    MajorityRule.THREE_QUARTERS: (Fraction(3, 4), True, "three quarters"),
    MajorityRule.UNANIMITY: (Fraction(1), True, "unanimity"),
}
# the base a rule uses when none is given, and the bases it accepts
_DEFAULT_BASE: dict[MajorityRule, Base] = {
    MajorityRule.SIMPLE: "cast",
    MajorityRule.ABSOLUTE: "members",
    MajorityRule.TWO_THIRDS: "cast",
    MajorityRule.THREE_QUARTERS: "cast",
    MajorityRule.UNANIMITY: "cast",
}


@dataclass(frozen=True)
class Tally:
    """Weighted totals of yes, no and abstain votes."""

    yes: Fraction
    no: Fraction
    abstain: Fraction


@dataclass(frozen=True)
class Decision:
    """Whether a motion is adopted, and why.

    Attributes
    ----------
    adopted : bool
        True when the quorum was met and the majority reached.
    quorum_met : bool
        False when too few members were present to decide (``adopted`` is then False).
    rule : MajorityRule
        The majority required.
    base : {"cast", "members"}
        What the share is a share of.
    abstentions : {"exclude", "count"}
        Whether abstentions counted as votes cast.
    yes, no, abstain : Fraction
        The (weighted) counts.
    members, present : Fraction
        The body's membership and the members present (weighted as the votes are).
    base_total : Fraction
        Votes cast (yes + no, plus abstentions when counted) or members, as ``base`` says.
    share : Fraction
        The share of ``base_total`` required: 1/2, 2/3, 3/4 or 1.
    at_least : bool
        True when reaching ``required`` suffices ("at least two thirds"); False when yes must
        exceed it ("more than half").
    required : Fraction
        ``share * base_total``, exactly.
    votes_needed : int
        The fewest whole yes votes that pass (0 when there is no base to reach); with integral
        weights ``adopted`` equals ``quorum_met and yes >= votes_needed``.
    quorum_required : Fraction or None
        Members that had to be present, exactly (None when no quorum applies).
    explanation : str
        One sentence, e.g. ``"Adopted: 34 yes of 50 votes cast, two thirds required (34 ≥ 33.34)."``
    """

    adopted: bool
    quorum_met: bool
    rule: MajorityRule
    base: Base
    abstentions: AbstentionPolicy
    yes: Fraction
    no: Fraction
    abstain: Fraction
    members: Fraction
    present: Fraction
    base_total: Fraction
    share: Fraction
    at_least: bool
    required: Fraction
    votes_needed: int
    quorum_required: Fraction | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; whole numbers stay numbers, other fractions become strings (``"2/3"``)."""
        return {
            "adopted": self.adopted,
            "quorum_met": self.quorum_met,
            "rule": self.rule.value,
            "base": self.base,
            "abstentions": self.abstentions,
            "yes": _json(self.yes),
            "no": _json(self.no),
            "abstain": _json(self.abstain),
            "members": _json(self.members),
            "present": _json(self.present),
            "base_total": _json(self.base_total),
            "share": str(self.share),
            "at_least": self.at_least,
            "required": _json(self.required),
            "votes_needed": self.votes_needed,
            "quorum_required": None if self.quorum_required is None else _json(self.quorum_required),
            "explanation": self.explanation,
        }


def _json(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else str(value)


def _exact(name: str, value: object) -> Fraction:
    """A count or weight as an exact Fraction; floats are read as written (0.1 is one tenth)."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal | float):
        raise CountingError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CountingError(f"{name} must be a finite number, got {value!r}")
        return Fraction(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise CountingError(f"{name} must be a finite number, got {value!r}")
    return Fraction(value)


def _show(value: Fraction, rounding: str = ROUND_HALF_EVEN) -> str:
    """A number for people: whole numbers as such, others to at most two decimals, rounded as told.

    Thresholds are shown rounded up ("at least") or down ("more than"), so that a whole number of
    votes passes the shown figure exactly when it passes the exact one.
    """
    if value.denominator == 1:
        return str(value.numerator)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding)
    return str(int(shown)) if shown == shown.to_integral_value() else str(shown.normalize())


def tally(votes: Iterable[tuple[Choice, Number]]) -> Tally:
    """Total weighted votes, each ``(choice, weight)`` with choice ``"yes"``, ``"no"`` or ``"abstain"``.

    A delegate carrying a mandate of N votes is one vote of weight N.

    Examples
    --------
    >>> t = tally([("yes", 3), ("no", 1), ("yes", 2), ("abstain", 1)])
    >>> t.yes, t.no, t.abstain
    (Fraction(5, 1), Fraction(1, 1), Fraction(1, 1))
    """
    totals = {"yes": Fraction(0), "no": Fraction(0), "abstain": Fraction(0)}
    for position, (choice, weight) in enumerate(votes):
        if choice not in totals:
            raise CountingError(f"vote {position}: choice must be yes, no or abstain, got {choice!r}")
        w = _exact(f"vote {position}: weight", weight)
        if w < 0:
            raise CountingError(f"vote {position}: weight must not be negative, got {weight!r}")
        totals[choice] += w
    return Tally(yes=totals["yes"], no=totals["no"], abstain=totals["abstain"])


def _parse_rule(rule: MajorityRule | str) -> MajorityRule:
    try:
        return MajorityRule(rule)
    except ValueError:
        allowed = ", ".join(r.value for r in MajorityRule)
        raise MethodError(f"unknown majority rule {rule!r}; choose one of: {allowed}") from None


def _quorum_required(quorum: Number | Literal["majority"], members: Fraction) -> tuple[Fraction, bool]:
    """Members needed present, and whether reaching that number suffices (else it must be exceeded)."""
    if quorum == "majority":
        return members / 2, False
    if isinstance(quorum, int) and not isinstance(quorum, bool):
        if not 0 <= quorum <= members:
            raise CountingError(f"quorum must be between 0 and the {_show(members)} members, got {quorum}")
        return Fraction(quorum), True
    share = _exact("quorum", quorum)
    if not 0 < share <= 1:
        raise CountingError(
            f"quorum as a share of the members must be above 0 and at most 1, got {quorum!r} "
            "(give an int for a number of members)"
        )
    return share * members, True


def decide(
    *,
    yes: Number,
    no: Number,
    abstain: Number = 0,
    members: Number,
    present: Number | None = None,
    rule: MajorityRule | str = MajorityRule.SIMPLE,
    base: Base | None = None,
    abstentions: AbstentionPolicy = "exclude",
    quorum: Number | Literal["majority"] | None = None,
) -> Decision:
    """Decide a yes/no/abstain poll by a majority rule and a quorum.

    Parameters
    ----------
    yes, no, abstain : int, Fraction, Decimal or float
        The (weighted) counts; ``abstain`` defaults to 0.
    members : int, Fraction, Decimal or float
        The body's membership (total voting weight), present or not.
    present : number, optional
        Members present; by default those who voted (``yes + no + abstain``).
    rule : MajorityRule or str
        ``"simple"`` (default), ``"absolute"``, ``"two-thirds"``, ``"three-quarters"``,
        ``"unanimity"``.
    base : {"cast", "members"}, optional
        What the share is of. Defaults to ``"members"`` for ``"absolute"`` and ``"cast"``
        otherwise; ``"simple"`` accepts only ``"cast"`` and ``"absolute"`` only ``"members"``.
    abstentions : {"exclude", "count"}
        Whether abstentions are votes cast (then they act like no votes). Default ``"exclude"``.
    quorum : int, share, "majority" or None
        Members required present (see the module docstring). Default: no quorum.

    Returns
    -------
    Decision
        Adopted or not, the exact threshold, the counts and an explanation.

    Raises
    ------
    MethodError
        For an unknown rule, base or abstention policy, or a base the rule does not take.
    CountingError
        For a negative or non-numeric count, ``yes + no + abstain`` above ``present`` or
        ``members``, ``present`` above ``members``, or a quorum out of range; the message names
        the value.

    Notes
    -----
    Complexity: O(1); all arithmetic is on exact fractions.

    Examples
    --------
    >>> decide(yes=34, no=16, members=60, rule="two-thirds").explanation
    'Adopted: 34 yes of 50 votes cast, two thirds required (34 ≥ 33.34).'
    >>> d = decide(yes=25, no=25, abstain=3, members=60)
    >>> d.adopted, d.explanation
    (False, 'Rejected: 25 yes of 50 votes cast, more than half required (25 ≤ 25).')
    >>> decide(yes=20, no=2, members=60, rule="absolute", quorum="majority").explanation
    'No decision: quorum not met (22 of 60 members present, more than 30 required).'
    """
    the_rule = _parse_rule(rule)
    if abstentions not in ABSTENTION_POLICIES:
        raise MethodError(
            f"unknown abstentions policy {abstentions!r}; choose one of: {', '.join(ABSTENTION_POLICIES)}"
        )
    the_base: Base = _DEFAULT_BASE[the_rule] if base is None else base
    if the_base not in BASES:
        raise MethodError(f"unknown base {base!r}; choose one of: {', '.join(BASES)}")
    if the_rule is MajorityRule.SIMPLE and the_base != "cast":
        raise MethodError("rule 'simple' is a majority of votes cast; use rule 'absolute' for members")
    if the_rule is MajorityRule.ABSOLUTE and the_base != "members":
        raise MethodError("rule 'absolute' is a majority of members; use rule 'simple' for votes cast")

    counts = {"yes": _exact("yes", yes), "no": _exact("no", no), "abstain": _exact("abstain", abstain)}
    n_members = _exact("members", members)
    for label, value in (*counts.items(), ("members", n_members)):
        if value < 0:
            raise CountingError(f"{label} must not be negative, got {_show(value)}")
    y, n, a = counts["yes"], counts["no"], counts["abstain"]
    voted = y + n + a
    if voted > n_members:
        raise CountingError(
            f"yes + no + abstain = {_show(voted)} is more than the {_show(n_members)} members"
        )
    if present is None:
        n_present = voted
    else:
        n_present = _exact("present", present)
        if n_present < 0:
            raise CountingError(f"present must not be negative, got {_show(n_present)}")
        if n_present > n_members:
            raise CountingError(f"present = {_show(n_present)} is more than the {_show(n_members)} members")
        if voted > n_present:
            raise CountingError(
                f"yes + no + abstain = {_show(voted)} is more than the {_show(n_present)} present"
            )

    quorum_required: Fraction | None = None
    quorum_met = True
    quorum_words = ""
    if quorum is not None:
        quorum_required, reaching_suffices = _quorum_required(quorum, n_members)
        if reaching_suffices:
            quorum_met = n_present >= quorum_required
            quorum_words = f"{_show(quorum_required)} required"
        else:
            quorum_met = n_present > quorum_required
            quorum_words = f"more than {_show(quorum_required, ROUND_FLOOR)} required"

    share, at_least, words = _RULES[the_rule]
    if the_base == "members":
        base_total, of_what = n_members, "members"
    else:
        base_total = y + n + (a if abstentions == "count" else 0)
        of_what = "votes cast"
    required = share * base_total
    reached = (y >= required if at_least else y > required) and y > 0
    votes_needed = 0 if base_total == 0 else (math.ceil(required) if at_least else math.floor(required) + 1)
    adopted = quorum_met and reached

    if not quorum_met:
        explanation = (
            f"No decision: quorum not met ({_show(n_present)} of {_show(n_members)} members present, "
            f"{quorum_words})."
        )
    else:
        verdict = "Adopted" if adopted else "Rejected"
        if base_total == 0:
            explanation = f"{verdict}: no votes cast, {words} of {of_what} required."
        elif the_rule is MajorityRule.UNANIMITY:
            explanation = (
                f"{verdict}: {_show(y)} yes of {_show(base_total)} {of_what}, unanimity required "
                f"({_show(base_total - y)} not yes)."
            )
        else:
            if at_least:
                shown = _show(required, ROUND_CEILING)
                sign = "≥" if reached else "<"
            else:
                shown = _show(required, ROUND_FLOOR)
                sign = ">" if reached else "≤"
            explanation = (
                f"{verdict}: {_show(y)} yes of {_show(base_total)} {of_what}, {words} required "
                f"({_show(y)} {sign} {shown})."
            )
    return Decision(
        adopted=adopted,
        quorum_met=quorum_met,
        rule=the_rule,
        base=the_base,
        abstentions=abstentions,
        yes=y,
        no=n,
        abstain=a,
        members=n_members,
        present=n_present,
        base_total=base_total,
        share=share,
        at_least=at_least,
        required=required,
        votes_needed=votes_needed,
        quorum_required=quorum_required,
        explanation=explanation,
    )
