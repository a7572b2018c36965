"""The parts of pages that live updates send as HTML: rendered once per change in each server
process and shared by every open page that shows them (``councils.live.hub``).

A fragment here must read the same for every viewer allowed to see its organization (no "you
signed", no per-user links): the hub sends the very same bytes to all of them. Parts that differ
per viewer (a constituency's petition cards) are not here: their pages re-read themselves on a
``change`` event. Rendered outside any request, in the language the hub makes active: once per
language that open pages read (``councils.live.hub``), so each page receives its own language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from councils.live.topics import Topic


@dataclass(frozen=True)
class Fragment:
    """A shared fragment: the SSE event its pages swap in (``sse-swap``) and how to render it (in
    the active language)."""

    event: str
    render: Callable[[Topic], str | None]


def composition(topic: Topic) -> str | None:
    """A council's composition now (``web/partials/composition.html``), or None if it is gone."""
    from councils.federation.models import Council
    from councils.web.forms import AtForm
    from councils.web.views import composition_context

    council = (
        Council.objects.select_related("organization")
        .filter(pk=topic.object_id, organization_id=topic.organization_id)
        .first()
    )
    if council is None:
        return None
    context = composition_context(council.organization, council, AtForm(None))
    return render_to_string("web/partials/composition.html", context)


def majority_map(topic: Topic) -> str | None:
    """An organization's majority map now (``web/partials/majority_map.html``)."""
    from councils.federation import selectors
    from councils.federation.models import Organization
    from councils.web.forms import AtForm

    organization = Organization.objects.filter(pk=topic.object_id).first()
    if organization is None:
        return None
    at_form = AtForm(None)
    context = {
        "organization": organization,
        "at_form": at_form,
        "majorities": selectors.majority_map(organization=organization),
        "day": at_form.day(),
        "live": True,
    }
    return render_to_string("web/partials/majority_map.html", context)


#: The shared fragment of each kind of topic; other kinds get ``change`` events.
FRAGMENTS: dict[str, Fragment] = {
    "council": Fragment("composition", composition),
    "organization": Fragment("majority-map", majority_map),
}
