"""Requests handed straight to a WSGI handler, as ``councils.serving`` hands them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

from councils import apiserving, serving

# The scope of a request from a local client, as uvicorn gives it.
_SCOPE: dict[str, Any] = {
    "type": "http",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 0),
    "headers": [(b"host", b"127.0.0.1")],
}


def environ(method: str, path: str, body: bytes = b"", **extra: str) -> dict[str, Any]:
    """The WSGI environ ``councils.serving`` builds for this request (``serving.wsgi_environ``),
    with ``extra`` keys (``HTTP_AUTHORIZATION=...``, ``CONTENT_TYPE=...``) set on it."""
    built = serving.wsgi_environ({**_SCOPE, "method": method, "path": path}, body)
    built.update(extra)
    return built


def keep_test_connection() -> Any:
    """As Django's test client does: a request does not close the test's database connection.
    A generator for a fixture: ``pytest.fixture(autouse=True)(keep_test_connection)``."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class Answer:
    """A request's answer, as a test compares it, and what the database held after it."""

    status: int
    headers: dict[bytes, bytes]
    body: Any
    stored: Any


class NinjaHandler(apiserving.TokenApiHandler):
    """The lighter stack with the lean views turned off: their addresses go to ninja's endpoints."""

    lean_views = False


def send(
    handler: Any,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    stored: Callable[[], Any],
    blanked: tuple[str, ...] = (),
    reset: Callable[[], None] = lambda: None,
) -> Answer:
    """One request through ``handler`` (a WSGI handler), rolled back after: the next one starts
    from the same database state. ``stored()`` is read before the rollback; the ``blanked`` keys of
    the answer (ids and times the database gives anew) are blanked; ``reset`` clears the caches
    that a request fills, before and after."""
    with transaction.atomic():
        reset()
        whole = serving.application.run_wsgi(
            environ(method, path, body, **{"CONTENT_TYPE": "application/json", **headers}), None, handler
        )
        kept = stored()
        transaction.set_rollback(True)
    reset()
    assert whole is not None
    status, raw_headers, content = whole
    found = json.loads(content) if content.startswith((b"{", b"[")) else {"text": content.decode()}
    if isinstance(found, dict):
        for name in blanked:
            if name in found:
                found[name] = "(given by the database)"
    named = dict(raw_headers)
    named.pop(b"content-length", None)  # its digits follow the blanked values'
    return Answer(status, named, found, kept)


def compare(
    ninja_handler: Any, method: str, path: str, body: bytes, headers: dict[str, str], **how: Any
) -> Answer:
    """The answer of the lean view (the lighter stack as served), after checking that the ninja
    endpoint under the lighter stack and under the whole stack give the same (``how``: as
    :func:`send` takes it)."""
    lean = send(serving.application.token_api, method, path, body, headers, **how)
    ninja = send(ninja_handler, method, path, body, headers, **how)
    whole = send(serving.application.wsgi, method, path, body, headers, **how)
    assert lean == ninja
    # The whole stack's session middleware adds "Vary: Cookie" when the session authenticator has
    # looked for a session (a refused token): no cookie was sent, so no cache keeps two answers.
    vary = whole.headers.get(b"vary")
    if vary is not None and vary.endswith(b", Cookie"):
        whole.headers[b"vary"] = vary.removesuffix(b", Cookie")
    assert lean == whole
    return lean
