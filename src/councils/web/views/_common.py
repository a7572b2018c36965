"""What the pages share: the request type, the organization access decorator, messages, hemicycles."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from councils.federation import access, readcache, selectors
from councils.federation.errors import NotSignedIn
from councils.federation.models import (
    Council,
    Faction,
    Member,
    Organization,
)
from councils.web import charts
from councils.web.views.errors import NoSuchPage, page_not_found, permission_denied

View = Callable[..., HttpResponseBase]


class HtmxHttpRequest(HttpRequest):
    """The request of a page that answers htmx: django-htmx's middleware (settings) sets ``htmx``."""

    htmx: HtmxDetails


INDEPENDENTS_COLOUR = "#bbbbbb"
EVENTS_PER_PAGE = 25

#: An organization whose councils have not changed for this long is historical (an archive, the
#: 1917 demonstration): its pages open at the day of its last change instead of today.
HISTORICAL_AFTER = timedelta(days=365)


def default_day(organization: Organization) -> date | None:
    """The day an organization's dated pages show when the reader chose none: the day of its last
    change when that lies more than ``HISTORICAL_AFTER`` in the past (the end of its history),
    else None (today). Read once per change of the organization (readcache)."""
    last = readcache.now(
        organization, ("last-change",), lambda: selectors.last_change(organization=organization)
    )
    if last is None or timezone.now() - last < HISTORICAL_AFTER:
        return None
    return timezone.localdate(last)


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


def attach_errors(form: Any, exc: ValidationError, fields: Mapping[str, str] | None = None) -> None:
    """A service's errors under the form's fields they name, so each is shown where it belongs.

    ``fields`` maps a service's key to the form's field where their names differ (the service's
    ``constituency`` is the form's ``part``); an error naming no field of the form is the form's own.
    """
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages_ in exc.message_dict.items():
        name = (fields or {}).get(key, key)
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


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
    holders: Mapping[Faction | None, Sequence[str]] | None = None,
) -> charts.Hemicycle:
    """The hemicycle of a council from its seats per faction (in hemicycle order); with ``holders``
    (the deputies' names per faction, in seating order) each seat carries its deputy's name. The
    majority line follows the seat that makes a majority of the filled seats."""
    groups: list[charts.Group] = []
    for faction, n in counts:
        names = list((holders or {}).get(faction, ()))
        groups.append(
            (
                faction.name if faction else _("Independents"),
                faction.colour if faction else INDEPENDENTS_COLOUR,
                names if len(names) == n else n,
            )
        )
    vacant = max(0, allocated - filled)
    needed = filled // 2 + 1 if filled else 0
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
    if needed:
        description += " " + _(
            "The dashed line follows seat %(needed)s counted from the left: %(needed)s of the %(filled)s "
            "filled seats make a majority."
        ) % {"needed": formats.localize(needed), "filled": formats.localize(filled)}
    return charts.hemicycle_chart(
        groups,
        vacant,
        title=_("Composition of %(council)s") % {"council": council.name},
        description=description,
        chart_id=chart_id,
        width=width,
        vacant_name=_("Vacant seat"),
        majority_needed=needed,
        majority_label=formats.localize(needed) if needed else "",
    )


def _composition_hemicycle(composition: selectors.Composition, *, chart_id: str) -> charts.Hemicycle:
    holders: dict[Faction | None, list[str]] = {}
    for row in composition.seats:
        holders.setdefault(row.faction, []).append(row.holder)
    return _hemicycle(
        composition.council,
        [(fc.faction, fc.seats) for fc in composition.factions],
        filled=composition.filled,
        allocated=composition.allocated,
        majority=composition.majority,
        chart_id=chart_id,
        holders=holders,
    )


def page_of(paginator: Paginator[Any], request: HttpRequest) -> Page[Any]:
    """The page ``?page=`` names (the first when none does); a number the list does not have is the
    404 page saying so, not silently another page."""
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
        return paginator.page(number)
    except (ValueError, InvalidPage):
        raise NoSuchPage(
            _("There is no page %(page)s of this list: it has pages 1 to %(pages)d.")
            % {"page": raw[:20], "pages": paginator.num_pages}
        ) from None
