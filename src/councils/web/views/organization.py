"""An organization's page: its tree of councils with their hemicycles and the majority map, both at
the day the date control shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from councils.federation import selectors
from councils.federation.models import (
    Organization,
)
from councils.web import majority
from councils.web.forms import (
    AtForm,
)
from councils.web.views._common import (
    HtmxHttpRequest,
    _hemicycle,
    _organization_page,
    default_day,
)


def organization_context(organization: Organization, at_form: AtForm) -> dict[str, Any]:
    """The tree of councils and the majority map at the day ``at_form`` shows: the page, and its live
    fragment rendered once per change for every open page (``councils.web.fragments``).

    The page costs the same few queries however many councils the organization has: the tree's
    hemicycles are drawn from the majority map's counts and one query of the deputies' names.
    """
    moment = at_form.moment()
    majorities = selectors.majority_map(organization=organization, at=moment)
    holders = selectors.seat_holders(organization=organization, at=moment)
    tree = selectors.council_tree(organization=organization)
    nodes = []
    for i, (node, row) in enumerate(zip(tree, majorities, strict=True)):
        next_depth = tree[i + 1].depth if i + 1 < len(tree) else 0
        names = holders.get(node.council.pk, {})
        nodes.append(
            {
                "node": node,
                "composition": row,
                "majority_seats": row.counts.get(row.majority, 0) if row.majority else 0,
                "majority_text": majority.majority_sentence(row),
                "bloc_text": (
                    majority.bloc_sentence(row.bloc_majority, filled=row.filled, needed=row.filled // 2 + 1)
                    if row.bloc_majority is not None
                    else ""
                ),
                "chart": _hemicycle(
                    node.council,
                    row.counts.items(),
                    filled=row.filled,
                    allocated=row.allocated,
                    majority=row.majority,
                    chart_id=f"hemicycle-{node.council.pk}",
                    width=120,
                    holders={
                        faction: names.get(faction.pk if faction else None, []) for faction in row.counts
                    },
                ),
                # The nested lists this node closes in the template (the tree arrives flat, depth first).
                "closes": range(max(0, node.depth - next_depth)) if not node.children else range(0),
            }
        )
    return {
        "organization": organization,
        "at_form": at_form,
        "majorities": majorities,
        "nodes": nodes,
        "day": at_form.day(),
        # Live updates replace the tree and the map only while they show now, not a past day.
        "live": moment is None,
    }


@require_GET
@_organization_page
def organization(request: HtmxHttpRequest, organization: Organization) -> HttpResponse:
    """The tree of councils with each one's hemicycle, and the majority map, at a date."""
    at_form = AtForm(request.GET or None, default=default_day(organization))
    context = organization_context(organization, at_form)
    context["may_manage_members"] = request.user.has_perm("federation.manage_members", organization)
    if request.htmx and request.htmx.target in ("organization-state", "majority-map"):
        return render(request, "web/partials/organization_state.html", context)
    return render(request, "web/organization.html", context)
