"""Validators shared by every interface for text that people type and others read.

Names and texts are shown on pages, in the audit log, in exports and in terminals. A control
character (a NUL byte, an escape sequence) or a bidirectional override (U+202E turns the rest of a
line round, so that ``evil\u202egnp.exe`` reads as ``evilexe.png``) lets one person's text change
how another's reads, and PostgreSQL cannot store a NUL at all. They are refused wherever text
enters: model fields (so ``full_clean`` in the services checks them), the import of members, the
API's schemas through the services.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

__all__ = [
    "EARLIEST_DAY",
    "PlainTextValidator",
    "day_range_problem",
    "text_problem",
    "validate_multiline_text",
    "validate_single_line",
]

#: Bidirectional embeddings, overrides and isolates: they reorder the text after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Control characters a text of several lines may hold.
_LINE_BREAKS = frozenset("\n\r\t")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` as text a person typed, or None.

    The message names the first offending character by its code point and its position (1-based),
    so that it can be found in a long name or a line of a file.
    """
    for position, char in enumerate(value, start=1):
        if char in BIDI_CONTROLS:
            return str(
                _(
                    "holds a bidirectional control character (U+%(code)04X) at character %(position)d, "
                    "which would reorder the text shown after it: remove it"
                )
                % {"code": ord(char), "position": position}
            )
        if unicodedata.category(char) == "Cc" and not (multiline and char in _LINE_BREAKS):
            return str(
                _("holds a control character (U+%(code)04X) at character %(position)d: remove it")
                % {"code": ord(char), "position": position}
            )
    return None


@deconstructible
class PlainTextValidator:
    """A field validator refusing control characters and bidirectional controls (see the module)."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        if not isinstance(value, str):
            return
        problem = text_problem(value, multiline=self.multiline)
        if problem is not None:
            raise ValidationError(
                _("This text %(problem)s."), code="control_character", params={"problem": problem}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


#: For names, titles, labels: one line.
validate_single_line = PlainTextValidator()
#: For reasons, descriptions: line breaks and tabs allowed.
validate_multiline_text = PlainTextValidator(multiline=True)


#: The earliest day the pages and the API show: before any history an organization records (the
#: first soviets met in 1905), and far from the calendar's edge where time zones overflow.
EARLIEST_DAY = date(1800, 1, 1)


def day_range_problem(day: date) -> str | None:
    """Why the state on ``day`` cannot be shown (before :data:`EARLIEST_DAY`, or after today), or None.

    Today is the server's; a day's grace lets a client a time zone ahead ask about its today.
    """
    today = timezone.localdate()
    if EARLIEST_DAY <= day <= today + timedelta(days=1):
        return None
    return str(
        _("Give a date from %(earliest)s to today (%(today)s); %(day)s is out of range.")
        % {"earliest": EARLIEST_DAY.isoformat(), "today": today.isoformat(), "day": day.isoformat()}
    )
