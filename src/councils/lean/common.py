"""What every lean view does: recognize a script's request, authenticate its token, read its body
and render its answer, each as the ninja endpoint does it (:mod:`councils.lean`)."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Plain ids only: anything else (a sign, spaces, a number beyond the database's integers) is left
# to ninja, which names the error.
ID = re.compile(r"[0-9]{1,18}")
# A body declared as JSON (as scripts and the booth send it), or not declared at all.
JSON_TYPES = {"", "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
# Where ninja places the body's errors: the body parameter's name (councils.api strips it again).
BODY_LOC = ("body", "payload")


class Lean:
    """The parts of the API a lean view uses, found once (ninja reads the settings as it is
    imported, and councils.serving imports the lean views before Django is set up)."""

    def __init__(self) -> None:
        from ninja.errors import AuthenticationError

        from councils.api import TokenAuth, api

        self.api = api
        self.token_auth = TokenAuth()
        self.refused = AuthenticationError
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def is_for_ninja(self, request: HttpRequest, object_id: str, *, body: bool) -> bool:
        """Whether ninja's endpoint must answer this request: not a POST, an id that is not plain
        digits, no bearer token, a session cookie, or (``body``) a body not declared as JSON."""
        meta = request.META
        return (
            request.method != "POST"
            or not ID.fullmatch(object_id)
            or meta.get("HTTP_AUTHORIZATION", "").split(" ")[0].lower() != "bearer"
            or (body and meta.get("CONTENT_TYPE", "").lower() not in JSON_TYPES)
            or self.session_cookie in request.COOKIES
        )

    def bearer(self, request: HttpRequest) -> str:
        """The token the request carries (``Authorization: Bearer <token>``), as ninja reads it."""
        return " ".join(request.META.get("HTTP_AUTHORIZATION", "").split(" ")[1:])

    def authenticate(self, request: HttpRequest) -> HttpResponseBase | None:
        """Authenticate the bearer token as ninja runs ``TokenAuth``: None when it names a user (set
        as ``request.auth``), else the API's answer (401, or the error the authenticator raised)."""
        try:
            user = self.token_auth.authenticate(request, self.bearer(request))
        except Exception as exc:
            return self.api.on_exception(request, exc)
        if not user:
            # The session authenticator would find no session here either (no cookie).
            return self.api.on_exception(request, self.refused())
        request.auth = user  # type: ignore[attr-defined]
        return None

    def answer(
        self, request: HttpRequest, schema: type[pydantic.BaseModel], status: int, body: Any
    ) -> HttpResponseBase:
        """``body`` validated and dumped by the endpoint's output ``schema``, rendered by the API."""
        context = {"request": request, "response_status": status}
        model = plain_model(schema) if isinstance(body, dict) else schema
        data = model.model_validate(body, context=context).model_dump(context=context)
        return self.api.create_response(request, data, status=status)

    def error(self, request: HttpRequest, exc: Exception) -> HttpResponseBase:
        """The API's answer to an error of the endpoint's work."""
        return self.api.on_exception(request, exc)


def payload(request: HttpRequest, schema: type[pydantic.BaseModel]) -> Any:
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
        model = plain_model(schema) if isinstance(data, dict) else schema
        valid = model.model_validate(data, context={"request": request})
    except pydantic.ValidationError as exc:
        raise SchemaValidationError(_errors(exc)) from exc
    return valid if model is schema else schema.model_construct(valid.model_fields_set, **dict(valid))


@functools.cache
def plain_model(schema: type[pydantic.BaseModel]) -> type[pydantic.BaseModel]:
    """For a dict: a pydantic model with ``schema``'s fields, without ninja's root validator; the
    schema itself when it has resolvers (``resolve_<field>``, which read an object, not a dict).

    ninja's ``Schema`` wraps whatever it validates in a ``DjangoGetter`` (to read model instances'
    attributes, managers and files, and run the resolvers): in the lean cast that cost as much as
    the rest of the validation of its body and of its answer. A dict has none of those: validated
    by the same fields (types, defaults, constraints, nested schemas), its result and its errors
    are the same. Anything but a dict (a JSON array, which ninja reads as an empty ballot; an
    outcome object) goes to the schema itself; the tests compare the lean views' answers with
    ninja's, byte for byte."""
    if getattr(schema, "_ninja_resolvers", None):
        return schema
    fields: dict[str, Any] = {name: (field.annotation, field) for name, field in schema.model_fields.items()}
    config = pydantic.ConfigDict(**schema.model_config)
    config.pop("from_attributes", None)  # a dict is read by its keys
    return pydantic.create_model(schema.__name__, __config__=config, **fields)


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
