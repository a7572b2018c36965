"""A whole page rendered once per change and shared by its readers, their own parts put in after.

A council page's parts were already shared (``councils.web.views.councils``), but rendering the
layout around them (``web/base.html``: the header, the viewer's name, the forms with their CSRF
tokens, the live stream's address) still took about a quarter of the page's CPU on every
request. What differs from one reader to the next in that layout is a few strings: the CSRF
token, the reader's name and the version the live stream follows from. So the page is rendered
once with stand-ins for those (:func:`render`), kept by the read cache (one entry per change of
the organization, language, day and whatever else the caller puts in its key), and each request
puts its own values in place of the stand-ins, escaped as the template would escape them.

A request that carries messages (a form's outcome, shown once) is rendered whole: the shell has
none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render as render_whole
from django.template.loader import render_to_string
from django.utils.html import conditional_escape

from councils.federation import readcache
from councils.federation.models import Organization
from councils.live.publish import version_now

# Stand-ins: letters and digits only, so that no escaping or URL quoting changes them.
CSRF = "councilsShellCsrf7f3a9c1e"
NAME = "councilsShellName5b2d8e40"
SINCE = "councilsShellSince0c6e2f9b"
_STAND_INS = re.compile(f"{CSRF}|{NAME}|{SINCE}")


class _Reader:
    """The signed-in reader as the layout sees them, named by a stand-in."""

    is_authenticated = True
    is_anonymous = False

    def get_username(self) -> str:
        return NAME


def has_messages(request: HttpRequest) -> bool:
    """Whether the request has messages to show (they are shown once, by the whole render)."""
    return bool(len(get_messages(request)))


def _shell(request: HttpRequest, template: str, context: Mapping[str, Any]) -> str:
    since = getattr(request, "live_since", None)
    request.live_since = SINCE  # type: ignore[attr-defined]
    try:
        return render_to_string(
            template,
            {**context, "csrf_token": CSRF, "user": _Reader(), "messages": ()},
            request=request,
        )
    finally:
        request.live_since = since  # type: ignore[attr-defined]


def render(
    request: HttpRequest,
    organization: Organization,
    key: Hashable,
    template: str,
    context: Callable[[], Mapping[str, Any]],
) -> HttpResponse:
    """The page ``template`` renders with ``context()`` for this signed-in reader: its shell kept
    per change of the organization under ``key`` (which must name everything the context reads
    but the reader: their name, CSRF token and the live version are put in here), their own
    values put in. With messages to show, the page is rendered whole."""
    if has_messages(request) or not getattr(request.user, "is_authenticated", False):
        return render_whole(request, template, context())
    shell = readcache.now(
        organization,
        ("page-shell", template, request.get_full_path(), key),
        lambda: _shell(request, template, context()),
    )
    since = getattr(request, "live_since", None)
    values = {
        CSRF: get_token(request),
        NAME: str(conditional_escape(request.user.get_username())),
        # As {% live_url %}: the request's start, else now.
        SINCE: str(since or version_now()),
    }
    return HttpResponse(_STAND_INS.sub(lambda found: values[found.group(0)], shell))
