"""Errors the federation services raise. Bad input raises Django's ``ValidationError``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The acting user may not make this change; the message says why."""
