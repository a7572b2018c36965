"""A lighter path through Django for a script's cast: ``POST .../polls/<id>/ballots`` with a token.

A profile of a cast through the server (bench/voting_bench_profile.py) spent about a sixth of its
CPU in middleware that a request authenticated by a personal API token does not use (the session,
CSRF, the signed-in user, messages, htmx, axes, WhiteNoise, the live-page version) and about a
twelfth in resolving its address against every route of the site. Such a request is served here
by a second Django handler that runs the rest of the middleware (security headers, the content
security policy, the language of the messages, X-Frame-Options) around the SAME ninja view, found
by its address once: the endpoint, its authentication, its schemas, the service and the error
mapping are the ones every other request goes through, so answers, status codes and error bodies
do not change. Only the framework's work that such a request cannot need is left out.

A request takes this path only when it carries ``Authorization: Bearer ...`` and no cookie: with
a cookie, a session could authenticate it when the token does not, so it takes the full path.
``COUNCILS_FAST_CAST=0`` turns the path off (every request then takes the full one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import ResolverMatch, get_resolver
from django.utils.module_loading import import_string

# The cast's address as Django's router reads it (ninja's ``{slug}`` and ``{poll_id}`` are plain
# path segments; ninja validates them).
CAST_PATH = re.compile(r"^/api/organizations/(?P<slug>[^/]+)/polls/(?P<poll_id>[^/]+)/ballots$")
SAMPLE_PATH = "/api/organizations/sample/polls/1/ballots"

# Middleware a token-authenticated API write does not need, and why.
SKIPPED = {
    "councils.web.middleware.LiveSince",  # pages' live streams only
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
    "django.contrib.sessions.middleware.SessionMiddleware",  # no cookie, so no session
    "django.middleware.csrf.CsrfViewMiddleware",  # the API's views are exempt; a token is no cookie
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # the token sets request.user
    "django.contrib.messages.middleware.MessageMiddleware",  # pages only
    "django_htmx.middleware.HtmxMiddleware",  # pages only
    "axes.middleware.AxesMiddleware",  # sign-in lockouts; a token request never signs in
}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def enabled() -> bool:
    """Whether the lighter path is on: ``COUNCILS_FAST_CAST`` (default on; ``0`` turns it off)."""
    return os.environ.get("COUNCILS_FAST_CAST", "1").strip() not in {"0", "false", "off", "no"}


def applies(environ: dict[str, Any]) -> bool:
    """Whether a request (its WSGI environ) may take the lighter path: a POST to the cast's
    address with a bearer token and no cookie."""
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and not environ.get("HTTP_COOKIE")
        and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and CAST_PATH.match(environ.get("PATH_INFO", "")) is not None
    )


def kept_middleware() -> list[str]:
    """The site's middleware, in order, less what a token-authenticated write does not need."""
    return [path for path in settings.MIDDLEWARE if path not in SKIPPED]


class LightHandlerMixin(BaseHandler):
    """A Django handler with the kept middleware only, which resolves the cast's address alone."""

    def load_middleware(self, is_async: bool = False) -> None:
        """Django's own chain (BaseHandler.load_middleware), sync only, of the kept middleware."""
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        # The stubs do not declare BaseHandler._get_response, the innermost step (the view).
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(kept_middleware()):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._cast = get_resolver().resolve(SAMPLE_PATH)
        if self._cast.url_name != "ballot_cast":
            raise ImproperlyConfigured(f"{SAMPLE_PATH} is not the cast's address: see councils.fastpath.")
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """The cast's view, as Django's router would find it, without trying every other route."""
        found = CAST_PATH.match(request.path_info)
        if found is None:  # only requests that ``applies`` accepts come here
            return super().resolve_request(request)
        route = self._cast
        app_names: list[str | None] = [*route.app_names]
        namespaces: list[str | None] = [*route.namespaces]
        match = ResolverMatch(
            route.func,
            (),
            found.groupdict(),
            url_name=route.url_name,
            app_names=app_names,
            namespaces=namespaces,
            route=route.route,
            captured_kwargs=found.groupdict(),
        )
        request.resolver_match = match
        return match


class LightHandler(LightHandlerMixin, WSGIHandler):
    """The lighter path's WSGI handler."""


class Dispatcher:
    """The WSGI application: a cast by token to the lighter handler, everything else to Django's."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.light = LightHandler() if enabled() else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.light is not None and applies(environ):
            return self.light(environ, start_response)
        return self.full(environ, start_response)
