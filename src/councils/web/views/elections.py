"""Elections: the list, opening one, and declaring who was elected."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Council,
    Election,
    Organization,
)
from councils.web.forms import (
    ElectionDeclareForm,
    ElectionOpenForm,
)
from councils.web.views._common import (
    HtmxHttpRequest,
    _organization_page,
    attach_errors,
)


def _may_declare(request: HttpRequest, organization: Organization) -> bool:
    return bool(request.user.has_perm("federation.declare_election", organization))


def _require_declare(request: HttpRequest, organization: Organization) -> None:
    # The services check again; checking first refuses before the form is read.
    if not _may_declare(request, organization):
        raise NotAllowed(_(services.NOT_RETURNING_OFFICER))


def _election_open_form(organization: Organization, data: Any = None, **kwargs: Any) -> ElectionOpenForm:
    return ElectionOpenForm(
        data,
        councils=selectors.councils(organization=organization),
        constituencies=selectors.constituencies(organization=organization),
        prefix="open",
        **kwargs,
    )


#: Elections listed per page, in each of the two lists (open, and declared or cancelled).
ELECTIONS_PER_PAGE = 25


def _elections_context(
    request: HttpRequest, organization: Organization, open_form: ElectionOpenForm | None = None
) -> dict[str, Any]:
    council = None
    slug = request.GET.get("council")
    if slug:
        council = get_object_or_404(Council, organization=organization, slug=slug)
    queryset = selectors.elections(organization=organization)
    if council is not None:
        queryset = queryset.filter(council=council)
    # Each list a page at a time: an organization's elections grow with every recall. A page
    # number out of range shows the last page (Paginator.get_page), never an error.
    open_page = Paginator(queryset.filter(status=Election.Status.OPEN), ELECTIONS_PER_PAGE).get_page(
        request.GET.get("open_page")
    )
    closed_page = Paginator(queryset.exclude(status=Election.Status.OPEN), ELECTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    may_declare = _may_declare(request, organization)
    if may_declare and open_form is None:
        open_form = _election_open_form(organization)
    return {
        "organization": organization,
        "council": council,
        "open_elections": list(open_page),
        "open_page": open_page,
        "closed_elections": list(closed_page),
        "closed_page": closed_page,
        "may_declare": may_declare,
        "open_form": open_form,
    }


@require_GET
@_organization_page
def elections(request: HtmxHttpRequest, organization: Organization) -> HttpResponse:
    """The organization's elections (``?council=`` one council's): open ones, then declared ones with
    who was elected; for officers, links to record results and a form to open an election."""
    if request.htmx and request.htmx.target == "election-open-form":
        # The council was chosen: offer only its parts.
        _require_declare(request, organization)
        council_id = request.GET.get("open-council", "")
        form = _election_open_form(
            organization,
            initial={key[5:]: value for key, value in request.GET.items() if key.startswith("open-")},
            only_council=int(council_id) if council_id.isdigit() else None,
        )
        return render(
            request, "web/partials/election_open_form.html", {"organization": organization, "open_form": form}
        )
    return render(request, "web/elections.html", _elections_context(request, organization))


#: The open form's field for a service's error key, where the names differ.
OPEN_FORM_FIELDS = {"constituency": "part", "child_council": "part"}


@require_POST
@_organization_page
def election_open(request: HttpRequest, organization: Organization) -> HttpResponse:
    """Open an election for one part of a council."""
    _require_declare(request, organization)
    form = _election_open_form(organization, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            election = services.election_open(
                actor=request.user,
                council=data["council"],
                constituency=data["constituency"],
                child_council=data["child_council"],
                kind=data["kind"],
                seats=data["seats"],
            )
        except ValidationError as exc:
            attach_errors(form, exc, OPEN_FORM_FIELDS)
        else:
            messages.success(
                request,
                _("The %(kind)s in %(part)s for %(council)s is open, with %(seats)s seats to fill.")
                % {
                    "kind": election.get_kind_display(),
                    "part": (election.constituency or election.child_council),
                    "council": election.council.name,
                    "seats": formats.localize(election.seats),
                },
            )
            return redirect("election", organization.slug, election.pk)
    return render(request, "web/elections.html", _elections_context(request, organization, form), status=400)


@require_http_methods(["GET", "POST"])
@_organization_page
def election(request: HttpRequest, organization: Organization, election_id: int) -> HttpResponse:
    """An election: who may be declared and, for officers while it is open, the form to record who
    was elected (POST declares it)."""
    found = get_object_or_404(selectors.elections(organization=organization), pk=election_id)
    may_declare = _may_declare(request, organization)
    if request.method == "POST":
        _require_declare(request, organization)
    is_open = found.status == Election.Status.OPEN
    form = None
    status = 200
    if may_declare and (is_open or request.method == "POST"):
        eligible = selectors.election_eligible(election=found) if is_open else []
        form = ElectionDeclareForm(
            request.POST if request.method == "POST" else None,
            election=found,
            eligible=eligible,
            factions=selectors.factions(organization=organization),
        )
    if request.method == "POST":
        assert form is not None
        if form.is_valid():
            try:
                seats = services.election_declare(
                    actor=request.user, election=found, elected=form.cleaned_data["elected"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Elected to %(council)s for %(part)s: %(names)s.")
                    % {
                        "council": found.council.name,
                        "part": found.constituency or found.child_council,
                        "names": ", ".join(s.holder.name for s in seats),
                    },
                )
                return redirect("council", organization.slug, found.council.slug)
        status = 400
    return render(
        request,
        "web/election.html",
        {"organization": organization, "election": found, "form": form, "is_open": is_open},
        status=status,
    )
