"""The sentences that say who holds a council's majority: a faction, a bloc, or no one.

Written in Python (not in a template) because each case needs its own plural forms: Russian has
three, chosen by the number the sentence turns on (``ngettext``).
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext, ngettext

from councils.federation.selectors import BlocCount, Composition, CouncilMajority


def _n(value: int) -> str:
    return formats.localize(value)


def majority_sentence(composition: Composition | CouncilMajority) -> str:
    """Who holds the majority of the filled seats, for each case: no seat filled; a faction holds
    a majority; none does (then the largest faction, when one is largest alone).

    Takes a council's composition or its row of the majority map."""
    filled = composition.filled
    if filled == 0:
        return gettext("No majority: no seat is filled on this date.")
    counts = (
        {fc.faction: fc.seats for fc in composition.factions}
        if isinstance(composition, Composition)
        else composition.counts
    )
    numbers = {"filled": _n(filled), "needed": _n(filled // 2 + 1)}
    if composition.majority is not None:
        return ngettext(
            "Majority: %(faction)s, with %(seats)s of the %(filled)s filled seat (%(needed)s needed).",
            "Majority: %(faction)s, with %(seats)s of the %(filled)s filled seats (%(needed)s needed).",
            filled,
        ) % {**numbers, "faction": composition.majority.name, "seats": _n(counts[composition.majority])}
    sentence = (
        ngettext(
            "No majority: no faction holds more than half of the %(filled)s filled seat (%(needed)s needed).",
            "No majority: no faction holds more than half of the %(filled)s filled seats "
            "(%(needed)s needed).",
            filled,
        )
        % numbers
    )
    largest = composition.largest
    if largest is not None:
        seats = counts[largest]
        sentence += " " + ngettext(
            "The largest, %(faction)s, holds %(seats)s seat.",
            "The largest, %(faction)s, holds %(seats)s seats.",
            seats,
        ) % {"faction": largest.name, "seats": _n(seats)}
    return sentence


def bloc_sentences(composition: Composition | CouncilMajority) -> list[str]:
    """A sentence for each bloc in force (none while no seat is filled)."""
    if composition.filled == 0:
        return []
    needed = composition.filled // 2 + 1
    return [bloc_sentence(b, filled=composition.filled, needed=needed) for b in composition.blocs]


def bloc_sentence(bloc: BlocCount, *, filled: int, needed: int) -> str:
    """How many of the filled seats a bloc's factions hold together, and whether that is a majority."""
    numbers = {"bloc": bloc.name, "seats": _n(bloc.seats), "filled": _n(filled), "needed": _n(needed)}
    if bloc.majority:
        return (
            ngettext(
                "The %(bloc)s holds %(seats)s of %(filled)s filled seat: a majority.",
                "The %(bloc)s holds %(seats)s of %(filled)s filled seats: a majority.",
                filled,
            )
            % numbers
        )
    return (
        ngettext(
            "The %(bloc)s holds %(seats)s of %(filled)s filled seat: no majority (%(needed)s needed).",
            "The %(bloc)s holds %(seats)s of %(filled)s filled seats: no majority (%(needed)s needed).",
            filled,
        )
        % numbers
    )
