"""A constituency's page and its recall petitions: open, sign, withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.deliberation import selectors as deliberation_selectors
from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Organization,
    RecallPetition,
)
from councils.web.forms import (
    PetitionOpenForm,
)
from councils.web.views._common import (
    HtmxHttpRequest,
    _membership,
    _organization_page,
    _safe_next,
    _validation_messages,
    attach_errors,
    default_day,
    page_of,
)


def _constituency_context(
    request: HttpRequest, organization: Organization, constituency: Constituency
) -> dict[str, Any]:
    viewer = _membership(request, organization)
    constituent = viewer if viewer is not None and viewer.constituency_id == constituency.pk else None
    overview = selectors.constituency_overview(constituency=constituency, member=constituent)
    # Beside each deputy, how they followed their council's instructions as a delegate above: what
    # the constituents weigh when a recall is proposed.
    records = deliberation_selectors.delegate_records(seats=list(overview.deputies))
    for seat in overview.deputies:
        seat.delegate_record = records.get(seat.pk)  # type: ignore[attr-defined]
    return {
        "organization": organization,
        "constituency": constituency,
        "overview": overview,
        "constituent": constituent,
        # Deputies and petitions are today's: members sign now, whatever day the councils' pages
        # show (a historical organization's open at the end of its history: the page says so).
        "day": timezone.localdate(),
        "history_ends": default_day(organization),
    }


def _open_form(overview: selectors.ConstituencyOverview, data: Any = None) -> PetitionOpenForm:
    petitioned = {row.petition.seat_id for row in overview.petitions if not row.expired}
    deputies = [
        (seat.pk, f"{seat.holder.name} ({seat.council.name})")
        for seat in overview.deputies
        if seat.pk not in petitioned
    ]
    return PetitionOpenForm(data, deputies=deputies)


@require_GET
@_organization_page
def constituency(request: HttpRequest, organization: Organization, slug: str) -> HttpResponse:
    """A constituency: its members, deputies and open recall petitions, and a form to open one."""
    constituency = get_object_or_404(Constituency, organization=organization, slug=slug)
    context = _constituency_context(request, organization, constituency)
    context["open_form"] = _open_form(context["overview"]) if context["constituent"] else None
    return render(request, "web/constituency.html", context)


#: Members listed per page of a constituency's members.
MEMBERS_PER_PAGE = 50


@require_GET
@_organization_page
def constituency_members(request: HttpRequest, organization: Organization, slug: str) -> HttpResponse:
    """A constituency's members by name, a page at a time; officers also see each one's address
    and whether they can sign in yet (to invite them again from the member's page)."""
    constituency = get_object_or_404(Constituency, organization=organization, slug=slug)
    members = selectors.constituency_members(constituency=constituency)
    page = page_of(Paginator(members, MEMBERS_PER_PAGE), request)
    return render(
        request,
        "web/constituency_members.html",
        {
            "organization": organization,
            "constituency": constituency,
            "page": page,
            "contact": selectors.may_see_contact(user=request.user, organization=organization),
        },
    )


@require_POST
@_organization_page
def petition_open(request: HttpRequest, organization: Organization, slug: str) -> HttpResponse:
    """Open a recall petition against one of the constituency's deputies."""
    constituency = get_object_or_404(Constituency, organization=organization, slug=slug)
    context = _constituency_context(request, organization, constituency)
    form = _open_form(context["overview"], request.POST)
    if form.is_valid():
        seat = next(s for s in context["overview"].deputies if s.pk == form.cleaned_data["seat"])
        try:
            services.petition_open(actor=request.user, seat=seat, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("The petition to recall %(deputy)s is open, with your signature.")
                % {"deputy": seat.holder.name},
            )
            return redirect("constituency", organization.slug, constituency.slug)
    elif context["constituent"] is None:
        # A non-member's empty choice list must not hide the refusal behind "select a valid choice".
        raise NotAllowed(_("Only members of %(c)s can open a petition here.") % {"c": constituency.name})
    context["open_form"] = form
    return render(request, "web/constituency.html", context, status=400)


def _petition_action(
    request: HtmxHttpRequest, organization: Organization, petition_id: int, *, sign: bool
) -> HttpResponse:
    petition = get_object_or_404(
        RecallPetition.objects.select_related("constituency", "seat__holder"),
        organization=organization,
        pk=petition_id,
    )
    deputy = petition.seat.holder.name
    constituency_url = reverse("constituency", args=[organization.slug, petition.constituency.slug])
    error = outcome = ""
    row: selectors.PetitionRow | None = None
    try:
        if sign:
            result = services.petition_sign(actor=request.user, petition=petition)
            if result.recalled:
                outcome = _(
                    "The petition reached %(required)s signatures: %(deputy)s is recalled and the seat is "
                    "vacant. A by-election is open."
                ) % {"required": formats.localize(result.required), "deputy": deputy}
                # The petition is closed now: the card shows its final count, without buttons.
                row = selectors.PetitionRow(
                    petition=petition,
                    signatures=result.signatures,
                    required=result.required,
                    expired=False,
                    signed=True,
                )
            else:
                outcome = _("You signed the petition to recall %(deputy)s.") % {"deputy": deputy}
        else:
            services.petition_withdraw(actor=request.user, petition=petition)
            outcome = _("You withdrew your signature from the petition to recall %(deputy)s.") % {
                "deputy": deputy
            }
    except ValidationError as exc:
        error = " ".join(_validation_messages(exc))

    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, outcome)
        return redirect(_safe_next(request, constituency_url))

    # htmx swaps the petition's card for its new state; after the deciding signature the
    # constituency's deputies too (out of band), since the recalled deputy's seat has ended.
    member = _membership(request, organization)
    overview = selectors.constituency_overview(constituency=petition.constituency, member=member)
    if row is None:
        row = next((r for r in overview.petitions if r.petition.pk == petition.pk), None)
    petition.refresh_from_db()
    response = render(
        request,
        "web/partials/petition_card.html",
        {
            "organization": organization,
            "row": row,
            "petition": petition,
            "can_sign": True,
            "outcome": outcome,
            "error": error,
            "next": _safe_next(request, constituency_url),
        },
    )
    if petition.status == RecallPetition.Status.SUCCEEDED:
        response.content += render_to_string(
            "web/partials/constituency_deputies.html",
            {
                "organization": organization,
                "constituency": petition.constituency,
                "overview": overview,
                "oob": True,
            },
            request=request,
        ).encode()
    return response


@require_POST
@_organization_page
def petition_sign(request: HtmxHttpRequest, organization: Organization, petition_id: int) -> HttpResponse:
    """Sign a recall petition (the service checks that the signer is a constituent)."""
    return _petition_action(request, organization, petition_id, sign=True)


@require_POST
@_organization_page
def petition_withdraw(request: HtmxHttpRequest, organization: Organization, petition_id: int) -> HttpResponse:
    """Withdraw one's signature from a recall petition."""
    return _petition_action(request, organization, petition_id, sign=False)
