"""Errors the voting services raise besides Django's ``ValidationError`` (bad input) and
:class:`~councils.federation.errors.NotAllowed` (no permission)."""

from __future__ import annotations


class AlreadyVoted(Exception):
    """The voter has already voted in this poll (under another idempotency key, or none): a second
    vote is refused and the first stands. The API answers 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
