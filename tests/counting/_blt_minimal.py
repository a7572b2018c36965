"""BLT loading for the STV tests: ``councils.counting.blt.read_blt``, or a minimal stand-in.

The stand-in is used only while ``read_blt`` is not importable (it is written in parallel).

Reads ``n_candidates n_seats``, optional withdrawn line (negative codes), ballot lines
``weight c1 c2 ... 0``, a ``0`` line, quoted candidate names and a quoted title.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from councils.counting.profile import Profile


def read_blt_minimal(path: Path) -> Profile:
    tokens_lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    lines = [t for t in tokens_lines if t and not t.startswith("#")]
    n_cand, seats = (int(x) for x in lines[0].split()[:2])
    i = 1
    withdrawn: list[int] = []
    if lines[i].startswith("-"):
        withdrawn = [-int(x) - 1 for x in lines[i].split()]
        i += 1
    rankings: list[list[int]] = []
    weights: list[int] = []
    while lines[i] != "0":
        parts = lines[i].split()
        weights.append(int(parts[0]))
        rankings.append([int(x) - 1 for x in parts[1:] if x != "0"])
        i += 1
    i += 1
    rest = shlex.split(" ".join(lines[i:]))
    names, title = rest[:n_cand], (rest[n_cand] if len(rest) > n_cand else "")
    return Profile.from_rankings(names, rankings, weights, seats=seats, title=title, withdrawn=withdrawn)


def load_blt(path: Path) -> Profile:
    """Read a BLT file with the library's reader when present, else with the stand-in."""
    try:
        from councils.counting.blt import read_blt
    except ImportError:  # pragma: no cover - only before blt.py lands
        return read_blt_minimal(path)
    return read_blt(path)
