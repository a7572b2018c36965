"""What the federation's endpoints share: the request type, the error answers, the organization
lookup with its access check, and the `at` parameter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import ValidationError as SchemaError

from councils.federation import access
from councils.federation.models import (
    Council,
    Organization,
)
from councils.federation.schemas import (
    FieldErrors,
    Message,
    SchemaErrors,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ApiRequest(HttpRequest):
    """A request the API authenticated (``councils.api``: every endpoint needs it). ninja sets
    ``auth`` to what the authenticator returned: the token's owner, or the session's signed-in user."""

    auth: User


# Documented answers besides success (shapes in councils.api's description).
ERRORS = {401: Message, 403: Message, 404: Message}
READ_AT_ERRORS = {**ERRORS, 422: SchemaErrors}
WRITE_ERRORS = {400: FieldErrors, **ERRORS, 422: SchemaErrors}

AT_DESCRIPTION = (
    "The moment to show, as an ISO 8601 date-time (`1917-10-25T22:40:00+03:00`; without an offset it "
    "is read in the server's time zone) or a date (`1917-10-25`: as the day ended). Default: now."
)

# Query parameters with their documentation, shared by the endpoints that take them.
AT_QUERY = Query(None, description=AT_DESCRIPTION)
STATUS_QUERY = Query(None, description="Only petitions of this status.")
ELECTION_STATUS_QUERY = Query(None, description="Only elections of this status.")


def organization_for(request: ApiRequest, slug: str) -> Organization:
    """The organization named by ``slug`` (404 if none), if the caller may read it (403 if not).

    Reading an organization needs the same permission as its pages: membership or an office.
    """
    return access.organization_for(request.auth, slug)


def parse_moment(value: str | None, *, param: str = "at") -> datetime | None:
    """An ``at`` query parameter as an aware datetime; a date means the end of that day.

    A malformed value is answered 422 naming the parameter, like any other schema error.
    """
    if value is None or value == "":
        return None
    try:
        moment = parse_datetime(value)
        day = None if moment is not None else parse_date(value)
    except ValueError:  # well formed but impossible, such as 1917-02-30
        moment = day = None
    if moment is None and day is None:
        raise SchemaError(
            [
                {
                    "type": "value_error",
                    "loc": ["query", param],
                    "msg": _("Give a date (YYYY-MM-DD) or an ISO 8601 date-time."),
                }
            ]
        )
    if moment is None:
        assert isinstance(day, date)
        # A date means the composition as that day ended: what happened on it is included.
        moment = datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def council_for(request: ApiRequest, slug: str, council: str) -> Council:
    organization = organization_for(request, slug)
    return get_object_or_404(Council, organization=organization, slug=council)
