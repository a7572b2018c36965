"""The pages. Each view looks up what the URL names, checks permission (``rules``, then the
services check again), calls one selector or service and renders; htmx requests get a partial."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from councils.audit import selectors as audit_selectors
from councils.federation import access, readcache, selectors, services
from councils.federation.errors import NotAllowed, NotSignedIn
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    RecallPetition,
)
from councils.live import access as live_access
from councils.live import hub as live
from councils.live import publish as live_publish
from councils.live import topics as live_topics
from councils.web import charts
from councils.web.forms import (
    AtForm,
    AuditFilterForm,
    ElectionDeclareForm,
    ElectionOpenForm,
    PetitionOpenForm,
)

View = Callable[..., HttpResponseBase]


class HtmxHttpRequest(HttpRequest):
    """The request of a page that answers htmx: django-htmx's middleware (settings) sets ``htmx``."""

    htmx: HtmxDetails


INDEPENDENTS_COLOUR = "#bbbbbb"
EVENTS_PER_PAGE = 25


# --- errors --------------------------------------------------------------------------------------


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page, with the service's reason when it gave one."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "web/403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page."""
    return render(request, "web/404.html", {}, status=404)


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What django-axes shows after too many failed sign-ins (``AXES_LOCKOUT_CALLABLE``)."""
    cool_off = get_cool_off(request)
    hours = math.ceil(cool_off.total_seconds() / 3600) if cool_off else 1
    return render(request, "web/locked_out.html", {"cooloff_hours": hours}, status=429)


def _pages_errors(view: View) -> View:
    """Refusals become the 403 page and unknown names the 404 page, from every page of this app
    (the project's handler403/handler404 would do it too, but only when DEBUG is off)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)
        except Http404 as exc:
            return page_not_found(request, exc)

    return wrapped


def _organization_page(view: View) -> View:
    """Resolve ``org_slug`` and let in only its members and officers; others sign in or are refused."""

    @_pages_errors
    @wraps(view)
    def wrapped(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            organization = access.organization_for(request.user, org_slug)
        except NotSignedIn:
            return redirect_to_login(request.get_full_path())
        return view(request, organization, *args, **kwargs)

    return wrapped


def _membership(request: HttpRequest, organization: Organization) -> Member | None:
    return selectors.memberships(user=request.user).filter(organization=organization).first()


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


# --- charts --------------------------------------------------------------------------------------


def _hemicycle(
    council: Council,
    counts: Iterable[tuple[Faction | None, int]],
    *,
    filled: int,
    allocated: int,
    majority: Faction | None,
    chart_id: str,
    width: float = 200.0,
) -> charts.Hemicycle:
    """The hemicycle of a council from its seats per faction (in hemicycle order)."""
    groups = [
        (
            faction.name if faction else _("Independents"),
            faction.colour if faction else INDEPENDENTS_COLOUR,
            n,
        )
        for faction, n in counts
    ]
    vacant = max(0, allocated - filled)
    if majority is not None:
        majority_text = _("%(faction)s holds the majority") % {"faction": majority.name}
    else:
        majority_text = _("no majority")
    description = _("%(filled)s of %(allocated)s seats filled, %(vacant)s vacant; %(majority)s.") % {
        "filled": formats.localize(filled),
        "allocated": formats.localize(allocated),
        "vacant": formats.localize(vacant),
        "majority": majority_text,
    }
    return charts.hemicycle_chart(
        groups,
        vacant,
        title=_("Composition of %(council)s") % {"council": council.name},
        description=description,
        chart_id=chart_id,
        width=width,
    )


def _composition_hemicycle(composition: selectors.Composition, *, chart_id: str) -> charts.Hemicycle:
    return _hemicycle(
        composition.council,
        [(fc.faction, fc.seats) for fc in composition.factions],
        filled=composition.filled,
        allocated=composition.allocated,
        majority=composition.majority,
        chart_id=chart_id,
    )


# --- pages ---------------------------------------------------------------------------------------


@require_GET
@_pages_errors
def home(request: HttpRequest) -> HttpResponse:
    """A member's home in each of their organizations; for visitors, the organizations and a sign-in link."""
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html", {"organizations": Organization.objects.order_by("name")})
    homes = [selectors.member_home(member=m) for m in selectors.memberships(user=request.user)]
    member_orgs = {h.member.organization_id for h in homes}
    offices = (
        Organization.objects.filter(officers__user=request.user)
        .exclude(pk__in=member_orgs)
        .distinct()
        .order_by("name")
    )
    return render(request, "web/home.html", {"homes": homes, "offices": offices})


@require_GET
@_organization_page
def organization(request: HtmxHttpRequest, organization: Organization) -> HttpResponse:
    """The tree of councils with each one's hemicycle, and the majority map at a date."""
    at_form = AtForm(request.GET or None)
    majorities = selectors.majority_map(organization=organization, at=at_form.moment())
    context = {
        "organization": organization,
        "at_form": at_form,
        "majorities": majorities,
        "day": at_form.day(),
        # Live updates re-read the map only while it shows now, not a chosen past day.
        "live": at_form.moment() is None,
    }
    if request.htmx and request.htmx.target == "majority-map":
        return render(request, "web/partials/majority_map.html", context)
    # The tree shows every council now, drawn from the majority map's counts: the page costs
    # the same few queries however many councils the organization has.
    now = majorities if at_form.moment() is None else selectors.majority_map(organization=organization)
    tree = selectors.council_tree(organization=organization)
    nodes = []
    for i, (node, row) in enumerate(zip(tree, now, strict=True)):
        next_depth = tree[i + 1].depth if i + 1 < len(tree) else 0
        nodes.append(
            {
                "node": node,
                "composition": row,
                "majority_seats": row.counts.get(row.majority, 0) if row.majority else 0,
                "chart": _hemicycle(
                    node.council,
                    row.counts.items(),
                    filled=row.filled,
                    allocated=row.allocated,
                    majority=row.majority,
                    chart_id=f"hemicycle-{node.council.pk}",
                    width=120,
                ),
                # The nested lists this node closes in the template (the tree arrives flat, depth first).
                "closes": range(max(0, node.depth - next_depth)) if not node.children else range(0),
            }
        )
    context["nodes"] = nodes
    return render(request, "web/organization.html", context)


def _history_chart(council: Council, organization: Organization) -> dict[str, Any]:
    history = selectors.composition_history(council=council)
    faction_list = list(selectors.factions(organization=organization))
    present = {key for point in history for key in point.counts}
    lines: list[tuple[int | None, str, str]] = [
        (f.pk, f.name, f.colour) for f in faction_list if f.pk in present
    ]
    if None in present:
        lines.append((None, _("Independents"), INDEPENDENTS_COLOUR))
    until = None
    if history:
        # The last step runs until now, unless the history lies long past (the 1917 demonstration):
        # then a short tail after the last change keeps the changes from crowding into one edge.
        first, last, now = history[0].at, history[-1].at, timezone.now()
        tail = max((last - first) / 10, timedelta(days=1))
        until = now if now - last <= tail * 3 else last + tail
    chart = charts.seats_over_time(
        [(p.at, p.counts) for p in history],
        lines,
        until=until,
        date_label=lambda moment: formats.date_format(moment, "SHORT_DATE_FORMAT"),
    )
    rows = [
        {"at": p.at, "counts": [p.counts.get(key, 0) for key, _label, _colour in lines], "vacant": p.vacant}
        for p in history
    ]
    return {"history_chart": chart, "history_lines": lines, "history_rows": rows}


def composition_context(organization: Organization, council: Council, at_form: AtForm) -> dict[str, Any]:
    """What the composition partial shows: the council's page, and its live fragment rendered once
    per change for every open page (``councils.web.fragments``)."""
    moment = at_form.moment()
    composition = (
        selectors.composition_at(council=council, at=moment)
        if moment is not None
        else readcache.now(
            organization, ("composition", council.pk), lambda: selectors.composition_at(council=council)
        )
    )
    return {
        "organization": organization,
        "council": council,
        "at_form": at_form,
        "day": at_form.day(),
        "composition": composition,
        "majority_seats": next(
            (fc.seats for fc in composition.factions if fc.faction and fc.faction == composition.majority), 0
        ),
        "chart": _composition_hemicycle(composition, chart_id="hemicycle"),
        # Live updates replace the composition only while it shows now, not a chosen past day.
        "live": at_form.moment() is None,
    }


@require_GET
@_organization_page
def council(request: HtmxHttpRequest, organization: Organization, council_slug: str) -> HttpResponse:
    """A council: its hemicycle and deputies at a date, and its composition over time."""
    council = get_object_or_404(Council, organization=organization, slug=council_slug)
    context = composition_context(organization, council, AtForm(request.GET or None))
    if request.htmx and request.htmx.target == "composition":
        return render(request, "web/partials/composition.html", context)
    context["may_apportion"] = request.user.has_perm("federation.change_structure", organization)
    context.update(
        readcache.now(organization, ("history", council.pk), lambda: _history_chart(council, organization))
    )
    return render(request, "web/council.html", context)


def _constituency_context(
    request: HttpRequest, organization: Organization, constituency: Constituency
) -> dict[str, Any]:
    viewer = _membership(request, organization)
    constituent = viewer if viewer is not None and viewer.constituency_id == constituency.pk else None
    overview = selectors.constituency_overview(constituency=constituency, member=constituent)
    return {
        "organization": organization,
        "constituency": constituency,
        "overview": overview,
        "constituent": constituent,
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
            for message in _validation_messages(exc):
                form.add_error(None, message)
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

    # htmx swaps the petition's card for its new state.
    if row is None:
        member = _membership(request, organization)
        overview = selectors.constituency_overview(constituency=petition.constituency, member=member)
        row = next((r for r in overview.petitions if r.petition.pk == petition.pk), None)
    petition.refresh_from_db()
    return render(
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


@require_POST
@_organization_page
def council_apportion(request: HttpRequest, organization: Organization, council_slug: str) -> HttpResponse:
    """Apportion the council's seats among its parts by its seat rule (organizers)."""
    council = get_object_or_404(Council, organization=organization, slug=council_slug)
    try:
        allocations = services.council_apportion(actor=request.user, council=council)
    except ValidationError as exc:
        messages.error(request, " ".join(_validation_messages(exc)))
    else:
        parts = sorted((a.part_label, a.seats) for a in allocations)
        messages.success(
            request,
            _("Seats of %(council)s apportioned: %(parts)s.")
            % {
                "council": council.name,
                "parts": ", ".join(f"{name} {formats.localize(seats)}" for name, seats in parts),
            },
        )
    return redirect("council", organization.slug, council.slug)


# --- elections -----------------------------------------------------------------------------------


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
    rows = list(queryset)
    may_declare = _may_declare(request, organization)
    if may_declare and open_form is None:
        open_form = _election_open_form(organization)
    return {
        "organization": organization,
        "council": council,
        "open_elections": [e for e in rows if e.status == Election.Status.OPEN],
        "closed_elections": [e for e in rows if e.status != Election.Status.OPEN],
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


def _field_of(key: str) -> str | None:
    """The open form's field for a service's error key (None: the form as a whole)."""
    return {"council": "council", "constituency": "part", "child_council": "part", "seats": "seats"}.get(key)


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
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(_field_of(key), message)
            else:
                for message in exc.messages:
                    form.add_error(None, message)
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
                for message in _validation_messages(exc):
                    form.add_error(None, message)
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


@require_GET
@_organization_page
def audit(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The organization's audit log, newest first, filtered by kind, a page at a time."""
    form = AuditFilterForm(request.GET or None, kinds=selectors.event_kinds(organization=organization))
    kind = form.cleaned_data.get("kind") if form.is_valid() else None
    paginator = Paginator(selectors.events(organization=organization, kind=kind or None), EVENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
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


# --- live updates --------------------------------------------------------------------------------


def _release_connections() -> None:
    """Close this thread's database connections (outside a transaction): a stream must not hold one
    across its wait (STACK-NOTES; with the pool, ten open pages would take every connection)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _live_gate(request: HttpRequest, org_slug: str) -> tuple[int, int, str] | HttpResponseBase:
    """(organization id, user id, session key) if the user may follow the organization, else the
    page saying why (as the other organization pages: visitors sign in, outsiders are refused, an
    unknown name is not found). Three queries: the session, the user, the organization with access."""
    try:
        if not request.user.is_authenticated:
            if not Organization.objects.filter(slug=org_slug).exists():
                raise Http404(org_slug)
            return redirect_to_login(reverse("organization", args=[org_slug]))
        found = live_access.gate(request.user, org_slug)
        if found is None:
            raise Http404(org_slug)
        organization_id, name, allowed = found
        if not allowed:
            raise NotAllowed(
                _("Only members and officers of %(organization)s can see it.") % {"organization": name}
            )
        return organization_id, request.user.pk, request.session.session_key or ""
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    except Http404 as exc:
        return page_not_found(request, exc)
    finally:
        _release_connections()


@require_GET
async def live_updates(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    """Server-sent events for an open page of the organization, following the topic it shows
    (``?topic=council.3``; the organization's by default): shared fragments to swap in, ``change``
    events for pages that re-read themselves, ``bye`` when the user's access ends."""
    gate = await sync_to_async(_live_gate)(request, org_slug)
    if isinstance(gate, HttpResponseBase):
        return gate
    if not isinstance(request, ASGIRequest):
        # A WSGI server (runserver, the tests' live server) would buffer the endless stream in a
        # thread forever. 204 tells the browser there is nothing to follow; the pages work as before.
        return HttpResponse(status=204)
    organization_id, user_id, session_key = gate
    topic = live_topics.parse(organization_id, request.GET.get("topic") or f"organization.{organization_id}")
    if topic is None:
        return HttpResponse(_("Unknown topic."), status=400, content_type="text/plain")
    # The version the page was rendered at (``live_url``); a client that gives none starts now.
    since = request.GET.get("since", "")
    opened = live.Stream(
        organization_id=organization_id,
        topics=frozenset({topic.name, live_topics.user_topic(organization_id, user_id).name}),
        user_id=user_id,
        session_key=session_key,
        since=int(since) if since.isdigit() else live_publish.version_now(),
    )
    hub = live.hub()
    await hub.subscribe(opened)
    response = StreamingHttpResponse(live.stream(hub, opened), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class LoginView(auth_views.LoginView):
    """Sign in. django-axes counts failures and locks the name and address out after too many."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
