"""What the federation's endpoints share: the request type, the error answers, the organization
lookup with its access check, and the `at` parameter."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import WithJsonSchema

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
from councils.validators import day_range_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ApiRequest(HttpRequest):
    """A request the API authenticated (``councils.api``: every endpoint needs it). ninja sets
    ``auth`` to what the authenticator returned: the token's owner, or the session's signed-in user."""

    auth: User


# Documented answers besides success (shapes in councils.api's description).
# 422: any request may be malformed (a path's id that is not a whole number, a page out of range).
ERRORS = {401: Message, 403: Message, 404: Message, 422: SchemaErrors}
READ_AT_ERRORS = ERRORS
WRITE_ERRORS = {400: FieldErrors, **ERRORS}

AT_DESCRIPTION = (
    "The moment to show, as an ISO 8601 date-time (`1917-10-25T22:40:00+03:00`; without an offset it "
    "is read in the server's time zone) or a date (`1917-10-25`: as the day ended), from 1800-01-01 "
    "to today (422 otherwise). Default: now."
)

#: ``at`` as the OpenAPI document describes it: a date or a date-time, as :func:`parse_moment` reads it.
AtParam = Annotated[
    str | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
                {"type": "string", "maxLength": 0},  # empty: now, as when absent
                {"type": "null"},
            ]
        }
    ),
]

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
    shown = day if moment is None else moment.date()
    assert isinstance(shown, date)
    problem = day_range_problem(shown)
    if problem is not None:
        raise SchemaError([{"type": "value_error", "loc": ["query", param], "msg": problem}])
    if moment is None:
        assert isinstance(day, date)
        # A date means the composition as that day ended: what happened on it is included.
        moment = datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


#: The highest page number a list answers, and the most items a page may hold.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100


class BoundedPagination(PageNumberPagination):
    """Pages numbered from 1, of at most :data:`MAX_PAGE_SIZE` items; a page past the last is 404.

    The bounds are in the schema (so the OpenAPI document states them, and a page number too large
    for the database's offset is answered 422 before any query), the last page by the count.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description=f"Items a page (default 50, at most {MAX_PAGE_SIZE})."
        )

    def __init__(self, page_size: int = 50, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        pages = max(1, math.ceil(count / size))
        if pagination.page > pages:
            raise HttpError(
                404,
                _("There is no page %(page)d: the list has %(pages)d pages of %(size)d.")
                % {"page": pagination.page, "pages": pages, "size": size},
            )
        offset = (pagination.page - 1) * size
        return {self.items_attribute: queryset[offset : offset + size], "count": count}


def council_for(request: ApiRequest, slug: str, council: str) -> Council:
    organization = organization_for(request, slug)
    return get_object_or_404(Council, organization=organization, slug=council)


def paginated(func: Callable[..., Any] | None = None, *, page_size: int = 50) -> Any:
    """``@paginate(BoundedPagination)`` for an endpoint whose annotations are strings.

    ninja reads the parameters' types in the globals of the function it is given, which for the
    wrapper ``paginate`` makes are ninja's own: the endpoint's annotations are resolved here first,
    in its module, so that types such as :data:`AtParam` are found.
    """

    def decorate(view: Callable[..., Any]) -> Any:
        view.__annotations__ = get_type_hints(view, include_extras=True)
        return paginate(BoundedPagination, page_size=page_size)(view)

    return decorate(func) if func is not None else decorate
