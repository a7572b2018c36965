"""The organization's audit log page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from councils.audit import selectors as audit_selectors
from councils.federation import selectors
from councils.federation.models import (
    Organization,
)
from councils.web.forms import (
    AuditFilterForm,
)
from councils.web.views._common import (
    EVENTS_PER_PAGE,
    _organization_page,
    page_of,
)


@require_GET
@_organization_page
def audit(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's audit log, newest first, filtered by kind, a page at a time."""
    form = AuditFilterForm(request.GET or None, kinds=selectors.event_kinds(organization=organization))
    kind = form.cleaned_data.get("kind") if form.is_valid() else None
    paginator = Paginator(selectors.events(organization=organization, kind=kind or None), EVENTS_PER_PAGE)
    page = page_of(paginator, request)
    # Names for every member; addresses only for the officers who need them (accounts.privacy).
    page.object_list = selectors.label_events(
        page.object_list, contact=selectors.may_see_contact(user=request.user, organization=organization)
    )
    return render(
        request,
        "web/audit.html",
        {
            "organization": organization,
            "form": form,
            "page": page,
            "kind": kind or "",
            "heads": audit_selectors.stream_heads(organization=organization),
        },
    )
