"""Exceptions raised by the counting library: one base, a shallow hierarchy."""

from __future__ import annotations

__all__ = ["BallotFileError", "CountingError", "InvalidProfileError", "MethodError"]


class CountingError(ValueError):
    """Base of every error the counting library raises on bad input."""


class InvalidProfileError(CountingError):
    """A ballot profile cannot be built from what was given (repeated candidate, unknown index...)."""


class MethodError(CountingError):
    """A counting method cannot run on this profile with these options (e.g. more seats than candidates)."""


class BallotFileError(CountingError):
    """A ballot file is malformed; names the file, the line (1-based) and, where it helps, the column."""

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, column: int | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
