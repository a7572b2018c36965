"""What every page shares beyond Django's own middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from councils.live.publish import version_now
from councils.web.views.errors import page_not_found


class LiveSince:
    """Note the live-update version at which the request starts, before any view reads the
    database: the version a page's stream follows from (``{% live_url %}``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.live_since = version_now()  # type: ignore[attr-defined]
        return self.get_response(request)


class OverflowIsNotFound:
    """An id in a page's address larger than the database's integers (``/polls/99999999999999999999/``)
    names nothing: the 404 page, not a server error (the database driver refuses to send it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            return page_not_found(request, Http404())
        return None
