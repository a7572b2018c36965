"""The cast of a script's ballot without ninja's operation machinery: the same answer, cheaper.

A cast is the API's hottest request (issue 10: a congress of thousands voting at once). Under the
ninja endpoint, a profile of a cast spent about a quarter of its CPU in ninja's operation itself:
building a model per parameter kind, a temporary response, a wrapping model for the answer, the
authenticators' lookups of headers. :func:`cast_view` does the endpoint's work directly, in the
endpoint's order, with the endpoint's own parts:

1. the token, as ``councils.api.TokenAuth`` reads it (``token_authenticate``); refused: 401;
2. the body, parsed as ninja parses it and validated by the same pydantic schema (``BallotIn``),
   its errors placed as ninja places them (422 through the API's own handler);
3. :func:`councils.voting.api.cast`, the endpoint's own body (the poll, the principal, the cast or
   secret cast service);
4. the answer validated and dumped by the endpoint's output schema (``CastOut`` or
   ``SecretCastOut``), rendered by the API's renderer; every error by the API's exception handlers.

It runs as the view of the lighter stack (:mod:`councils.apiserving`), so the middleware around it,
and its headers, are those of every token request. Whatever it does not expect (another method,
a poll id that is not plain digits, a body that is not declared JSON, an ``Authorization`` that is
not a bearer token, a session cookie) it hands, untouched, to the ninja endpoint itself, before
doing anything. ``COUNCILS_LEAN_CAST=0`` turns it off (the lighter stack then calls ninja).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Plain ids only: anything else (a sign, spaces, a number beyond the database's integers) is left
# to ninja, which names the error.
POLL_ID = re.compile(r"[0-9]{1,18}")
# A body declared as JSON (as scripts and the booth send it), or not declared at all.
JSON_TYPES = {"", "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
# Where ninja places the body's errors: the body parameter's name (councils.api strips it again).
BODY_LOC = ("body", "payload")


def enabled() -> bool:
    """Whether the lean cast is on: ``COUNCILS_LEAN_CAST`` (default on; ``0`` turns it off)."""
    return os.environ.get("COUNCILS_LEAN_CAST", "1").strip().lower() not in {"0", "false", "off", "no"}


def make_view(ninja_view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The lean view of the cast's address, handing what it does not expect to ``ninja_view``."""
    # Imported here: councils.serving imports councils.apiserving (and so this module) before
    # Django is set up, and ninja reads the settings as it is imported.
    from ninja.errors import AuthenticationError

    from councils.api import TokenAuth, api
    from councils.voting.api import cast
    from councils.voting.schemas import BallotIn, CastOut, SecretCastOut

    token_auth = TokenAuth()
    session_cookie = settings.SESSION_COOKIE_NAME

    def cast_view(request: HttpRequest, slug: str, poll_id: str) -> HttpResponseBase:
        meta = request.META
        authorization = meta.get("HTTP_AUTHORIZATION", "")
        parts = authorization.split(" ")
        if (
            request.method != "POST"
            or not POLL_ID.fullmatch(poll_id)
            or parts[0].lower() != "bearer"
            or meta.get("CONTENT_TYPE", "").lower() not in JSON_TYPES
            or session_cookie in request.COOKIES
        ):
            return ninja_view(request, slug=slug, poll_id=poll_id)
        # 1. Authentication, as ninja runs it: an error of the authenticator is the API's answer.
        try:
            user = token_auth.authenticate(request, " ".join(parts[1:]))
        except Exception as exc:
            return api.on_exception(request, exc)
        if not user:
            # The session authenticator would find no session here either (no cookie).
            return api.on_exception(request, AuthenticationError())
        request.auth = user  # type: ignore[attr-defined]
        try:
            # 2. The body, then 3. the endpoint's work, then 4. its answer.
            payload = _payload(request, BallotIn)
            # The token's owner: a User (ApiToken.user), as the ninja endpoint's request.auth.
            actor: Any = user
            status, body = cast(actor, slug, int(poll_id), payload, meta.get("HTTP_IDEMPOTENCY_KEY", ""))
            schema = SecretCastOut if "tracker" in body else CastOut
            context = {"request": request, "response_status": status}
            data = schema.model_validate(body, context=context).model_dump(context=context)
            return api.create_response(request, data, status=status)
        except Exception as exc:
            return api.on_exception(request, exc)

    return cast_view


def _payload(request: HttpRequest, schema: type[pydantic.BaseModel]) -> Any:
    """The request's body validated by ``schema``, or ninja's error for it (an unreadable body:
    ninja's 400, which the API answers as a 422; a body the schema refuses: the 422 errors placed
    under ``body``, ``payload`` as ninja places them; an empty body: the payload missing)."""
    from ninja.errors import HttpError
    from ninja.errors import ValidationError as SchemaValidationError

    raw = request.body
    if not raw:
        raise SchemaValidationError([{"type": "missing", "loc": BODY_LOC, "msg": "Field required"}])
    try:
        data = json.loads(raw)
    except Exception as exc:
        raise HttpError(400, "Cannot parse request body") from exc
    try:
        return schema.model_validate(data, context={"request": request})
    except pydantic.ValidationError as exc:
        raise SchemaValidationError(_errors(exc)) from exc


def _errors(exc: pydantic.ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors as ninja reports a body's (``NinjaAPI.validation_error_from_error_contexts``)."""
    errors = []
    for error in exc.errors(include_url=False):
        error["loc"] = BODY_LOC + tuple(error["loc"])
        del error["input"]  # type: ignore[misc]
        context = error.get("ctx")
        if context and isinstance(context.get("error"), Exception):
            context["error"] = str(context["error"])
        errors.append(dict(error))
    return errors
