"""Playwright with Debian's Chromium (no ``playwright install``): where it is and how to start it."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from councils.live import hub as live

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are safe (the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium; without it, skip (fail in CI, where it must be installed)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without the networking flags Chromium tries to reach hosts this machine cannot reach.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """uvicorn serving Councils in a thread on a free port, as ``councils serve`` does (streams on
    the ASGI handler, the rest on the WSGI handler's threads); stopped (and its listener closed) after."""
    import uvicorn

    from councils.serving import Application

    application = Application()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, lifespan="off", log_level="warning", timeout_graceful_shutdown=2)
    )

    async def serve() -> None:
        try:
            await server.serve(sockets=[sock])
        finally:
            await live.shutdown()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        application.pool.shutdown(wait=True)
        sock.close()
        # The server's request threads are gone; a connection one of them left open would keep
        # PostgreSQL from dropping the test database until it is collected.
        gc.collect()
