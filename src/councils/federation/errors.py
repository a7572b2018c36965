"""Errors the federation services raise. Bad input raises Django's ``ValidationError``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The acting user may not make this change (or see this); the message says why."""


class NotSignedIn(NotAllowed):
    """A visitor who has not signed in asked for what only signed-in people may see."""
