"""An organization's page: its tree of councils and the majority map."""

from __future__ import annotations

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
)


@require_GET
@_organization_page
def organization(request: HtmxHttpRequest, organization: Organization) -> HttpResponse:
    """The tree of councils with each one's hemicycle, and the majority map at a date."""
    at_form = AtForm(request.GET or None)
    majorities = selectors.majority_map(organization=organization, at=at_form.moment())
    context = {
        "organization": organization,
        "at_form": at_form,
        "majorities": majorities,
        "day": at_form.day(),
        # Live updates re-read the map only while it shows now, not a chosen past day.
        "live": at_form.moment() is None,
        "may_manage_members": request.user.has_perm("federation.manage_members", organization),
    }
    if request.htmx and request.htmx.target == "majority-map":
        return render(request, "web/partials/majority_map.html", context)
    # The tree shows every council now, drawn from the majority map's counts: the page costs
    # the same few queries however many councils the organization has.
    now = majorities if at_form.moment() is None else selectors.majority_map(organization=organization)
    tree = selectors.council_tree(organization=organization)
    nodes = []
    for i, (node, row) in enumerate(zip(tree, now, strict=True)):
        next_depth = tree[i + 1].depth if i + 1 < len(tree) else 0
        nodes.append(
            {
                "node": node,
                "composition": row,
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
                ),
                # The nested lists this node closes in the template (the tree arrives flat, depth first).
                "closes": range(max(0, node.depth - next_depth)) if not node.children else range(0),
            }
        )
    context["nodes"] = nodes
    return render(request, "web/organization.html", context)
