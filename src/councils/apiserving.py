"""A lighter stack for the API requests a personal token authenticates: no session, CSRF,
messages, htmx or login-throttling middleware, which such a request never uses.

A profile of an authenticated ``GET /api/organizations`` (bench/web_profile.py) spent about a third
of its CPU in the pages' middleware: loading no session, checking no CSRF token (the API checks
it itself, and only for a session), preparing messages no one reads. A request that carries
``Authorization: Bearer ...`` and no session cookie is for a script: ``councils.serving`` hands it
to :class:`TokenApiHandler`, the same Django with only the middleware that still applies to it
(security headers, the content security policy, the reader's language, the common rules). Its
caller is anonymous until the token authenticates it; a request whose token is refused is answered
401, as under the whole stack, since it has no session either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"

#: The project's middleware that applies to a token's request, in the project's order.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "councils.web.middleware.ContentSecurityPolicy",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "councils.apiserving.AnonymousUntilAuthenticated",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "councils.web.middleware.OverflowIsNotFound",
]


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


class TokenApiHandler(WSGIHandler):
    """Django's WSGI handler with :data:`MIDDLEWARE` instead of the project's whole list."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE and takes no list of its own: the
        # setting is swapped while this handler's chain is built (once, as the server starts).
        whole = settings.MIDDLEWARE
        settings.MIDDLEWARE = MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = whole


def is_token_request(path: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether an HTTP request (its path and its raw ASGI headers) is an API request with a bearer
    token and without the pages' session cookie: one :class:`TokenApiHandler` serves."""
    if not path.startswith(API_PREFIX):
        return False
    bearer = False
    session = settings.SESSION_COOKIE_NAME.encode("latin-1")
    for name, value in headers:
        if name == b"authorization":
            bearer = value[:7].lower() == b"bearer "
        elif name == b"cookie" and session in value:
            return False
    return bearer


def handler_for(wsgi: WSGIHandler, lean: WSGIHandler, scope: dict[str, Any]) -> WSGIHandler:
    """``lean`` for a token's API request (:func:`is_token_request`), else ``wsgi``."""
    return lean if is_token_request(scope["path"], scope.get("headers", ())) else wsgi
