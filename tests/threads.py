"""Running a call off the main thread's event loop, for tests that follow live streams."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")


def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``function`` in a thread of its own. Playwright's sync API leaves an event loop running
    in the main thread once a browser test has run, and neither ``asyncio.run`` nor the test
    client's call of an async view (``async_to_sync``) works in a thread with a running loop."""

    def run() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()  # this thread's, so none outlives the test

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
