"""The API's hottest writes without ninja's operation machinery: the same answers, cheaper.

A cast (issue 10: a congress of thousands voting at once) and a petition's signature (issue 8) are
the writes scripts send most. Under their ninja endpoints, a profile spent about a quarter of the
CPU in ninja's operation itself: a model built per parameter kind, a temporary response, a wrapping
model for the answer, the authenticators' lookups of headers. A lean view does the endpoint's work
directly, in the endpoint's order, with the endpoint's own parts:

1. the token, as ``councils.api.TokenAuth`` reads it; refused: 401;
2. the body, if the endpoint takes one, parsed as ninja parses it and validated by the same pydantic
   schema, its errors placed as ninja places them (422 through the API's own handler);
3. the endpoint's own body (a function the ninja endpoint calls too);
4. the answer validated and dumped by the endpoint's output schema, rendered by the API's renderer;
   every error by the API's exception handlers.

Each runs as a view of the lighter stack (:mod:`councils.apiserving`), so the middleware around it,
and its headers, are those of every token request. Whatever a lean view does not expect (another
method, an id that is not plain digits, a body that is not declared JSON, an ``Authorization`` that
is not a bearer token, a session cookie) it hands, untouched, to the ninja endpoint itself, before
doing anything. ``COUNCILS_LEAN_API=0`` turns them off (the lighter stack then calls ninja).

- :mod:`councils.lean.common`: what every lean view does (the token, the body, the answer);
- :mod:`councils.lean.cast`: ``POST /api/organizations/{slug}/polls/{poll_id}/ballots``;
- :mod:`councils.lean.sign`: ``POST /api/organizations/{slug}/petitions/{petition_id}/sign``.
"""

from __future__ import annotations

import os


def enabled() -> bool:
    """Whether the lean views are on: ``COUNCILS_LEAN_API`` (default on; ``0`` turns them off)."""
    return os.environ.get("COUNCILS_LEAN_API", "1").strip().lower() not in {"0", "false", "off", "no"}
