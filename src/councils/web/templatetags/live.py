"""``{% live_url organization "council" council.pk %}``: the live-update stream a page follows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from councils.live.publish import version_now

register = template.Library()


@register.simple_tag(takes_context=True)
def live_url(context: Any, organization: Any, kind: str, object_id: Any) -> str:
    """The stream of one topic of ``organization``, with the version the page was read at: a change
    committed between this page's reads and the stream's opening is sent as soon as it opens.

    That version is the request's start (``LiveSince`` middleware), taken before the view reads
    anything: a version taken at render time would be newer than a change committed while the
    view was reading, and the stream would never send it (a poll published milliseconds after it
    was counted stayed "counted" on a page read in between). A change the page did see may be
    sent once more; that costs one swap of the same fragment."""
    request = context.get("request")
    since = getattr(request, "live_since", None) or version_now()
    query = urlencode({"topic": f"{kind}.{int(object_id)}", "since": since})
    return f"{reverse('live', args=[organization.slug])}?{query}"
