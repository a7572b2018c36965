"""Numbers for SVG attributes: a dot for the decimal point, whatever the locale."""

from __future__ import annotations


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a dot for the decimal point, whatever the locale."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
