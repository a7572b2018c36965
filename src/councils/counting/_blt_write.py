"""Writing a ballot profile as a BLT file (``councils.counting.blt`` reads them)."""

from __future__ import annotations

import io
import os
from typing import IO

import numpy as np

from councils.counting.errors import InvalidProfileError
from councils.counting.profile import NO_CANDIDATE, Profile


def write_blt(profile: Profile, destination: str | os.PathLike[str] | IO[str]) -> None:
    """Write ``profile`` as a BLT file (one line per distinct ballot, with its weight).

    Parameters
    ----------
    profile : Profile
        The ballots. Weights must be whole numbers; names and title must not contain ``"``.
    destination : str, path-like or text stream
        A path to write (UTF-8, LF line ends) or an open text stream.

    Raises
    ------
    InvalidProfileError
        If a weight is fractional or negative, or a name holds a double quote or a line break.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> write_blt(Profile.from_rankings(["Ann", "Bob"], [[0, 1], [1]], seats=1, title="T"), out)
    >>> print(out.getvalue(), end="")
    2 1
    1 1 2 0
    1 2 0
    0
    "Ann"
    "Bob"
    "T"
    """
    weights = profile.weights
    if np.issubdtype(weights.dtype, np.floating) and (
        not np.all(np.isfinite(weights)) or not np.all(np.floor(weights) == weights)
    ):
        raise InvalidProfileError("BLT weights must be whole numbers; this profile has fractional weights")
    if weights.shape[0] and weights.min() < 0:
        raise InvalidProfileError("BLT weights must not be negative")
    for name in (*profile.candidates, profile.title):
        if '"' in name or "\n" in name or "\r" in name:
            raise InvalidProfileError(f"a BLT name cannot hold a double quote or a line break: {name!r}")
    if isinstance(destination, (str, os.PathLike)):
        with open(destination, "w", encoding="utf-8", newline="\n") as f:
            _write(profile, f)
    else:
        _write(profile, destination)


def _write(profile: Profile, out: IO[str]) -> None:
    out.write(f"{profile.n_candidates} {profile.seats}\n")
    if profile.withdrawn:
        out.write(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)) + "\n")
    labels = [str(c + 1) for c in range(profile.n_candidates)]
    buffer = io.StringIO()
    for row, weight in zip(profile.ranks.tolist(), profile.weights.astype(np.int64).tolist(), strict=True):
        buffer.write(str(weight))
        for code in row:
            if code == NO_CANDIDATE:
                break
            buffer.write(" ")
            buffer.write(labels[code])
        buffer.write(" 0\n")
    out.write(buffer.getvalue())
    out.write("0\n")
    for name in profile.candidates:
        out.write(f'"{name}"\n')
    out.write(f'"{profile.title}"\n')
