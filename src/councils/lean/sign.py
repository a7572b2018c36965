"""A script's signature of a recall petition, lean (:mod:`councils.lean`): the token,
:func:`councils.federation.api.petitions.sign` (the endpoint's own body), the answer by
``SignOutcomeOut``. The endpoint takes no body: ninja reads none, and neither does this view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from councils.lean.common import Lean


def make_view(ninja_view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The lean view of the signature's address, handing what it does not expect to ``ninja_view``."""
    from councils.federation.api.petitions import sign
    from councils.federation.schemas import SignOutcomeOut

    lean = Lean()

    def sign_view(request: HttpRequest, slug: str, petition_id: str) -> HttpResponseBase:
        if lean.is_for_ninja(request, petition_id, body=False):
            return ninja_view(request, slug=slug, petition_id=petition_id)
        refused = lean.authenticate(request)
        if refused is not None:
            return refused
        try:
            actor: Any = request.auth  # type: ignore[attr-defined]
            return lean.answer(request, SignOutcomeOut, 200, sign(actor, slug, int(petition_id)))
        except Exception as exc:
            return lean.error(request, exc)

    return sign_view
