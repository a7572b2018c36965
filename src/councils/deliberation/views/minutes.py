"""The minutes of a sitting: the page, the PDF, and the CSV and JSON exports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from councils.deliberation import exports
from councils.deliberation.selectors.minutes import minutes as minutes_of
from councils.deliberation.views.sittings import _sitting
from councils.federation.models import Organization
from councils.web.views._common import _organization_page


@require_GET
@_organization_page
def minutes(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The minutes of a sitting as a page."""
    found = _sitting(organization, sitting_id)
    return render(
        request,
        "deliberation/minutes.html",
        {"organization": organization, "sitting": found, "minutes": minutes_of(sitting=found)},
    )


def _download(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@_organization_page
def minutes_pdf(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The minutes as a PDF file."""
    found = _sitting(organization, sitting_id)
    return _download(
        exports.minutes_pdf(minutes_of(sitting=found)), "application/pdf", f"sitting-{found.pk}-minutes.pdf"
    )


@require_GET
@_organization_page
def minutes_csv(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The minutes as a CSV file, one record per row."""
    found = _sitting(organization, sitting_id)
    return _download(
        exports.minutes_csv(minutes_of(sitting=found)), "text/csv; charset=utf-8", f"sitting-{found.pk}.csv"
    )


@require_GET
@_organization_page
def minutes_json(request: HttpRequest, organization: Organization, sitting_id: int) -> HttpResponse:
    """The minutes as a JSON document."""
    found = _sitting(organization, sitting_id)
    return _download(
        exports.minutes_json(minutes_of(sitting=found)), "application/json", f"sitting-{found.pk}.json"
    )
