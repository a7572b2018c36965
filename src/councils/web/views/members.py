"""A membership's page: who, where, since when, the seats held; an organizer moves the member to
another constituency or sends their invitation again, and the member (or an organizer) ends the
membership."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from councils.federation import selectors, services
from councils.federation.models import Member, Organization, Seat
from councils.web.forms import MemberMoveForm
from councils.web.views._common import _organization_page, _validation_messages, attach_errors


def _context(request: HttpRequest, organization: Organization, member: Member) -> dict[str, object]:
    may_manage = request.user.has_perm("federation.manage_members", member)
    return {
        "organization": organization,
        "member": member,
        "seats": list(
            Seat.objects.filter(holder=member).select_related("council").with_faction().order_by("-start")
        ),
        "may_manage": may_manage,
        "may_leave": member.left_at is None and request.user.has_perm("federation.leave", member),
        # Officers who manage members see the address and whether the person can sign in yet.
        "contact": selectors.may_see_contact(user=request.user, organization=organization),
        "may_invite": may_manage and member.left_at is None and not member.user.has_usable_password(),
        "move_form": MemberMoveForm(constituencies=selectors.constituencies(organization=organization))
        if may_manage and member.left_at is None
        else None,
    }


@require_http_methods(["GET", "POST"])
@_organization_page
def member(request: HttpRequest, organization: Organization, member_id: int) -> HttpResponse:
    """A membership; POST ``action=move`` (with a constituency) or ``action=leave`` changes it."""
    found = get_object_or_404(
        Member.objects.select_related("constituency", "moved_from__constituency", "user"),
        organization=organization,
        pk=member_id,
    )
    context = _context(request, organization, found)
    if request.method == "GET":
        return render(request, "web/member.html", context)
    action = request.POST.get("action")
    try:
        if action == "move":
            form = MemberMoveForm(
                request.POST, constituencies=selectors.constituencies(organization=organization)
            )
            context["move_form"] = form
            if not form.is_valid():
                return render(request, "web/member.html", context, status=400)
            try:
                outcome = services.member_move(
                    actor=request.user, member=found, constituency=form.cleaned_data["constituency"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
                return render(request, "web/member.html", context, status=400)
            messages.success(
                request,
                _("%(name)s now belongs to %(constituency)s.")
                % {"name": found.name, "constituency": outcome.member.constituency.name},
            )
            return redirect("member", organization.slug, outcome.member.pk)
        if action == "invite":
            delivery = services.member_invite(actor=request.user, member=found)
            if delivery.failed:
                messages.error(
                    request,
                    _("The invitation to %(name)s could not be sent: the mail server did not take it.")
                    % {"name": found.name},
                )
            else:
                messages.success(request, _("A new invitation went to %(name)s.") % {"name": found.name})
            return redirect("member", organization.slug, found.pk)
        if action == "leave":
            services.member_leave(actor=request.user, member=found)
            messages.success(request, _("The membership of %(name)s has ended.") % {"name": found.name})
            return redirect("member", organization.slug, found.pk)
    except ValidationError as exc:
        context["errors"] = _validation_messages(exc)
        return render(request, "web/member.html", context, status=400)
    context["errors"] = [_("Choose to move the member, invite them again or end the membership.")]
    return render(request, "web/member.html", context, status=400)
