"""Requests handed straight to a WSGI handler, as ``councils.serving`` hands them."""

from __future__ import annotations

from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from councils import serving

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
