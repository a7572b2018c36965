"""A council's page: its composition at a date and over time; apportioning its seats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils import hotsql
from councils.federation import readcache, selectors, services
from councils.federation.models import (
    Council,
    Organization,
)
from councils.web import charts, majority, pageshell
from councils.web.forms import (
    AtForm,
    HistoryRangeForm,
)
from councils.web.views._common import (
    INDEPENDENTS_COLOUR,
    HtmxHttpRequest,
    _composition_hemicycle,
    _organization_page,
    _validation_messages,
    default_day,
)


def _history_chart(
    council: Council, organization: Organization, range_form: HistoryRangeForm | None = None
) -> dict[str, Any]:
    """The "seats by faction over time" chart and its table: the whole history by default (long
    stretches without change drawn narrow), or the range the reader chose."""
    since, until_chosen = range_form.moments() if range_form is not None else (None, None)
    history = selectors.composition_history(council=council, since=since, until=until_chosen)
    faction_list = list(selectors.factions(organization=organization))
    present = {key for point in history for key in point.counts}
    lines: list[tuple[int | None, str, str]] = [
        (f.pk, f.name, f.colour) for f in faction_list if f.pk in present
    ]
    if None in present:
        lines.append((None, _("Independents"), INDEPENDENTS_COLOUR))
    now = timezone.now()
    until = None
    if history and until_chosen is not None:
        until = min(until_chosen, now)
    elif history:
        # The last step runs until now, unless the history lies long past (the 1917 demonstration):
        # then a short tail after the last change keeps the changes from crowding into one edge.
        first, last = history[0].at, history[-1].at
        tail = max((last - first) / 10, timedelta(days=1))
        until = now if now - last <= tail * 3 else last + tail
    # The state in force at the start of a chosen range starts at that start.
    points = [(max(p.at, since) if since is not None else p.at, p.counts) for p in history]

    def day(moment: Any) -> str:
        return formats.date_format(moment, "SHORT_DATE_FORMAT")

    chart = charts.seats_over_time(points, lines, until=until, date_label=day)
    rows = [
        {"at": p.at, "counts": [p.counts.get(key, 0) for key, _label, _colour in lines], "vacant": p.vacant}
        for p in history
    ]
    description = " ".join(
        _("The time axis is broken from %(start)s to %(end)s: nothing changed then.")
        % {"start": day(mark.start), "end": day(mark.end)}
        for mark in chart.breaks
    )
    return {
        "history_chart": chart,
        "history_lines": lines,
        "history_rows": rows,
        "history_description": description,
        "range_form": range_form or HistoryRangeForm(),
        "council": council,
        "organization": organization,
    }


def composition_context(organization: Organization, council: Council, at_form: AtForm) -> dict[str, Any]:
    """What the composition partial shows: the council's page, and its live fragment rendered once
    per change for every open page (``councils.web.fragments``)."""
    moment = at_form.moment()
    composition = (
        selectors.composition_at(council=council, at=moment)
        if moment is not None
        else readcache.now(
            organization, ("composition", council.pk), lambda: selectors.composition_at(council=council)
        )
    )
    return {
        "organization": organization,
        "council": council,
        "at_form": at_form,
        "day": at_form.day(),
        "composition": composition,
        "majority_text": majority.majority_sentence(composition),
        "bloc_texts": majority.bloc_sentences(composition),
        "chart": _composition_hemicycle(composition, chart_id="hemicycle"),
        # Live updates replace the composition only while it shows now, not a chosen past day.
        "live": at_form.moment() is None,
    }


def _viewer_free_parts(organization: Organization, council: Council, at_form: AtForm) -> dict[str, str]:
    """The page's parts around the composition that read the same for every viewer: where the
    council sits, its heading, the link to its elections and the date control."""
    context = {"organization": organization, "council": council}
    return {
        "head": render_to_string("web/partials/council_head.html", context),
        "elections": render_to_string("web/partials/council_elections_link.html", context),
        "date_control": render_to_string(
            "web/partials/date_control.html",
            {
                "target": "composition",
                "action": reverse("council", args=[organization.slug, council.slug]),
                "at_form": at_form,
                "day": at_form.day(),
            },
        ),
    }


@require_GET
@_organization_page
def council(request: HtmxHttpRequest, organization: Organization, council_slug: str) -> HttpResponse:
    """A council: its hemicycle and deputies at a date, and its composition over time."""
    # get_object_or_404(Council.objects.select_related("parent"), ...), SQL written once (hotsql),
    # read once per change of the organization (readcache): a council is changed only by a
    # service, which records the change in the organization's stream.
    council = readcache.now(
        organization,
        ("council", council_slug),
        lambda: hotsql.council_with_parent(organization.pk, council_slug),
    )
    if council is None:
        raise Http404(council_slug)
    at_form = AtForm(request.GET or None, default=default_day(organization))
    if request.htmx and request.htmx.target == "composition":
        return render(
            request, "web/partials/composition.html", composition_context(organization, council, at_form)
        )

    def composition_html() -> str:
        return render_to_string(
            "web/partials/composition.html", composition_context(organization, council, at_form)
        )

    range_form = HistoryRangeForm(
        {key: request.GET[key] for key in ("since", "until") if key in request.GET} or None
    )
    if request.htmx and request.htmx.target == "history":
        return render(request, "web/partials/history.html", _history_chart(council, organization, range_form))

    def history_html() -> str:
        return render_to_string(
            "web/partials/history.html", _history_chart(council, organization, range_form)
        )

    # The two large parts read the same for every viewer: rendered once per change of the
    # organization (and language), then shared by every request for the page (readcache).
    # The day shown by default (today, or the end of a historical organization's history) is
    # the same for every reader until the next change: its composition is shared too.
    default = at_form.is_default()
    may_apportion = request.user.has_perm("federation.change_structure", organization)

    def context() -> dict[str, Any]:
        parts = (
            # The date control shows today's date as its limit: kept for the day (and the day shown).
            readcache.now(
                organization,
                ("council-parts", council.pk, at_form.day(), timezone.localdate()),
                lambda: _viewer_free_parts(organization, council, at_form),
            )
            # A day the reader typed (valid or not) is shown back to that reader only.
            if not at_form.is_bound
            else _viewer_free_parts(organization, council, at_form)
        )
        return {
            "parts": parts,
            "organization": organization,
            "council": council,
            "at_form": at_form,
            "day": at_form.day(),
            "composition_html": (
                readcache.now(
                    organization,
                    ("composition-html", council.pk, at_form.day()),
                    composition_html,
                    # A past day (the end of a historical organization's history) stays as it was.
                    timeless=at_form.moment() is not None,
                )
                if default
                else composition_html()
            ),
            "history_html": (
                history_html()
                if range_form.is_bound
                else readcache.now(organization, ("history-html", council.pk), history_html)
            ),
            "may_apportion": may_apportion,
        }

    if at_form.is_bound or range_form.is_bound:
        return render(request, "web/council.html", context())
    # The page as the reader asked for it by its address alone: the whole page is shared, but for
    # the reader's own strings (councils.web.pageshell).
    return pageshell.render(
        request,
        organization,
        ("council", council.pk, at_form.day(), timezone.localdate(), may_apportion),
        "web/council.html",
        context,
    )


@require_POST
@_organization_page
def council_apportion(request: HttpRequest, organization: Organization, council_slug: str) -> HttpResponse:
    """Apportion the council's seats among its parts by its seat rule (organizers)."""
    council = get_object_or_404(Council, organization=organization, slug=council_slug)
    try:
        allocations = services.council_apportion(actor=request.user, council=council)
    except ValidationError as exc:
        messages.error(request, " ".join(_validation_messages(exc)))
    else:
        parts = sorted((a.part_label, a.seats) for a in allocations)
        messages.success(
            request,
            _("Seats of %(council)s apportioned: %(parts)s.")
            % {
                "council": council.name,
                "parts": ", ".join(f"{name} {formats.localize(seats)}" for name, seats in parts),
            },
        )
    return redirect("council", organization.slug, council.slug)
