"""The motions' pages: the list (and submitting), one motion with its amendments, adopted text and
diff, forwarding and instructions, and the compliance report of the delegates."""

from __future__ import annotations

from collections.abc import Callable

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.accounts.actors import is_person
from councils.deliberation import selectors, services, text
from councils.deliberation.forms import AmendmentForm, InstructionForm, MotionForm
from councils.deliberation.models import Amendment, Motion
from councils.deliberation.views import tables
from councils.federation.models import Council, Organization, Seat, open_at
from councils.web.views._common import _organization_page, _validation_messages, page_of

PER_PAGE = 50  # motions on a page of the list


def _motion(organization: Organization, motion_id: int) -> Motion:
    # Joins kept few: planning an eight-table join cost PostgreSQL more than the join saved. The
    # organization is the page's; a forwarded motion's origin is read apart (one more query).
    found = get_object_or_404(
        Motion.objects.select_related("council__parent", "submitter", "faction"),
        organization=organization,
        pk=motion_id,
    )
    found.organization = organization
    if found.origin_id is not None:
        found.origin = Motion.objects.select_related("council").get(pk=found.origin_id)
    return found


def _councils_of(request: HttpRequest, organization: Organization) -> list[tuple[int, str]]:
    """The councils where the viewer may submit: where they hold a seat (all of them for organizers)."""
    from django.utils import timezone

    if rules.has_perm("deliberation.plan_sitting", request.user, organization):
        rows = Council.objects.filter(organization=organization)
    elif not is_person(request.user):
        return []
    else:
        ids = Seat.objects.filter(
            open_at(timezone.now()), organization=organization, holder__user=request.user
        )
        rows = Council.objects.filter(pk__in=ids.values("council_id"))
    return [(c.pk, c.name) for c in rows.order_by("name")]


@_organization_page
def motions(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's motions by council; deputies submit one here."""
    councils = _councils_of(request, organization)
    form = MotionForm(request.POST or None, councils=councils) if councils else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            council = Council.objects.get(organization=organization, pk=data["council"])
            faction = None
            if data["for_faction"]:
                seat = selectors.seat_of(user=request.user, council=council)
                faction = seat.faction if seat is not None else None
                if faction is None:
                    form.add_error("for_faction", _("You sit with no faction in this council."))
            if not form.errors:
                try:
                    motion = services.motion_submit(
                        actor=request.user,
                        council=council,
                        title=data["title"],
                        text=data["text"],
                        kind=data["kind"],
                        faction=faction,
                    )
                except ValidationError as exc:
                    for message in _validation_messages(exc):
                        form.add_error(None, message)
                else:
                    messages.success(request, _("Motion %(n)s is submitted.") % {"n": motion.number})
                    return redirect("motion", organization.slug, motion.pk)
        status = 400
    return render(
        request,
        "deliberation/motions.html",
        {
            "organization": organization,
            "motions": page_of(Paginator(selectors.motions(organization=organization), PER_PAGE), request),
            "form": form,
        },
        status=status,
    )


@require_GET
@_organization_page
def motion(request: HttpRequest, organization: Organization, motion_id: int) -> HttpResponse:
    """A motion: its numbered text, supporters, amendments, history, decisions, the adopted text
    (clean and as a diff), where it was forwarded, and the instructions given on it."""
    found = _motion(organization, motion_id)
    page = selectors.motion_page(motion=found)
    user = request.user
    undecided = found.state not in (*_decided(), Motion.State.IN_VOTE)
    child_councils = found.council.children.order_by("name") if undecided else Council.objects.none()
    instruct = selectors.councils_decided_by(user=user, councils=child_councils, organization=organization)
    return render(
        request,
        "deliberation/motion.html",
        {
            "organization": organization,
            "motion": found,
            "page": page,
            "html": text.render_markdown(page.adopted_text if found.adopted_text else found.text),
            "diff": text.diff_html(found.text, page.adopted_text)
            if page.adopted_text != found.text
            else None,
            "may_support": undecided
            and found.submitter_id is not None
            and rules.has_perm("deliberation.support_motion", user, found),
            "may_amend": undecided and rules.has_perm("deliberation.amend", user, found),
            "may_withdraw": undecided and rules.has_perm("deliberation.withdraw_motion", user, found),
            "may_forward": found.state == Motion.State.ADOPTED
            and found.council.parent is not None
            and rules.has_perm("deliberation.decide", user, found),
            "amendment_cards": tables.amendment_cards(page),
            "amendment_form": AmendmentForm(),
            "instruct_councils": instruct,
            "instruction_form": InstructionForm() if instruct else None,
        },
    )


def _decided() -> tuple[str, ...]:
    return (Motion.State.ADOPTED, Motion.State.REJECTED, Motion.State.WITHDRAWN, Motion.State.FORWARDED)


def _support(request: HttpRequest, motion: Motion) -> str:
    services.motion_support(actor=request.user, motion=motion)
    return _("You support this motion.")


def _withdraw(request: HttpRequest, motion: Motion) -> str:
    services.motion_withdraw(actor=request.user, motion=motion)
    return _("The motion is withdrawn.")


def _amend(request: HttpRequest, motion: Motion) -> str:
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    data = form.cleaned_data
    amendment = services.amendment_submit(
        actor=request.user,
        motion=motion,
        first_line=data["first_line"],
        last_line=data["last_line"],
        text=data["text"],
        reason=data["reason"],
    )
    return _("Amendment %(n)s is submitted.") % {"n": amendment.number}


def _withdraw_amendment(request: HttpRequest, motion: Motion) -> str:
    amendment = get_object_or_404(
        Amendment.objects.select_related("motion__organization", "submitter"),
        motion=motion,
        pk=request.POST.get("amendment"),
    )
    services.amendment_withdraw(actor=request.user, amendment=amendment)
    return _("The amendment is withdrawn.")


def _forward(request: HttpRequest, motion: Motion) -> str:
    forwarded = services.motion_forward(actor=request.user, motion=motion)
    return _("Forwarded to %(council)s as motion %(n)s.") % {
        "council": forwarded.council.name,
        "n": forwarded.number,
    }


def _instruct(request: HttpRequest, motion: Motion) -> str:
    form = InstructionForm(request.POST)
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    council = get_object_or_404(Council, parent=motion.council, pk=request.POST.get("council"))
    data = form.cleaned_data
    instruction = services.instruction_adopt(
        actor=request.user,
        council=council,
        motion=motion,
        position=data["position"],
        yes=data["yes"],
        no=data["no"],
        abstain=data["abstain"] or 0,
    )
    if instruction is None:
        return _("%(council)s rejected the instruction.") % {"council": council.name}
    return _("%(council)s instructs its delegates: %(position)s.") % {
        "council": council.name,
        "position": instruction.get_position_display(),
    }


ACTIONS: dict[str, Callable[[HttpRequest, Motion], str]] = {
    "support": _support,
    "withdraw": _withdraw,
    "amend": _amend,
    "withdraw-amendment": _withdraw_amendment,
    "forward": _forward,
    "instruct": _instruct,
}


@require_POST
@_organization_page
def motion_action(
    request: HttpRequest, organization: Organization, motion_id: int, action: str
) -> HttpResponseBase:
    """One step on a motion (``action`` names it); back to its page with what happened."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404(action)
    found = _motion(organization, motion_id)
    try:
        messages.success(request, handler(request, found))
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    return redirect("motion", organization.slug, found.pk)


@require_GET
@_organization_page
def compliance(request: HttpRequest, organization: Organization, motion_id: int) -> HttpResponse:
    """Per delegate: how they voted on the motion in its named votes, against their council's instruction."""
    found = _motion(organization, motion_id)
    report = selectors.compliance(motion=found)
    return render(
        request,
        "deliberation/compliance.html",
        {
            "organization": organization,
            "motion": found,
            "report": report,
            "rows_html": tables.compliance_rows(report),
        },
    )


@require_GET
@_organization_page
def delegate_record(request: HttpRequest, organization: Organization, seat_id: int) -> HttpResponse:
    """A deputy's record as a delegate: their named votes above against their council's instructions."""
    seat = get_object_or_404(
        Seat.objects.select_related("holder", "council"), organization=organization, pk=seat_id
    )
    return render(
        request,
        "deliberation/delegate_record.html",
        {"organization": organization, "seat": seat, "record": selectors.delegate_record(seat=seat)},
    )
