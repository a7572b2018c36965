"""The cast of a script's ballot, lean (:mod:`councils.lean`): the token, the body validated by
``BallotIn``, :func:`councils.voting.api.cast` (the endpoint's own body: the poll, the principal,
the cast or secret cast service), the answer by ``CastOut`` or ``SecretCastOut``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from councils.lean.common import Lean, payload


def make_view(ninja_view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The lean view of the cast's address, handing what it does not expect to ``ninja_view``."""
    # Imported here: councils.serving imports councils.apiserving (and so this module) before
    # Django is set up.
    from councils.voting.api import cast
    from councils.voting.schemas import BallotIn, CastOut, SecretCastOut
    from councils.voting.services import elector_read_along

    lean = Lean()

    def cast_view(request: HttpRequest, slug: str, poll_id: str) -> HttpResponseBase:
        if lean.is_for_ninja(request, poll_id, body=True):
            return ninja_view(request, slug=slug, poll_id=poll_id)
        # The token and the caller's elector row in one statement, for the two reads below.
        elector_read_along(lean.bearer(request).strip(), int(poll_id))
        refused = lean.authenticate(request)
        if refused is not None:
            return refused
        try:
            ballot = payload(request, BallotIn)
            # The token's owner: a User (ApiToken.user), as the ninja endpoint's request.auth.
            actor: Any = request.auth  # type: ignore[attr-defined]
            key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
            status, body = cast(actor, slug, int(poll_id), ballot, key)
            return lean.answer(request, SecretCastOut if "tracker" in body else CastOut, status, body)
        except Exception as exc:
            return lean.error(request, exc)

    return cast_view
