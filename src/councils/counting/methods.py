"""The counting methods by their command-line names.

``METHODS["irv"](profile, seed=...)`` runs a count. Each method's module is imported only when
the method is called, so that this registry (and ``councils count``) loads only what it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from councils.counting.errors import MethodError
from councils.counting.profile import Profile
from councils.counting.result import CountResult

__all__ = ["METHODS", "SINGLE_SEAT", "CountMethod", "get_method"]


class CountMethod(Protocol):
    """A counting method: a profile in, a result with every stage out."""

    def __call__(
        self, profile: Profile, *, seats: int | None = None, seed: int | None = None
    ) -> CountResult: ...


def _plurality(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.plurality import count_plurality

    _single_seat("plurality", seats)
    return count_plurality(profile, seed=seed)


def _block(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.plurality import count_block

    return count_block(profile, seats=seats, seed=seed)


def _irv(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.irv import count_irv

    _single_seat("irv", seats)
    return count_irv(profile, seed=seed)


def _approval(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.approval import count_approval

    return count_approval(profile, seats=seats, seed=seed)


def _scottish_stv(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.stv_scottish import count_scottish_stv

    return count_scottish_stv(profile, seats=seats, seed=seed)


def _ers97(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.ers97 import count_ers97

    return count_ers97(profile, seats=seats, seed=seed)


def _meek_stv(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.meek import count_meek_stv

    return count_meek_stv(profile, seats=seats, seed=seed)


def _schulze(profile: Profile, *, seats: int | None = None, seed: int | None = None) -> CountResult:
    from councils.counting.schulze import count_schulze

    return count_schulze(profile, seats=seats, seed=seed)


def _single_seat(method: str, seats: int | None) -> None:
    if seats is not None and seats != 1:
        raise MethodError(f"{method} fills one seat; got seats={seats}")


#: Methods that fill exactly one seat (a file's seat count is ignored by them).
SINGLE_SEAT = frozenset({"plurality", "irv"})

#: Command-line name -> counting function, all called as ``f(profile, *, seats=None, seed=None)``.
METHODS: dict[str, Callable[..., CountResult]] = {
    "plurality": _plurality,
    "block": _block,
    "approval": _approval,
    "irv": _irv,
    "scottish-stv": _scottish_stv,
    "ers97": _ers97,
    "meek-stv": _meek_stv,
    "schulze": _schulze,
}


def get_method(name: str) -> Callable[..., CountResult]:
    """The counting function called ``name``; MethodError naming the choices if there is none."""
    try:
        return METHODS[name]
    except KeyError:
        raise MethodError(f"unknown counting method {name!r}; choose one of: {', '.join(METHODS)}") from None
