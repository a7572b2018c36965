"""The JSON API under /api/: one django-ninja router per app, calling the same services and selectors.

This module holds what every endpoint shares: authentication (a signed-in session, or a personal
API token) and the mapping of the services' errors to HTTP answers. Endpoints live in each app's
``api.py``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from councils.accounts.services import token_authenticate
from councils.deliberation.api import router as deliberation_router
from councils.federation.api import router as federation_router
from councils.voting.api import router as voting_router
from councils.voting.errors import AlreadyVoted
from councils.voting.purpose_api import router as voting_purpose_router

DESCRIPTION = """
The Councils API reads an organization's structure and composition and lets members act on
recall petitions, through the same services and rules as the pages.

**Authentication.** Either a signed-in session (the pages' cookie; unsafe methods then need the
`X-CSRFToken` header), or a personal API token: `Authorization: Bearer cnc_...`. Create a token
with `councils createtoken USERNAME NAME`; it is shown once. Reading an organization needs its
membership or one of its offices.

**Errors.** Every error body is JSON:

- `401` `{"detail": "..."}`: no valid session or token.
- `403` `{"detail": "..."}`: you may not do this (the message says why).
- `404` `{"detail": "..."}`: no such organization, council, constituency, seat or petition.
- `422` `{"detail": [{"loc": ["body", "seat"], "msg": "...", "type": "..."}]}`: the request does
  not match the schema (a body that is not JSON, a missing or mistyped field, a malformed `at`);
  `loc` names where: `["body"]`, `["body", "seat"]`, `["query", "at"]`. Nothing was changed.
- `400` `{"errors": {"seat": ["..."], "__all__": ["..."]}}`: a well-formed request that the
  organization's rules refuse (a seat no longer held, a petition already signed); each key names
  the field or object refused (`seat`, `reason`, `petition`), `__all__` holds the rest. Nothing was
  changed.
- `409` `{"detail": "..."}`: a ballot for a voter who has already voted (under another
  `Idempotency-Key`, or none). A retry with the same key gets `200` and the first answer.
"""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        api_token = token_authenticate(secret=token.strip())
        if api_token is None:
            return None
        # Rules and services read request.user; the token acts as its owner.
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The pages' signed-in session, with Django's CSRF check for unsafe methods.

    Unlike ninja's ``django_auth``, an anonymous request is not checked for CSRF first: it is
    answered 401 (not signed in) rather than 403 (CSRF), which is what a client can act on.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # check_csrf lets safe methods through, as Django's middleware does.
        if check_csrf(request) is not None:
            raise HttpError(
                403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
            )
        return "session"

    def authenticate(self, request: HttpRequest, key: str | None) -> AbstractBaseUser | None:
        if key is None:
            return None
        return request.user  # type: ignore[return-value]


api = NinjaAPI(
    title="Councils API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # The token first: a script's request has no session and must not be stopped by a CSRF check.
    auth=[TokenAuth(), SessionAuth()],
)


def _error_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as ``{field: [message, ...]}``, non-field messages under ``__all__``."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": _error_messages(exc)}, status=400)


@api.exception_handler(AlreadyVoted)
def _already_voted(request: HttpRequest, exc: AlreadyVoted) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # NotAllowed carries a readable message; a bare PermissionDenied gets a generic one.
    return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("Sign in, or send a personal API token as “Authorization: Bearer <token>”.")},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# Every endpoint names its JSON body parameter `payload`; ninja puts that name in `loc`, but the
# client never wrote it: `["body", "seat"]` points into the body the client sent.
BODY_PARAM = "payload"


# Pydantic's messages for the errors a client meets most, in its own English words, so that they
# read in the caller's language (Accept-Language) too; other messages stay as pydantic wrote them.
_SCHEMA_MESSAGES = {
    "missing": gettext_lazy("Field required"),
    "int_parsing": gettext_lazy("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": gettext_lazy("Input should be a valid integer"),
    "int_from_float": gettext_lazy("Input should be a valid integer, got a number with a fractional part"),
    "string_type": gettext_lazy("Input should be a valid string"),
    "bool_parsing": gettext_lazy("Input should be a valid boolean, unable to interpret input"),
    "bool_type": gettext_lazy("Input should be a valid boolean"),
    "date_from_datetime_parsing": gettext_lazy("Input should be a valid date"),
}


def _schema_message(error: dict[str, Any]) -> str:
    """The message of one schema error in the active language, where Councils knows its words."""
    kind = error.get("type")
    context = error.get("ctx") or {}
    if kind in _SCHEMA_MESSAGES:
        return str(_SCHEMA_MESSAGES[kind])
    if kind == "string_too_long" and isinstance(context.get("max_length"), int):
        limit = context["max_length"]
        return ngettext(
            "String should have at most %(max_length)d character",
            "String should have at most %(max_length)d characters",
            limit,
        ) % {"max_length": limit}
    return str(error.get("msg", ""))


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if loc[:2] == ["body", BODY_PARAM]:
            loc = ["body", *loc[2:]]
        errors.append({**error, "loc": loc, "msg": _schema_message(error)})
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's only 400 is a body it cannot parse: answer it like any other schema error, so
        # that 400 always means the organization's rules refused a well-formed request.
        error = {"type": "json_invalid", "loc": ["body"], "msg": _("The body is not valid JSON.")}
        return api.create_response(request, {"detail": [error]}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(OverflowError)
def _too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # An id in the path larger than the database's integers (2**63 - 1) names nothing; the
    # database driver refuses to even send it. Bounded body fields are refused by their schemas.
    return api.create_response(
        request, {"detail": _("Not found: a number in the address is larger than any id.")}, status=404
    )


api.add_router("/", federation_router)
api.add_router("/", voting_router)
api.add_router("/", voting_purpose_router)
api.add_router("/", deliberation_router)
