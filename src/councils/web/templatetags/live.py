"""``{% live_url organization "council" council.pk %}``: the live-update stream a page follows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from councils.live.publish import version_now

register = template.Library()


@register.simple_tag
def live_url(organization: Any, kind: str, object_id: Any) -> str:
    """The stream of one topic of ``organization``, with the version the page is rendered at: a
    change committed between this render and the stream's opening is sent as soon as it opens."""
    query = urlencode({"topic": f"{kind}.{int(object_id)}", "since": version_now()})
    return f"{reverse('live', args=[organization.slug])}?{query}"
