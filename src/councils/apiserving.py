"""A lighter stack for the API requests a personal token authenticates: the same views, without the
middleware that only pages and signed-in sessions use.

Profiles of a script's requests (bench/web_profile.py for ``GET /api/organizations``,
bench/voting_bench_profile.py for a cast) spent a sixth to a third of their CPU in middleware that
such a request never uses: loading no session, checking no CSRF token (the API checks it itself,
and only for a session), preparing messages no one reads, sign-in lockouts, static files, the live
page's version. A cast also spent about a twelfth resolving its address against every route.

A request that carries ``Authorization: Bearer ...`` and no session cookie, to an address under
``/api/``, is for a script: ``councils.serving`` hands it to :class:`TokenApiHandler`, the same
Django with the rest of the middleware (security headers, the content security policy, the
reader's language, the common rules, X-Frame-Options) around the SAME ninja views: the endpoint, its
authentication, its schemas, the service and the error mapping are those every other request goes
through, so answers, status codes and error bodies do not change. Its caller is anonymous until the
token authenticates it; a request whose token is refused is answered 401, as under the whole stack,
since it has no session either. The hottest writes' addresses (a cast, a petition's signature) are
found without trying every other route, and their views are :mod:`councils.lean`'s: the same
endpoints without ninja's operation machinery.

``COUNCILS_LIGHT_API=0`` turns the lighter stack off (every request then takes the whole one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import ResolverMatch, get_resolver

from councils import lean
from councils.lean import cast, sign

API_PREFIX = "/api/"


@dataclass(frozen=True)
class LeanRoute:
    """An address served by a lean view: its pattern as Django's router reads it (ninja's
    ``{slug}`` and ids are plain path segments; ninja validates them), an address it matches, the
    route's name, and the maker of its lean view from ninja's."""

    pattern: re.Pattern[str]
    sample: str
    url_name: str
    make_view: Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]


LEAN_ROUTES = (
    LeanRoute(
        re.compile(r"^/api/organizations/(?P<slug>[^/]+)/polls/(?P<poll_id>[^/]+)/ballots$"),
        "/api/organizations/sample/polls/1/ballots",
        "ballot_cast",
        cast.make_view,
    ),
    LeanRoute(
        re.compile(r"^/api/organizations/(?P<slug>[^/]+)/petitions/(?P<petition_id>[^/]+)/sign$"),
        "/api/organizations/sample/petitions/1/sign",
        "petition_sign",
        sign.make_view,
    ),
)

# The project's middleware that a token's API request does not need, and why.
SKIPPED = {
    "councils.web.middleware.LiveSince": "pages' live streams only",
    "whitenoise.middleware.WhiteNoiseMiddleware": "static files only",
    "django.contrib.sessions.middleware.SessionMiddleware": "no session cookie, so no session",
    "django.middleware.csrf.CsrfViewMiddleware": "the API checks CSRF itself, for sessions only",
    "councils.web.authentication.SessionUser": "reads a session's user; a token's request has no session",
    "django.contrib.messages.middleware.MessageMiddleware": "pages only",
    "django_htmx.middleware.HtmxMiddleware": "pages only",
    "axes.middleware.AxesMiddleware": "sign-in lockouts; a token's request never signs in",
}
# The signed-in user's middleware is replaced: the token, not a session, names the caller.
AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
ANONYMOUS = "councils.apiserving.AnonymousUntilAuthenticated"


def enabled() -> bool:
    """Whether the lighter stack is on: ``COUNCILS_LIGHT_API`` (default on; ``0`` turns it off)."""
    return os.environ.get("COUNCILS_LIGHT_API", "1").strip().lower() not in {"0", "false", "off", "no"}


def middleware() -> list[str]:
    """The project's middleware, in its order, as a token's API request needs it."""
    kept = [path for path in settings.MIDDLEWARE if path not in SKIPPED]
    return [ANONYMOUS if path == AUTHENTICATION else path for path in kept]


class AnonymousUntilAuthenticated:
    """Stands in for the session and authentication middleware: the caller is anonymous until the
    API's token authentication names them (``councils.api.TokenAuth`` sets ``request.user``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        # Imported here: councils.serving imports this module before Django's apps are loaded.
        from django.contrib.auth.models import AnonymousUser

        self.get_response = get_response
        self.anonymous = AnonymousUser

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = self.anonymous()
        return self.get_response(request)


class LightHandlerMixin(BaseHandler):
    """A Django handler with :func:`middleware` only, which finds the lean routes' addresses
    directly."""

    # False in a handler that must call ninja's endpoints at the lean routes too (the tests compare).
    lean_views = True

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE and takes no list of its own: the
        # setting is swapped while this handler's chain is built (once, as the server starts).
        whole = settings.MIDDLEWARE
        settings.MIDDLEWARE = middleware()
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = whole
        # Each lean route: what the router finds at its address, and the view that serves it (the
        # lean one, which hands what it does not expect to ninja's; ninja's alone when they are off).
        self._lean: list[tuple[LeanRoute, ResolverMatch, Callable[..., HttpResponseBase]]] = []
        for route in LEAN_ROUTES:
            found = get_resolver().resolve(route.sample)
            if found.url_name != route.url_name:
                raise ImproperlyConfigured(
                    f"{route.sample} is not {route.url_name}: see councils.apiserving."
                )
            view = route.make_view(found.func) if self.lean_views and lean.enabled() else found.func
            self._lean.append((route, found, view))

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """A lean route's view as Django's router would find it, without trying every other
        route; any other address by the router."""
        path = request.path_info
        for route, found, view in self._lean:
            matched = route.pattern.match(path)
            if matched is None:
                continue
            kwargs = matched.groupdict()
            match = ResolverMatch(
                view,
                (),
                kwargs,
                url_name=found.url_name,
                app_names=[*found.app_names],
                namespaces=[*found.namespaces],
                route=found.route,
                captured_kwargs=kwargs,
            )
            request.resolver_match = match
            return match
        return super().resolve_request(request)


class TokenApiHandler(LightHandlerMixin, WSGIHandler):
    """Django's WSGI handler with the lighter stack."""


def _is_token_request(path: str, authorization: bytes, cookie: bytes) -> bool:
    session = settings.SESSION_COOKIE_NAME.encode("latin-1")
    return path.startswith(API_PREFIX) and authorization[:7].lower() == b"bearer " and session not in cookie


def is_token_request(path: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether an HTTP request (its path and its raw ASGI headers) is an API request with a bearer
    token and without the pages' session cookie: :class:`TokenApiHandler` serves it."""
    authorization, cookies = b"", []
    for name, value in headers:
        if name == b"authorization":
            authorization = value
        elif name == b"cookie":  # HTTP/2 may split the cookies over several headers
            cookies.append(value)
    return _is_token_request(path, authorization, b"; ".join(cookies))


def environ_is_token_request(environ: Mapping[str, Any]) -> bool:
    """:func:`is_token_request` for a WSGI environ (Django's test client)."""
    return _is_token_request(
        environ.get("PATH_INFO", ""),
        environ.get("HTTP_AUTHORIZATION", "").encode("latin-1"),
        environ.get("HTTP_COOKIE", "").encode("latin-1"),
    )


def handler_for(wsgi: WSGIHandler, lean: WSGIHandler | None, scope: Mapping[str, Any]) -> WSGIHandler:
    """``lean`` for a token's API request (:func:`is_token_request`), else ``wsgi``; always ``wsgi``
    when ``lean`` is None (the lighter stack turned off)."""
    if lean is not None and is_token_request(scope["path"], scope.get("headers", ())):
        return lean
    return wsgi
