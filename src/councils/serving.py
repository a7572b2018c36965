"""The application ``councils serve`` runs: WSGI for ordinary requests, ASGI for live streams.

Django's own ASGI handler runs a sync view, and every sync middleware around it, by hopping to a
thread and back: about 1.9 ms of CPU per request on this project's machines (STACK-NOTES), which
made pages and the API five to ten times slower than the same Django under a WSGI server. Live
updates, though, are long server-sent event streams that must stay async (thousands per process).

So each server process runs this small ASGI application. A request for a live stream
(``/o/<org>/live/``) goes to Django's ASGI handler, as before. Every other request is handed, whole,
to Django's WSGI handler in ONE trip to a thread pool: the body is read on the event loop, the
view runs with its middleware in the thread, the response comes back as bytes and is sent from the
loop. Views do not know which path served them. A streaming response (an export of the whole
audit log) is not gathered into bytes: the same pool thread iterates it and hands each chunk to the
loop through a small bounded queue, so the server holds a few chunks of it at a time, never all.

The pool's size is the number of requests a process runs at once (``COUNCILS_THREADS``, default 4);
the database pool (settings) is sized to match it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import os
import re
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from councils import apiserving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")

# As uvicorn passes them and Django's ASGIHandler takes them: the scope a dict, messages read-only.
Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Paths served by the async handler: the live-update streams (councils.web.urls).
STREAM_PATH = re.compile(r"^/o/[-\w]+/live/$")

DEFAULT_THREADS = 4
# Chunks of a streaming response waiting to be sent: the thread making them waits beyond this.
STREAM_BUFFER = 8
# A request body is read whole before the view runs: larger ones are refused (413) as they arrive,
# before they fill the memory. A members file of 100,000 rows is about 5 MB.
MAX_BODY_BYTES = 64 * 1024 * 1024


def threads() -> int:
    """Requests one process runs at once: ``COUNCILS_THREADS`` (default 4)."""
    try:
        return max(1, int(os.environ.get("COUNCILS_THREADS", DEFAULT_THREADS)))
    except ValueError:
        return DEFAULT_THREADS


class Application:
    """An ASGI application: streams to Django's ASGI handler, the rest to its WSGI handler."""

    def __init__(self) -> None:
        import django
        from django.core.handlers.asgi import ASGIHandler
        from django.core.handlers.wsgi import WSGIHandler

        # WhiteNoise's sync file iterators warn under ASGI; here they only run under WSGI.
        warnings.filterwarnings(
            "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
        )
        django.setup(set_prefix=False)
        self.wsgi = WSGIHandler()
        # A script's API request, authenticated by its token: a lighter middleware stack.
        self.token_api = apiserving.TokenApiHandler() if apiserving.enabled() else None
        self.asgi = ASGIHandler()
        self.pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="councils-wsgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if STREAM_PATH.match(scope["path"]):
                await self.asgi(scope, receive, send)
            else:
                await self.http(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)
        # Websockets are not used: anything else is refused by not answering.

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await asyncio.get_running_loop().run_in_executor(self.pool, warm_up)
                except Exception as exc:  # pragma: no cover - a broken start is reported, not hidden
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.pool.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await send({"type": "http.response.start", "status": 413, "headers": []})
                await send({"type": "http.response.body", "body": b"Request body too large.\n"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        environ = wsgi_environ(scope, body)
        loop = asyncio.get_running_loop()
        # Set to the queue of a streaming response when one starts, or to None once the thread is
        # done with an ordinary response. The pool's own future is not wrapped in an asyncio one
        # (as run_in_executor does) for the common case: one future and one wake-up of the loop
        # per request.
        streaming: asyncio.Future[asyncio.Queue[Any] | None] = loop.create_future()
        emit = _Emitter(loop, streaming)
        handler = apiserving.handler_for(self.wsgi, self.token_api, scope)
        work = self.pool.submit(self.run_wsgi, environ, emit, handler)
        work.add_done_callback(functools.partial(_wake, loop, streaming))
        queue = await streaming
        if queue is None:
            whole = work.result()  # the handler's failure, if any, is raised here as before
            assert whole is not None
            status, headers, content = whole
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        # A streaming response: its start, then its chunks, until the end mark. The queue is read to
        # the end even when the client has gone, so that the thread is never left waiting on it.
        item = await queue.get()
        while item is not _END:
            if not emit.gone.is_set():
                try:
                    if isinstance(item, tuple):
                        await send({"type": "http.response.start", "status": item[0], "headers": item[1]})
                    else:
                        await send({"type": "http.response.body", "body": item, "more_body": True})
                except OSError:
                    emit.gone.set()
            item = await queue.get()
        if not emit.gone.is_set():
            await send({"type": "http.response.body", "body": b""})
        with contextlib.suppress(ClientGone):  # the client left: its chunks stopped being made
            await asyncio.wrap_future(work, loop=loop)

    def run_wsgi(
        self,
        environ: dict[str, Any],
        emit: Callable[[Any], None] | None = None,
        handler: Callable[..., Iterable[bytes]] | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """Run Django's WSGI handler in this (pool) thread; the whole response, as bytes.

        A streaming response is instead handed to ``emit`` (when given) as it is made: its status and
        headers as a tuple, then each chunk, then :data:`_END`; and None is returned. It is iterated in
        this one thread, whose database connection its queries use."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None  # the legacy write() callable: Django does not use it

        result: Iterable[bytes] = (handler or self.wsgi)(environ, start_response)
        streamed = emit is not None and bool(getattr(result, "streaming", False))
        try:
            if streamed:
                assert emit is not None
                status, headers = started
                emit((int(status[:3]), _encoded(headers)))
                try:
                    for chunk in result:
                        if chunk:
                            emit(chunk)
                finally:
                    emit(_END)
                return None
            content = b"".join(result)
        finally:
            # Django's request_finished (connections back to the pool) runs on close.
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        return (int(status[:3]), _encoded(headers), content)


def _wake(loop: asyncio.AbstractEventLoop, streaming: asyncio.Future[Any], _work: object) -> None:
    """Tell the loop that the pool's work for a request is done (from the pool's thread)."""
    with contextlib.suppress(RuntimeError):  # the loop has closed: no one waits any more
        loop.call_soon_threadsafe(_ordinary, streaming)


def _ordinary(streaming: asyncio.Future[Any]) -> None:
    # An ordinary response: nothing was streamed (a streaming one has set the queue already).
    if not streaming.done():
        streaming.set_result(None)


class ClientGone(Exception):
    """The client of a streaming response went away: stop making its chunks."""


class _Emitter:
    """Hands a streaming response's parts from the pool thread to the event loop: the first call
    makes the queue and tells the loop (``streaming``); each call waits for room in the queue. Once
    the client has gone, every part but the end mark is refused with :class:`ClientGone`."""

    def __init__(self, loop: asyncio.AbstractEventLoop, streaming: asyncio.Future[Any]) -> None:
        self.loop = loop
        self.streaming = streaming
        self.queue: asyncio.Queue[Any] | None = None
        self.gone = threading.Event()

    def __call__(self, item: Any) -> None:
        if self.queue is None:
            self.queue = asyncio.Queue(maxsize=STREAM_BUFFER)
            self.loop.call_soon_threadsafe(self._announce)
        if self.gone.is_set() and item is not _END:
            raise ClientGone
        asyncio.run_coroutine_threadsafe(self.queue.put(item), self.loop).result()

    def _announce(self) -> None:
        if not self.streaming.done():
            self.streaming.set_result(self.queue)


#: The mark after a streaming response's last chunk.
_END = object()


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


def wsgi_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope (PEP 3333)."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    keys = _HEADER_KEYS
    for raw_name, raw_value in scope.get("headers", ()):
        key = keys.get(raw_name)
        if key is None:
            key = _header_key(raw_name)
        if key == "CONTENT_LENGTH":
            continue
        value = raw_value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ[key] = value
        elif key in environ:
            environ[key] = f"{environ[key]},{value}"
        else:
            environ[key] = value
    return environ


# The environ's key of each header name met, as it arrives (lower-case bytes from the server):
# spelled once per name, not once per request. Bounded: a client may send any names.
_HEADER_KEYS: dict[bytes, str] = {}
_HEADER_KEYS_MAX = 512


def _header_key(raw_name: bytes) -> str:
    name = raw_name.decode("latin-1").upper().replace("-", "_")
    key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + name
    if len(_HEADER_KEYS) < _HEADER_KEYS_MAX:
        _HEADER_KEYS[raw_name] = key
    return key


def warm_up() -> None:
    """What the first request would otherwise pay: the URL resolver and the OpenAPI document."""
    from django.urls import get_resolver

    get_resolver()._populate()
    from councils import openapi
    from councils.api import api

    openapi.document(api)
    from django.db import connections

    connections.close_all()


application = Application()
