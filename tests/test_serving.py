"""What ``councils serve`` runs: live streams on the ASGI handler, every other request on the WSGI
handler in one thread hop; and the real server, started as an operator starts it, stops on SIGTERM
even with streams open."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from councils import serving

ROOT = Path(__file__).resolve().parents[1]


def _run(coroutine) -> None:
    """Run a coroutine to its end in a thread of its own: a browser test in the same process leaves
    Playwright's event loop running in the main thread, where asyncio.run refuses to start."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_the_environ_carries_the_request_as_pep_3333_says() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/o/petrograd/petitions/1/sign/",
        "root_path": "",
        "query_string": b"next=%2F&x=1",
        "http_version": "1.1",
        "scheme": "https",
        "server": ("councils.example.org", 443),
        "client": ("10.0.0.7", 51000),
        "headers": [
            (b"host", b"councils.example.org"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"7"),
            (b"cookie", b"sessionid=abc"),
            (b"x-forwarded-for", b"1.2.3.4"),
            (b"x-forwarded-for", b"5.6.7.8"),
        ],
    }
    environ = serving.wsgi_environ(scope, b"a=1&b=2")

    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["PATH_INFO"] == "/o/petrograd/petitions/1/sign/"
    assert environ["QUERY_STRING"] == "next=%2F&x=1"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert environ["CONTENT_LENGTH"] == "7"
    assert environ["wsgi.input"].read() == b"a=1&b=2"
    assert environ["HTTP_HOST"] == "councils.example.org"
    assert environ["HTTP_COOKIE"] == "sessionid=abc"
    assert environ["HTTP_X_FORWARDED_FOR"] == "1.2.3.4,5.6.7.8"
    assert environ["REMOTE_ADDR"] == "10.0.0.7"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("councils.example.org", "443")


def _call(path: str) -> tuple[str, list[dict]]:
    """Call the application for ``path`` with its ASGI handler replaced; which handler answered."""
    app = serving.application
    sent: list[dict] = []
    seen = []

    async def asgi(scope, receive, send):
        seen.append("asgi")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 1),
    }
    original = app.asgi
    app.asgi = asgi  # type: ignore[assignment]
    try:
        _run(app(scope, receive, send))
    finally:
        app.asgi = original
    return ("asgi" if seen else "wsgi"), sent


def test_live_streams_go_to_the_asgi_handler_and_the_rest_to_the_wsgi_handler(db) -> None:
    assert _call("/o/soviets-1917/live/")[0] == "asgi"
    handler, sent = _call("/api/openapi.json")
    assert handler == "wsgi"
    assert sent[0]["status"] == 200
    assert (b"content-type", b"application/json") in sent[0]["headers"]
    assert b'"openapi"' in sent[1]["body"]


# --- the real server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _councils() -> list[str]:
    script = Path(sys.executable).parent / "councils"
    return [str(script)] if script.exists() else [sys.executable, "-m", "councils.cli"]


SETUP = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from tests.web.scenario import build_petrograd
pg = build_petrograd()
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(pg.anna.user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = pg.anna.user.get_session_auth_hash()
session.save()
print(pg.org.slug, pg.soviet.slug, session.session_key)
"""


@pytest.mark.slow
def test_councils_serve_answers_pages_streams_and_stops_on_sigterm_with_streams_open(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(COUNCILS_DATA_DIR=str(tmp_path), PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    subprocess.run([*_councils(), "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    done = subprocess.run(
        [*_councils(), "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, timeout=60, capture_output=True
    )
    org, council, session = done.stdout.decode().split()[-3:]
    port = _free_port()
    server = subprocess.Popen(
        [*_councils(), "serve", "--port", str(port), "--no-migrate", "--timeout-graceful-shutdown", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    streams: list[http.client.HTTPConnection] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None, "councils serve exited"
                assert time.monotonic() < deadline, "councils serve did not listen within 60 s"
                time.sleep(0.2)
        headers = {"Cookie": f"sessionid={session}"}

        page = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        page.request("GET", f"/o/{org}/councils/{council}/", headers=headers)
        response = page.getresponse()
        assert response.status == 200
        assert b"<svg" in response.read()
        page.close()

        for _ in range(3):
            stream = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            stream.request("GET", f"/o/{org}/live/", headers=headers)
            response = stream.getresponse()
            assert response.status == 200
            assert response.getheader("Content-Type", "").startswith("text/event-stream")
            assert b"retry:" in response.read1(100)
            streams.append(stream)

        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        # One second of grace for the open streams, then the process exits.
        assert time.monotonic() - started < 15
    finally:
        for stream in streams:
            stream.close()
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_body_too_large_is_refused_before_django_sees_it(monkeypatch) -> None:
    monkeypatch.setattr(serving, "MAX_BODY_BYTES", 10)
    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": b"x" * 8, "more_body": True}] * 3

    async def receive():
        return chunks.pop()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/organizations", "headers": []}
    _run(serving.application(scope, receive, send))
    assert sent[0]["status"] == 413


# --- streaming responses (exports) ----------------------------------------------------------------


class _Streaming:
    """What Django's WSGI handler returns for a StreamingHttpResponse: iterable, ``streaming``."""

    streaming = True

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.made = 0
        self.closed = False

    def __iter__(self):
        for i in range(self.chunks):
            self.made += 1
            yield f"row {i}\n".encode()

    def close(self) -> None:
        self.closed = True


def _stream_through_the_application(response: _Streaming, *, fail_at: int | None = None) -> tuple[list, list]:
    app = serving.application
    sent: list[dict] = []
    made_when_sent: list[int] = []

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
        return response

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.body":
            made_when_sent.append(response.made)
            if fail_at is not None and len(made_when_sent) >= fail_at:
                raise OSError("the client went away")
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/o/petrograd/audit.csv",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 1),
    }
    original = app.wsgi
    app.wsgi = wsgi  # type: ignore[assignment]
    try:
        _run(app(scope, receive, send))
    finally:
        app.wsgi = original
    return sent, made_when_sent


def test_a_streaming_response_is_sent_chunk_by_chunk_as_it_is_made() -> None:
    response = _Streaming(200)

    sent, made_when_sent = _stream_through_the_application(response)

    assert sent[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/csv; charset=utf-8")],
    }
    bodies = sent[1:]
    assert b"".join(m["body"] for m in bodies) == b"".join(f"row {i}\n".encode() for i in range(200))
    assert all(m["more_body"] for m in bodies[:-1]) and not bodies[-1].get("more_body", False)
    # Never more than the queue's few chunks ahead of what was sent: not gathered whole.
    assert made_when_sent[0] <= serving.STREAM_BUFFER + 2
    assert response.closed


def test_a_client_that_leaves_stops_the_stream() -> None:
    response = _Streaming(10_000)

    sent, _made = _stream_through_the_application(response, fail_at=3)

    assert response.made < 100  # it stopped making rows soon after the client left
    assert response.closed
    assert len(sent) == 3  # the start and two chunks


def test_a_failure_in_the_handler_reaches_the_server_and_the_next_request_is_answered() -> None:
    app = serving.application
    sent: list[dict] = []

    def failing(environ, start_response):
        raise RuntimeError("the view broke")

    def working(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"fine"]

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/o/petrograd/", "headers": [(b"host", b"127.0.0.1")]}
    original = app.wsgi
    try:
        app.wsgi = failing  # type: ignore[assignment]
        with pytest.raises(RuntimeError, match="the view broke"):
            _run(app(scope, receive, send))
        assert sent == []  # uvicorn answers 500 for an application that raises
        app.wsgi = working  # type: ignore[assignment]
        _run(app(scope, receive, send))
    finally:
        app.wsgi = original
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"fine"
