"""The pages that create the polls deciding a federation election (returning officers): an
election of a constituency's deputies or of a council's delegates by a poll, and a list election.
Thin: each reads its form, calls the purpose's service, and shows the poll created in draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from councils.federation import selectors as federation_selectors
from councils.federation.errors import NotAllowed
from councils.federation.models import Election, Faction, Member, Organization
from councils.federation.services import NOT_RETURNING_OFFICER
from councils.voting.handlers.elections import election_poll_create
from councils.voting.handlers.lists import list_poll_create
from councils.voting.purpose_forms import ElectionPollForm, ListPollForm
from councils.web.views._common import _organization_page


def _open_election(request: HttpRequest, organization: Organization, election_id: int) -> Election:
    if not request.user.has_perm("federation.declare_election", organization):
        raise NotAllowed(_(NOT_RETURNING_OFFICER))
    return get_object_or_404(
        Election.objects.select_related("council", "constituency", "child_council"),
        organization=organization,
        pk=election_id,
    )


def _errors_to(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@_organization_page
def election_poll_new(request: HttpRequest, organization: Organization, election_id: int) -> HttpResponse:
    """Elect an open election's deputies (or delegates) by a poll of its constituency's members (or
    of the child council's deputies)."""
    election = _open_election(request, organization, election_id)
    delegates = election.child_council_id is not None
    eligible = federation_selectors.election_eligible(election=election)
    form = ElectionPollForm(request.POST or None, eligible=eligible, delegates=delegates)
    if request.method == "POST" and form.is_valid():
        try:
            poll = election_poll_create(actor=request.user, election=election, **form.service_arguments())
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request, _("The poll is created as a draft. Open it when the electorate is ready.")
            )
            return redirect("poll", organization.slug, poll.pk)
    context = {"organization": organization, "election": election, "form": form, "delegates": delegates}
    return render(request, "voting/election_poll_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@_organization_page
def list_poll_new(request: HttpRequest, organization: Organization, election_id: int) -> HttpResponse:
    """Elect an open constituency election's seats by a list election: factions' lists in order."""
    election = _open_election(request, organization, election_id)
    factions = list(Faction.objects.filter(organization=organization).order_by("name", "pk"))
    members = list(
        Member.objects.filter(constituency_id=election.constituency_id or 0, left_at__isnull=True).order_by(
            "name"
        )
    )
    form = ListPollForm(
        request.POST or None,
        factions=factions,
        members=members,
        initial={"method": election.council.apportionment_method},
    )
    if request.method == "POST" and form.is_valid():
        try:
            poll = list_poll_create(actor=request.user, election=election, **form.service_arguments())
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request, _("The poll is created as a draft. Open it when the electorate is ready.")
            )
            return redirect("poll", organization.slug, poll.pk)
    context = {"organization": organization, "election": election, "form": form}
    return render(request, "voting/list_poll_new.html", context, status=400 if form.errors else 200)
