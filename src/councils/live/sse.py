"""The wire format of a live-update stream: server-sent events, and when a page reconnects."""

from __future__ import annotations

import random

# Reconnection: a delay drawn at random per stream, doubling with each failure in a row, capped.
# A server restart drops every stream at once, and accepting one costs a few milliseconds of CPU
# (Django's middleware under ASGI, the session, the access check): spread over a minute, 5,000
# pages come back at about 80 a second, which leaves the server room for ordinary requests
# (bench/live_bench.py). A page that comes back gets what it missed (``Hub._catch_up``). The SSE
# ``retry:`` field carries the first delay (browsers' own reconnect, other clients);
# ``htmx-ext-sse.js`` applies the whole policy with the same numbers.
RETRY_MIN_MS = 1_000
RETRY_BASE_MS = 59_000
RETRY_CAP_MS = 300_000

BYE = b"event: bye\ndata: access ended\n\n"
HEARTBEAT = b": heartbeat\n\n"


def retry_ms(failures: int = 1, rng: random.Random | None = None) -> int:
    """The delay before reconnecting after ``failures`` failures in a row: RETRY_MIN_MS plus a
    uniform draw up to min(RETRY_CAP_MS, RETRY_BASE_MS * 2^(failures - 1)) ("full jitter")."""
    ceiling = min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** max(0, min(failures, 16) - 1))
    return RETRY_MIN_MS + (rng or random).randint(0, ceiling)


def sse(event: str, data: str, *, version: int | None = None) -> bytes:
    """One server-sent event, encoded once (it goes to many streams as these very bytes)."""
    lines = [f"event: {event}"]
    if version is not None:
        lines.append(f"id: {version}")
    lines.extend("data: " + line for line in (data.splitlines() or [""]))
    return ("\n".join(lines) + "\n\n").encode()
