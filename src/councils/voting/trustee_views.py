"""Trustee committees' pages: the list (and a new committee, for officers), a committee's page
with its key ceremony's wizard, the ceremony document to download, and the form that takes a
trustee's message.

The wizard never handles a trustee's key: each step names the ``councils trustee ...`` command the
trustee runs on their own computer against the downloaded ceremony, and takes back the message
the command writes (a file, or pasted text). Thin: each view looks up, calls one service, renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from councils.federation.models import Member, Organization
from councils.voting import selectors, services
from councils.voting.models import Trustee, TrusteeCommittee
from councils.voting.secret_views import _int, _uploaded_json
from councils.web.views._common import _organization_page, _validation_messages

#: The places a new committee's form offers (a committee of more is made through the API).
PLACES = 5
SERVER = "server"


class CommitteeForm(forms.Form):
    """A new committee: its name, threshold, and who holds each place (a member or the server)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    threshold = forms.IntegerField(
        label=gettext_lazy("Trustees needed to decrypt"), min_value=1, max_value=PLACES, initial=2
    )

    def __init__(self, data: Any = None, *, organization: Organization) -> None:
        super().__init__(data)
        members = Member.objects.filter(organization=organization, left_at__isnull=True).order_by("name")
        self._members = {str(m.pk): m for m in members}
        choices = [
            ("", gettext_lazy("— nobody —")),
            (SERVER, gettext_lazy("the server (embedded trustee)")),
            *[(str(m.pk), m.name) for m in members],
        ]
        for place in range(1, PLACES + 1):
            self.fields[f"trustee_{place}"] = forms.ChoiceField(
                label=_("Trustee %(n)s") % {"n": place}, choices=choices, required=False
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        places = [data[f"trustee_{p}"] for p in range(1, PLACES + 1) if data[f"trustee_{p}"]]
        members = [None if p == SERVER else self._members[p] for p in places]
        return {
            "name": data["name"],
            "threshold": data["threshold"],
            "size": len(members),
            "members": members,
        }


def ceremony_step(ceremony: Mapping[str, Any], index: int) -> str:
    """Trustee ``index``'s next step: ``register``, ``deal``, ``confirm``, ``wait`` (for the
    others' step before theirs) or ``done``."""
    size = int(ceremony.get("committee", {}).get("size", 0))
    key = str(index)
    for slot, step in (("registrations", "register"), ("deals", "deal"), ("confirmations", "confirm")):
        done = ceremony.get(slot, {})
        if key not in done:
            return step
        if len(done) < size:
            return "wait"
    return "done"


COMMANDS = {
    "register": "councils trustee keygen ceremony.json --index {i} --key trustee-{i}.key --out message.json",
    "deal": "councils trustee deal ceremony.json --key trustee-{i}.key --out message.json",
    "confirm": "councils trustee confirm ceremony.json --key trustee-{i}.key --out message.json",
}


def _committee(organization: Organization, committee_id: int) -> TrusteeCommittee:
    committee = TrusteeCommittee.objects.filter(organization=organization, pk=committee_id).first()
    if committee is None:
        raise Http404(committee_id)
    return committee


def _may_act(request: HttpRequest, trustee: Trustee) -> bool:
    return trustee.member_id is not None and bool(
        rules.has_perm("voting.trustee_step", request.user, trustee)
    )


@require_http_methods(["GET", "POST"])
@_organization_page
def committee_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's trustee committees; officers create one here."""
    may_manage = selectors.may_manage(actor=request.user, poll=organization)
    form = CommitteeForm(request.POST or None, organization=organization) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_(services.NOT_OFFICER))
        if form.is_valid():
            try:
                committee = services.committee_create(
                    actor=request.user, organization=organization, **form.service_arguments()
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("The committee is created: each trustee now registers on its page.")
                )
                return redirect("committee", organization.slug, committee.pk)
    committees = TrusteeCommittee.objects.filter(organization=organization).prefetch_related("trustees")
    return render(
        request,
        "voting/committees.html",
        {"organization": organization, "committees": committees, "form": form},
    )


@require_GET
@_organization_page
def committee_page(request: HttpRequest, organization: Organization, committee_id: int) -> HttpResponse:
    """A committee: its trustees and where each stands in the key ceremony; for a trustee (or an
    officer relaying for a trustee without an account) the next step of the wizard."""
    committee = _committee(organization, committee_id)
    ceremony = committee.ceremony
    trustees = list(committee.trustees.select_related("member").order_by("index"))
    rows = [(t, ceremony_step(ceremony, t.index)) for t in trustees]
    steps = [
        {
            "trustee": t,
            "step": step,
            "command": COMMANDS.get(step, "").format(i=t.index),
            "own": t.user_id is not None and t.user_id == getattr(request.user, "pk", None),
        }
        for t, step in rows
        if _may_act(request, t)
    ]
    return render(
        request,
        "voting/committee.html",
        {
            "organization": organization,
            "committee": committee,
            "rows": rows,
            "steps": steps,
            "polls": committee.polls.order_by("-created_at")[:20],
        },
    )


@require_GET
@_organization_page
def committee_ceremony(request: HttpRequest, organization: Organization, committee_id: int) -> HttpResponse:
    """The ceremony document a trustee's command reads (public messages and sealed shares only)."""
    committee = _committee(organization, committee_id)
    response = JsonResponse(services.ceremony_document(committee), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="ceremony.json"'
    return response


@require_POST
@_organization_page
def committee_message(request: HttpRequest, organization: Organization, committee_id: int) -> HttpResponse:
    """Take a trustee's message (the file its command wrote, or its pasted text) into the ceremony."""
    committee = _committee(organization, committee_id)
    index = _int(request.POST.get("index"))
    try:
        message = _uploaded_json(request, "message")
        services.ceremony_post(actor=request.user, committee=committee, index=index, message=message)
    except ValidationError as exc:
        for text in _validation_messages(exc):
            messages.error(request, text)
    else:
        committee.refresh_from_db()
        if committee.state == TrusteeCommittee.State.READY:
            messages.success(request, _("Every trustee has confirmed: the committee's key is ready."))
        else:
            messages.success(request, _("Your message is in the ceremony."))
    return redirect("committee", organization.slug, committee.pk)
