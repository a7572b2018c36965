"""Exports from the pages, beside what they export: a council's composition on the date shown and
its seat history, the majority map on the date shown, and the audit log (filtered as shown).
Each answers with a CSV or JSON file (``councils.federation.exports``), streamed as it is read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from councils.exports import export_response
from councils.federation import exports, selectors
from councils.federation.models import Council, Organization
from councils.web.forms import AtForm, AuditFilterForm
from councils.web.views._common import _organization_page


def _bad_date(form: AtForm) -> HttpResponse:
    # An export of "now" under a date the reader typed would be mislabelled: refuse it instead.
    return HttpResponseBadRequest(
        " ".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
    )


@require_GET
@_organization_page
def composition_export(
    request: HttpRequest, organization: Organization, council_slug: str, fmt: str
) -> HttpResponseBase:
    """The council's composition on the date shown (``?at=``), as CSV or JSON."""
    council = get_object_or_404(Council, organization=organization, slug=council_slug)
    at_form = AtForm(request.GET or None)
    if at_form.is_bound and not at_form.is_valid():
        return _bad_date(at_form)
    return export_response(
        exports.composition_table(council=council, at=at_form.moment()),
        fmt=fmt,
        filename=exports.filename(
            organization, "composition", extra=council.slug, day=at_form.day(), fmt=fmt
        ),
    )


@require_GET
@_organization_page
def history_export(
    request: HttpRequest, organization: Organization, council_slug: str, fmt: str
) -> HttpResponseBase:
    """Every mandate of the council, a row per period with one faction, as CSV or JSON."""
    council = get_object_or_404(Council, organization=organization, slug=council_slug)
    return export_response(
        exports.seat_history_table(council=council),
        fmt=fmt,
        filename=exports.filename(
            organization, "seat-history", extra=council.slug, day=timezone.localdate(), fmt=fmt
        ),
    )


@require_GET
@_organization_page
def majority_map_export(request: HttpRequest, organization: Organization, fmt: str) -> HttpResponseBase:
    """The majority map on the date shown (``?at=``), as CSV or JSON."""
    at_form = AtForm(request.GET or None)
    if at_form.is_bound and not at_form.is_valid():
        return _bad_date(at_form)
    return export_response(
        exports.majority_map_table(organization=organization, at=at_form.moment()),
        fmt=fmt,
        filename=exports.filename(organization, "majority-map", day=at_form.day(), fmt=fmt),
    )


@require_GET
@_organization_page
def audit_export(request: HttpRequest, organization: Organization, fmt: str) -> HttpResponseBase:
    """The audit log, of the kind chosen on the page (``?kind=``) or whole, as CSV or JSON."""
    form = AuditFilterForm(request.GET or None, kinds=selectors.event_kinds(organization=organization))
    kind = (form.cleaned_data.get("kind") if form.is_valid() else None) or None
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
        )
    return export_response(
        exports.audit_table(
            organization=organization,
            kind=kind,
            contact=selectors.may_see_contact(user=request.user, organization=organization),
        ),
        fmt=fmt,
        filename=exports.filename(
            organization, "audit-log", extra=kind or "", day=timezone.localdate(), fmt=fmt
        ),
    )
