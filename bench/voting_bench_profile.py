#!/usr/bin/env python
"""In-process profile of a cast: CPU time, statements and where the CPU goes, per ballot.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python bench/voting_bench_profile.py [--delegates 2000] [--profile] [--kind secret]

It builds a congress as ``bench/voting_bench.py`` does (the database of ``DATABASE_URL`` is dropped
and made again), then casts each delegate's ballot through ``councils.serving``'s ASGI application
in this one process (no socket: a request's scope and body are handed to it directly, so uvicorn's
HTTP parsing is left out), one after another, in batches taking in turn the lean cast
(``councils.lean.cast``), the lighter stack with ninja's endpoint (``COUNCILS_LEAN_API=0``) and the
full stack (``--full`` or ``--ninja``: one of them only). It prints the CPU time per ballot
(``time.process_time``: the machine is shared, so wall time is noise), the statements per ballot,
and with ``--profile`` the CPU split by part of the stack (serving, Django's handler and its
middleware, ninja and pydantic, the token, the service, SQL) and cProfile's top functions.
``--kind secret`` casts in a secret poll instead (``bench/voting_bench_secret.py``'s committee and
ballots, encrypted beforehand and not counted). Nothing here is a test: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import pg_recreate

BATCH = 100

# Parts of the stack, by the function whose cumulative time stands for it (file suffix, name).
PARTS = [
    ("Django handler + middleware (all)", "django/core/handlers/base.py", "get_response"),
    ("URL resolving", "django/urls/resolvers.py", "resolve"),
    ("ninja operation (all)", "ninja/operation.py", "run"),
    ("auth: token lookup", "councils/api.py", "authenticate"),
    ("ninja: parse input", "ninja/operation.py", "_get_values"),
    ("ninja: render response", "ninja/operation.py", "_result_to_response"),
    ("lean cast view (all)", "councils/lean/cast.py", "cast_view"),
    ("cast endpoint", "councils/voting/api.py", "ballot_cast"),
    ("cast (endpoint's body)", "councils/voting/api.py", "cast"),
    ("cast service", "councils/voting/services/casting.py", "ballot_cast"),
    ("secret cast service", "councils/voting/services/secret.py", "secret_ballot_cast"),
    ("SQL execute (all)", "django/db/backends/utils.py", "execute"),
    ("hot SQL execute (all)", "psycopg/cursor.py", "execute"),
]


class _Counter:
    """A database execute wrapper counting statements while ``on``."""

    def __init__(self) -> None:
        self.count = 0
        self.on = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += self.on
        return execute(sql, params, many, context)


class _Inline(Executor):
    """An executor that runs each call at once in the calling thread."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _scope(path: str, token: str, key: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"idempotency-key", key.encode()),
            (b"content-type", b"application/json"),
        ],
    }


async def _cast(app: Any, path: str, token: str, key: str, body: bytes) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await app(_scope(path, token, key), receive, send)
    return int(sent[0]["status"])


def _parts(profiler: cProfile.Profile, ballots: int) -> None:
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    print("CPU per ballot by part (cumulative, ms; parts nest):")
    for label, suffix, name in PARTS:
        total = sum(v[3] for (file, _line, fn), v in table.items() if file.endswith(suffix) and fn == name)
        print(f"  {label:38} {total / ballots * 1000:6.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="cProfile the casts")
    parser.add_argument("--full", action="store_true", help="the full path only (no lighter path)")
    parser.add_argument(
        "--ninja", action="store_true", help="the lighter path with ninja's endpoint only (no lean cast)"
    )
    parser.add_argument(
        "--lean", action="store_true", help="the lean cast only, not profiled (for a sampling profiler)"
    )
    parser.add_argument("--kind", choices=["open", "secret"], default="open")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        print("Set DATABASE_URL to a PostgreSQL database of your own (it is dropped and made again).")
        return 2
    problem = pg_recreate(os.environ["DATABASE_URL"])
    if problem:
        print(f"PostgreSQL not reachable ({problem})")
        return 2
    os.environ.setdefault("COUNCILS_DATA_DIR", tempfile.mkdtemp(prefix="cast-profile-"))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DEBUG", "false")
    import voting_bench

    fixtures_path = Path(os.environ["COUNCILS_DATA_DIR"]) / "fixtures.json"
    voting_bench.build(args.delegates, fixtures_path)
    if args.kind == "secret":
        import voting_bench_secret

        voting_bench_secret.build_secret(fixtures_path, fixtures_path.with_name("trustee-keys.json"))
    fixtures = json.loads(fixtures_path.read_text())
    from django.db import connections
    from django.db.backends.signals import connection_created

    connections.close_all()  # the build's connection: the server's threads open their own
    from councils.serving import Application

    app = Application()
    if args.profile:
        # cProfile sees only the thread that enables it: the handler runs in this one, inside the
        # event loop (which Django refuses unless told).
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        app.pool = _Inline()  # type: ignore[assignment]
    path, pairs = fixtures["path"], fixtures["pairs"]
    bodies = [b'{"answer": "yes"}'] * len(pairs)
    if args.kind == "secret":  # lines: token, key, tracker, the ballot's canonical JSON
        pairs = [(token, key) for token, key, _tracker, _text in fixtures["lines"]]
        bodies = [b'{"ballot":' + text.encode() + b"}" for _t, _k, _tr, text in fixtures["lines"]]
    warm = 50
    counter = _Counter()

    def count_on(sender: Any, connection: Any, **kwargs: Any) -> None:
        # Each pool thread's connection (the signal comes each time one is taken from the pool).
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(count_on)

    lean = app.token_api
    # The lighter stack with the ninja endpoint for the cast (councils.lean's views turned off).
    os.environ["COUNCILS_LEAN_API"] = "0"
    from councils.apiserving import TokenApiHandler

    handlers = {"lean": lean, "ninja": TokenApiHandler(), "full": None}
    del os.environ["COUNCILS_LEAN_API"]

    async def run() -> None:
        for (token, key), body in zip(pairs[:warm], bodies, strict=False):
            await _cast(app, path, token, key, body)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        # In batches, the lean cast, the lighter path with ninja's endpoint and the full path in turn
        # (unless --profile, --full or --ninja): the machine is shared, and CPU figures taken minutes
        # apart differ by more than what is measured.
        cpu = {"lean": 0.0, "ninja": 0.0, "full": 0.0}
        count = {"lean": 0, "ninja": 0, "full": 0}
        codes: dict[int, int] = {}
        counter.on = True
        pg_before = voting_bench.pg_backends_cpu(os.environ["DATABASE_URL"])
        if profiler is not None:
            profiler.enable()
        for start in range(warm, len(pairs), BATCH):
            if args.full or args.ninja or args.profile or args.lean:
                mode = "full" if args.full else "ninja" if args.ninja else "lean"
            else:
                mode = ("lean", "ninja", "full")[(start // BATCH) % 3]
            app.token_api = handlers[mode]
            began = time.process_time()
            for (token, key), body in zip(
                pairs[start : start + BATCH], bodies[start : start + BATCH], strict=True
            ):
                status = await _cast(app, path, token, key, body)
                codes[status] = codes.get(status, 0) + 1
                count[mode] += 1
            cpu[mode] += time.process_time() - began
        if profiler is not None:
            profiler.disable()
        counter.on = False
        pg_cpu = voting_bench.pg_backends_cpu(os.environ["DATABASE_URL"]) - pg_before
        print(f"answers {codes}")
        print(f"PostgreSQL's CPU per ballot (its backends): {pg_cpu / sum(count.values()) * 1000:.3f} ms")
        for mode in cpu:
            if count[mode]:
                print(f"{mode} path: {count[mode]} ballots, CPU {cpu[mode] / count[mode] * 1000:.3f} ms each")
        if profiler is not None:
            _parts(profiler, len(pairs) - warm)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(70)

    asyncio.run(run())
    ballots = len(pairs) - warm
    print(f"statements per ballot: {counter.count / ballots:.2f}")
    app.pool.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
