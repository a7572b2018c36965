"""Importing members from a CSV file on a page (organizers): the same import as
``councils import-members``, all or nothing, with an invitation to each member imported."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from councils.federation import selectors, services
from councils.federation.models import Organization
from councils.federation.services.imports import members_csv_read
from councils.web.forms import MembersImportForm
from councils.web.views._common import _organization_page, _validation_messages


@require_http_methods(["GET", "POST"])
@_organization_page
def members_import(request: HttpRequest, organization: Organization) -> HttpResponseBase:
    """A form to upload the file; on success, what was imported and what became of the invitations."""
    if not request.user.has_perm("federation.manage_members", organization):
        raise PermissionDenied(_("Only an organizer of this organization may import members."))
    if request.method == "POST" and request.POST.get("action") == "invite_pending":
        return _invite_pending(request, organization)
    form = MembersImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {
        "organization": organization,
        "form": form,
        "pending": selectors.members_without_password(organization=organization),
    }
    if request.method == "GET":
        return render(request, "web/members_import.html", context)
    if not form.is_valid():
        return render(request, "web/members_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        rows, first_line = members_csv_read(
            upload.read(), name=upload.name, delimiter=form.cleaned_data["delimiter"]
        )
    except ValidationError as exc:
        # The error names the field "file": it is shown beside the file chosen, not as a row's.
        form.add_error(None, exc)
        return render(request, "web/members_import.html", context, status=400)
    try:
        report = services.members_import(
            actor=request.user,
            organization=organization,
            rows=rows,
            first_line=first_line,
            invite=form.cleaned_data["invite"],
        )
    except ValidationError as exc:
        context["errors"] = _validation_messages(exc)
        return render(request, "web/members_import.html", context, status=400)
    messages.success(
        request,
        _("Imported %(members)s members (%(users)s new accounts).")
        % {
            "members": number_format(report.members, force_grouping=True),
            "users": number_format(report.users_created, force_grouping=True),
        },
    )
    sent = report.invitations
    if form.cleaned_data["invite"] and sent.done:
        if sent.failed:
            messages.warning(
                request,
                _(
                    "%(failed)s invitations could not be sent (%(addresses)s): the mail server did not "
                    "take them. The members are imported; once the mail server works, send the "
                    "invitations again below."
                )
                % {
                    "failed": number_format(sent.failed, force_grouping=True),
                    "addresses": ", ".join(sent.failed_to[:10]) + (", …" if len(sent.failed_to) > 10 else ""),
                },
            )
        messages.info(
            request,
            _("Invitations sent: %(sent)s.") % {"sent": number_format(sent.sent, force_grouping=True)},
        )
    return redirect("members_import", organization.slug)


def _invite_pending(request: HttpRequest, organization: Organization) -> HttpResponseBase:
    """Send a new invitation to every member who has not set a password yet."""
    try:
        outcome = services.members_invite_pending(actor=request.user, organization=organization)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
        return redirect("members_import", organization.slug)
    delivery = outcome.delivery
    messages.success(
        request,
        _("New invitations sent: %(sent)s of %(members)s.")
        % {
            "sent": number_format(delivery.sent, force_grouping=True),
            "members": number_format(outcome.members, force_grouping=True),
        },
    )
    if delivery.failed:
        messages.warning(
            request,
            _("%(failed)s could not be sent: the mail server did not take them (the log says why).")
            % {"failed": number_format(delivery.failed, force_grouping=True)},
        )
    return redirect("members_import", organization.slug)
