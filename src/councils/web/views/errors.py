"""The error pages: refused (403), not found (404), and locked out after failed sign-ins."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page, with the service's reason when it gave one."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "web/403.html", {"reason": reason}, status=403)


class NoSuchPage(Http404):
    """A page number a list does not have; its message, for people, is shown on the 404 page."""


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page; it says which page of a list does not exist (other 404s carry internal text)."""
    reason = str(exception) if isinstance(exception, NoSuchPage) else ""
    return render(request, "web/404.html", {"reason": reason}, status=404)


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What django-axes shows after too many failed sign-ins (``AXES_LOCKOUT_CALLABLE``)."""
    cool_off = get_cool_off(request)
    hours = math.ceil(cool_off.total_seconds() / 3600) if cool_off else 1
    return render(request, "web/locked_out.html", {"cooloff_hours": hours}, status=429)
