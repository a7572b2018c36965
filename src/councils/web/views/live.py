"""Live updates: the server-sent events stream of an open page."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Organization,
)
from councils.live import access as live_access
from councils.live import hub as live
from councils.live import publish as live_publish
from councils.live import topics as live_topics
from councils.web.views.errors import page_not_found, permission_denied


def _release_connections() -> None:
    """Close this thread's database connections (outside a transaction): a stream must not hold one
    across its wait (STACK-NOTES; with the pool, ten open pages would take every connection)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _live_gate(request: HttpRequest, org_slug: str) -> tuple[int, int, str] | HttpResponseBase:
    """(organization id, user id, session key) if the user may follow the organization, else the
    page saying why (as the other organization pages: visitors sign in, outsiders are refused, an
    unknown name is not found). Three queries: the session, the user, the organization with access."""
    try:
        if not request.user.is_authenticated:
            if not Organization.objects.filter(slug=org_slug).exists():
                raise Http404(org_slug)
            return redirect_to_login(reverse("organization", args=[org_slug]))
        found = live_access.gate(request.user, org_slug)
        if found is None:
            raise Http404(org_slug)
        organization_id, name, allowed = found
        if not allowed:
            raise NotAllowed(
                _("Only members and officers of %(organization)s can see it.") % {"organization": name}
            )
        return organization_id, request.user.pk, request.session.session_key or ""
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    except Http404 as exc:
        return page_not_found(request, exc)
    finally:
        _release_connections()


def _page_language(request: HttpRequest) -> str:
    """The language LocaleMiddleware chose for this request, or the site's."""
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or live.default_language()


@require_GET
async def live_updates(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    """Server-sent events for an open page of the organization, following the topic it shows
    (``?topic=council.3``; the organization's by default): shared fragments to swap in, ``change``
    events for pages that re-read themselves, ``bye`` when the user's access ends."""
    gate = await sync_to_async(_live_gate)(request, org_slug)
    if isinstance(gate, HttpResponseBase):
        return gate
    if not isinstance(request, ASGIRequest):
        # A WSGI server (runserver, the tests' live server) would buffer the endless stream in a
        # thread forever. 204 tells the browser there is nothing to follow; the pages work as before.
        return HttpResponse(status=204)
    organization_id, user_id, session_key = gate
    topic = live_topics.parse(organization_id, request.GET.get("topic") or f"organization.{organization_id}")
    if topic is None:
        return HttpResponse(_("Unknown topic."), status=400, content_type="text/plain")
    # The version the page was rendered at (``live_url``); a client that gives none starts now.
    since = request.GET.get("since", "")
    opened = live.Stream(
        organization_id=organization_id,
        topics=frozenset({topic.name, live_topics.user_topic(organization_id, user_id).name}),
        user_id=user_id,
        session_key=session_key,
        since=int(since) if since.isdigit() else live_publish.version_now(),
        # The page's language (LocaleMiddleware chose it from the cookie or Accept-Language, as for
        # the page itself): its fragments are rendered in it.
        language=_page_language(request),
    )
    hub = live.hub()
    await hub.subscribe(opened)
    response = StreamingHttpResponse(live.stream(hub, opened), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
