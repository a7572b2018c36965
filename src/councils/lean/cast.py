"""The cast of a script's ballot, lean (:mod:`councils.lean`): the token, the body validated by
``BallotIn``, :func:`councils.voting.api.cast` (the endpoint's own body: the poll, the principal,
the cast or secret cast service), the answer by ``CastOut`` or ``SecretCastOut``.

A script's first vote in an open poll is most often taken in the same statement as its token's
read (:func:`councils.voting.api.cast_along`), before the token is authenticated from that read:
the body is therefore validated first, and a body the endpoint refuses is refused after the token,
as the endpoint refuses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from councils.lean.common import Lean, payload


def make_view(ninja_view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The lean view of the cast's address, handing what it does not expect to ``ninja_view``."""
    # Imported here: councils.serving imports councils.apiserving (and so this module) before
    # Django is set up.
    from councils.voting.api import cast, cast_along
    from councils.voting.schemas import BallotIn, CastOut, SecretCastOut

    lean = Lean()

    def cast_view(request: HttpRequest, slug: str, poll_id: str) -> HttpResponseBase:
        if lean.is_for_ninja(request, poll_id, body=True):
            return ninja_view(request, slug=slug, poll_id=poll_id)
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
        try:
            ballot = payload(request, BallotIn)
        except Exception:
            ballot = None  # read again below, after the token, and refused as the endpoint refuses it
        try:
            # The token read (once), and in the same statement the vote when it can be taken there.
            first = cast_along(lean.bearer(request).strip(), slug, int(poll_id), ballot, key)
        except Exception as exc:
            return lean.error(request, exc)
        refused = lean.authenticate(request)
        if refused is not None:
            return refused
        try:
            if first is None:
                ballot = payload(request, BallotIn) if ballot is None else ballot
                # The token's owner: a User (ApiToken.user), as the ninja endpoint's request.auth.
                actor: Any = request.auth  # type: ignore[attr-defined]
                first = cast(actor, slug, int(poll_id), ballot, key)
            status, body = first
            return lean.answer(request, SecretCastOut if "tracker" in body else CastOut, status, body)
        except Exception as exc:
            return lean.error(request, exc)

    return cast_view
