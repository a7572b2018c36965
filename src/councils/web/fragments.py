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
from django.utils.translation import gettext

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


def organization_state(topic: Topic) -> str | None:
    """An organization's councils now: the tree with their hemicycles and the majority map
    (``web/partials/organization_state.html``)."""
    from councils.federation.models import Organization
    from councils.web.forms import AtForm
    from councils.web.views.organization import organization_context

    organization = Organization.objects.filter(pk=topic.object_id).first()
    if organization is None:
        return None
    context = organization_context(organization, AtForm(None))
    return render_to_string("web/partials/organization_state.html", context)


def poll_turnout(topic: Topic) -> str | None:
    """A poll's turnout now, its state, and its running result where its rule shows one
    (``voting/partials/turnout.html``): the same for every viewer."""
    from councils.voting import charts, selectors
    from councils.voting.models import Poll

    poll = Poll.objects.filter(pk=topic.object_id, organization_id=topic.organization_id).first()
    if poll is None:
        return None
    context: dict[str, object] = {
        "poll": poll,
        "turnout": selectors.turnout(poll=poll) if poll.opened_at else None,
        "live": True,
    }
    if poll.running_result and not poll.is_secret and poll.current_state == Poll.State.OPEN:
        running = selectors.running_result(poll=poll)
        context["running"] = running
        context["running_chart"] = charts.bar_chart(
            running,
            title=gettext("First preferences so far") if poll.is_ranked else gettext("Votes so far"),
        )
    if poll.state == Poll.State.PUBLISHED and poll.result:
        # Published, the result is everyone's: open pages learn it without a reload.
        context["declared"] = poll.result
    return render_to_string("voting/partials/turnout.html", context)


def sitting_state(topic: Topic) -> str | None:
    """A sitting's live state (``deliberation/partials/sitting_state.html``): the quorum, the current
    item, its speaker with the countdown and the next speakers; the same for every viewer."""
    from councils.deliberation.models import Sitting
    from councils.deliberation.selectors import sitting_state as state_of

    sitting = (
        Sitting.objects.select_related("council", "organization")
        .filter(pk=topic.object_id, organization_id=topic.organization_id)
        .first()
    )
    if sitting is None:
        return None
    context = {
        "organization": sitting.organization,
        "sitting": sitting,
        "state": state_of(sitting=sitting, with_agenda=False),
        "live": True,
    }
    return render_to_string("deliberation/partials/sitting_state.html", context)


#: The shared fragment of each kind of topic; other kinds get ``change`` events.
FRAGMENTS: dict[str, Fragment] = {
    "council": Fragment("composition", composition),
    "organization": Fragment("majority-map", organization_state),
    "poll": Fragment("turnout", poll_turnout),
    "sitting": Fragment("sitting", sitting_state),
}
