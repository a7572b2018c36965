#!/usr/bin/env python
"""In-process profile of the requests ``bench/web_bench.py`` measures: CPU time, queries, SQL time.

    DATABASE_URL=... COUNCILS_DATA_DIR=bench/out/web-postgres-demo-small \\
        .venv/bin/python bench/web_profile.py [--repeat 200] [--profile LABEL] [--sign 100]

It reads the fixtures a web_bench run wrote (``fixtures.json`` in ``COUNCILS_DATA_DIR``: tokens,
session cookie, addresses, signer/petition pairs) and sends each request through Django's WSGI
handler and its whole middleware, as ``councils serve`` does, in this one process. For each
request it prints the CPU time per request (``time.process_time``: the machine is shared, so wall
time is noise), the queries per request and the SQL time they took (client side: wire and server).
``--profile LABEL`` prints cProfile's top functions for that request; ``--sign N`` signs N petitions
from the end of the pairs list (web_bench walks it from the start), so that the signature path is
measured too. Nothing here is a test: figures only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


class _SqlTimer:
    """A database execute wrapper counting statements and the time spent in them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1
            if len(self.statements) < 40:
                self.statements.append(sql)


def _call(handler: Any, method: str, path: str, headers: dict[str, str]) -> int:
    """One request through Django's WSGI handler, as ``councils.serving`` runs it (the body read,
    the response closed: Django's request_finished runs then)."""
    import io

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_LENGTH": "0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }
    started: list[str] = []

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
        started.append(status)
        return lambda data: None

    result = handler(environ, start_response)
    try:
        b"".join(result)
    finally:
        result.close()
    return int(started[0][:3])


def measure(label: str, send: Any, repeat: int, *, show_sql: bool, profile: bool = False) -> dict[str, float]:
    from django.db import connection

    send()  # warm: caches, the resolver, the first connection
    timer = _SqlTimer()
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the machine is shared
    with connection.execute_wrapper(timer):
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        wall = time.perf_counter()
        for _ in range(repeat):
            status = send()
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        if profiler is not None:
            profiler.disable()
    row = {
        "cpu_ms": cpu / repeat * 1000,
        "wall_ms": wall / repeat * 1000,
        "queries": timer.count / repeat,
        "sql_ms": timer.seconds / repeat * 1000,
        "status": status,
    }
    print(
        f"{label:20} status {status}  cpu {row['cpu_ms']:6.2f} ms  wall {row['wall_ms']:6.2f} ms  "
        f"queries {row['queries']:5.2f}  sql {row['sql_ms']:5.2f} ms",
        flush=True,
    )
    if show_sql:
        seen: list[str] = []
        for sql in timer.statements:
            if sql not in seen:
                seen.append(sql)
        for sql in seen[:12]:
            print("    " + sql[:240])
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(60)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="append", default=[], help="cProfile this request (label)")
    parser.add_argument("--sign", type=int, default=0, help="also sign N petitions (from the pairs' end)")
    parser.add_argument("--sql", action="store_true", help="print each request's statements")
    parser.add_argument(
        "--cache-seconds",
        type=float,
        help="the read cache's expiry (readcache.TTL_SECONDS, 5): a long one measures its hits alone",
    )
    args = parser.parse_args()
    _setup()
    from django.core.handlers.wsgi import WSGIHandler

    if args.cache_seconds is not None:
        from councils.federation import readcache

        readcache.TTL_SECONDS = args.cache_seconds

    fixtures = json.loads((Path(os.environ["COUNCILS_DATA_DIR"]) / "fixtures.json").read_text())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {fixtures['token']}"}
    name, _, value = fixtures["session_cookie"].partition("=")
    requests: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
        "static": (fixtures["urls"]["static"], {}, {}),
        "api organizations": (fixtures["urls"]["api organizations"], auth, {}),
        "api composition": (fixtures["urls"]["api composition"], auth, {}),
        "council page": (fixtures["urls"]["council page"], {}, {name: value}),
        "openapi.json": (fixtures["urls"]["openapi.json"], {}, {}),
    }
    from councils.apiserving import TokenApiHandler, handler_for

    whole, lean = WSGIHandler(), TokenApiHandler()

    def handler(path: str, headers: dict[str, str]) -> Any:
        """The handler ``councils.serving`` picks for this request (councils.apiserving)."""
        scope = {
            "path": path,
            "headers": [(k[5:].lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
        }
        return handler_for(whole, lean, scope)

    for label, (url, headers, cookies) in requests.items():
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())

        def send(url: str = url, headers: dict[str, str] = headers, cookie: str = cookie) -> int:
            environ = {**headers, **({"HTTP_COOKIE": cookie} if cookie else {})}
            return _call(handler(url, environ), "GET", url, environ)

        measure(label, send, args.repeat, show_sql=args.sql, profile=label in args.profile)
    if args.sign:
        pairs = iter(fixtures["sign"][-args.sign :])

        def sign() -> int:
            token, path = next(pairs)
            environ = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            return _call(handler(path, environ), "POST", path, environ)

        measure(
            "petition sign", sign, args.sign - 1, show_sql=args.sql, profile="petition sign" in args.profile
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
