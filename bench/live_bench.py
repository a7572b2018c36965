#!/usr/bin/env python
"""Benchmark of live updates: thousands of open council pages, one recall, a reconnect storm.

    .venv/bin/python bench/live_bench.py [--size full|small] [--backend postgres|sqlite]
                                         [--streams N] [--port P]

It builds one organization through the services (a council of 50 seats filled by 10
constituencies; at the full size 5,000 members, each with a signed-in session), starts the real
server as ``councils serve --workers 2`` starts it (PostgreSQL; ``--workers 1`` on SQLite, whose
live updates stay in one process) in a subprocess, and measures:

1. the server's ceiling: wrk on a static file and on an ordinary authenticated API read;
2. one member page per stream: N server-sent event streams of the council
   (``/o/<org>/live/?topic=council.<id>``), opened by an asyncio client written with raw streams
   (little CPU); then a recall through the API (the signature that reaches the threshold), and the
   time from sending it until ALL N streams have received the new composition's HTML (target: 1 s);
3. a reconnect storm: the server is restarted with every stream open; each client reconnects by
   the pages' policy (``councils.live.hub.retry_ms``: a random delay, doubling after each failure,
   capped), while wrk measures the API read's p99 (target: under 1 s).

``--size small`` (50 streams, SQLite by default) runs in seconds; a smoke test in the suite runs it.
The last line printed is a one-line summary. Times are wall-clock on this machine: a target missed
is printed as missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import OUT, ROOT, Server, pg_recreate

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/councils_live_bench"
ORG_SLUG = "live-bench"
CONSTITUENCIES = 10
SEATS_PER_CONSTITUENCY = 5
UPDATE_TARGET_S = 1.0
STORM_P99_TARGET_S = 1.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the database ---------------------------------------------------------------------------------


@dataclass
class Built:
    council_id: int
    petition_id: int
    signer_token: str  # the member whose signature recalls the deputy
    reader_token: str  # an ordinary member, for the API read wrk measures
    other_seat_id: int  # a deputy whose faction changes, for more rounds of updates
    cookies: list[str]


def build(members: int, streams: int) -> Built:
    """One organization, its council and members, a petition one signature short, sessions."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from councils.accounts import services as accounts
    from councils.accounts.actors import SYSTEM
    from councils.federation import services
    from councils.federation.models import Member, Seat

    call_command("migrate", interactive=False, verbosity=0)
    per = members // CONSTITUENCIES
    org = services.organization_create(actor=SYSTEM, name="Live bench", slug=ORG_SLUG)
    a: dict[str, Any] = {"actor": SYSTEM, "organization": org}
    reds = services.faction_create(**a, name="Reds", colour="#b22222", position=0)
    blues = services.faction_create(**a, name="Blues", colour="#1f4e99", position=1)
    # Two signatures recall a deputy: the petition opens with one, the measured one is the second.
    council = services.council_create(
        **a,
        name="Bench Soviet",
        slug="soviet",
        seat_rule="ratio",
        members_per_seat=per // SEATS_PER_CONSTITUENCY,
        recall_threshold=f"{2 / per:.3f}",
    )
    places = [
        services.constituency_create(
            **a, council=council, name=f"Works {i}", slug=f"works-{i}", section="workers"
        )
        for i in range(CONSTITUENCIES)
    ]
    rows = [(f"Member {i}", f"m{i}@bench.invalid", places[i % CONSTITUENCIES].slug) for i in range(members)]
    services.members_import(**a, rows=rows)
    services.council_apportion(actor=SYSTEM, council=council)
    for i, place in enumerate(places):
        election = services.election_open(actor=SYSTEM, council=council, constituency=place)
        elected = list(Member.objects.filter(constituency=place).order_by("pk")[:SEATS_PER_CONSTITUENCY])
        services.election_declare(
            actor=SYSTEM,
            election=election,
            elected=[(m, reds if (i + j) % 2 == 0 else blues) for j, m in enumerate(elected)],
        )
    # The petition against the first deputy of the first works, opened by a constituent.
    seat = Seat.objects.filter(constituency=places[0], end__isnull=True).order_by("slot").first()
    assert seat is not None
    constituents = list(Member.objects.filter(constituency=places[0]).order_by("-pk")[:2])
    petition = services.petition_open(actor=constituents[0].user, seat=seat, reason="bench")
    assert petition.required == 2, petition.required
    _token, signer = accounts.token_create(actor=constituents[1].user, name="bench")
    _token, reader = accounts.token_create(actor=Member.objects.order_by("pk").last().user, name="bench")
    # A signed-in session per stream, as a browser holds after signing in.
    users = list(get_user_model().objects.filter(memberships__organization=org).order_by("pk")[:streams])
    expire = timezone.now() + timezone.timedelta(days=1)
    sessions = []
    for user in users:
        store = SessionStore()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = store._get_new_session_key()
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(sessions, batch_size=1000)
    other = Seat.objects.filter(constituency=places[1], end__isnull=True).order_by("slot").first()
    assert other is not None
    return Built(council.pk, petition.pk, signer, reader, other.pk, [s.session_key for s in sessions])


# --- the server -----------------------------------------------------------------------------------


def start_server(env: dict[str, str], port: int, workers: int) -> Server:
    """``councils serve`` in a subprocess, as an operator starts it; returns once it answers."""
    return Server(env, workers, OUT / "live-server.log", port=port, grace=1)


def stop_server(server: Server) -> None:
    server.stop()


# --- load on an ordinary request ------------------------------------------------------------------


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def _wrk_ms(text: str, label: str) -> float:
    match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def load(port: int, path: str, seconds: float, token: str = "", connections: int = 16) -> Load:
    """wrk (or, when it is missing, a light asyncio client) on ``path`` for ``seconds``."""
    url = f"http://127.0.0.1:{port}{path}"
    if shutil.which("wrk"):
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            # A long timeout: a request held for seconds counts in the latency, not as an error.
            "--timeout",
            "30s",
            "--latency",
            url,
        ]
        if token:
            command[1:1] = ["-H", f"Authorization: Bearer {token}"]
        text = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        socket_errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
        )
        return Load(
            float(rate.group(1)) if rate else 0.0,
            _wrk_ms(text, "50%"),
            _wrk_ms(text, "99%"),
            (int(errors.group(1)) if errors else 0)
            + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
            "wrk",
        )
    return asyncio.run(_light_load(port, path, seconds, token, min(connections, 4)))


async def _light_load(port: int, path: str, seconds: float, token: str, connections: int) -> Load:
    latencies: list[float] = []
    errors = 0
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()
    end = time.monotonic() + seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < end:
            started = time.monotonic()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append((time.monotonic() - started) * 1000)
            errors += not status.startswith(b"HTTP/1.1 200")
        writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    latencies.sort()
    return Load(
        len(latencies) / seconds,
        statistics.median(latencies),
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        errors,
        "asyncio client",
    )


# --- the streams ----------------------------------------------------------------------------------


@dataclass
class Page:
    """One open council page: its stream and what it received."""

    cookie: str
    connected_at: float = 0.0
    connects: int = 0
    composition_at: float = 0.0  # when the first composition after the recall arrived
    failures: int = 0


@dataclass
class Pages:
    port: int
    path: str
    pages: list[Page]
    watching_since: float = float("inf")  # compositions received after this moment count
    retry_scale: float = 1.0  # the small size shortens the pages' delays to run in seconds
    stop: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def connected(self, after: float = 0.0) -> int:
        return sum(1 for p in self.pages if p.connected_at > after)


MARK = b"event: composition"


async def follow(pages: Pages, page: Page) -> None:
    """Keep one page's stream open, reconnecting as the pages do (``retry_ms``). It reads what
    arrives in large blocks and only looks for the composition event: little CPU per stream."""
    from councils.live.hub import retry_ms

    request = (
        f"GET {pages.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        f"Cookie: sessionid={page.cookie}\r\n\r\n"
    ).encode()
    while not pages.stop:
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", pages.port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(head.split(b"\r\n")[0].decode(errors="replace"))
            page.connected_at, page.connects, page.failures = time.monotonic(), page.connects + 1, 0
            tail = b""
            while data := await reader.read(1 << 18):
                if (
                    not page.composition_at
                    and time.monotonic() >= pages.watching_since
                    and (MARK in tail + data[: len(MARK)] or MARK in data)
                ):
                    page.composition_at = time.monotonic()
                tail = data[-len(MARK) :]
            raise ConnectionError("the stream ended")
        except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            page.failures += 1
        finally:
            if writer is not None:
                writer.close()
        if not pages.stop:
            await asyncio.sleep(retry_ms(page.failures) / 1000 * pages.retry_scale)


async def open_pages(pages: Pages, concurrency: int = 200) -> float:
    """Open every page's stream (``concurrency`` connecting at a time, as pages load); seconds taken."""
    started = time.monotonic()
    gate = asyncio.Semaphore(concurrency)

    async def staggered(page: Page) -> None:
        async with gate:
            pages.tasks.append(asyncio.create_task(follow(pages, page)))
            while not page.connected_at and page.failures < 3:
                await asyncio.sleep(0.01)

    await asyncio.gather(*(staggered(p) for p in pages.pages))
    return time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


async def wait_for_compositions(pages: Pages, sent: float, timeout: float = 30.0) -> dict[str, float]:
    """Wait until every page received a composition after ``sent``; the delays, in seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(not p.composition_at for p in pages.pages):
        await asyncio.sleep(0.005)
    got = [p.composition_at - sent for p in pages.pages if p.composition_at]
    return {
        "received": len(got),
        "all_s": max(got) if len(got) == len(pages.pages) else float("inf"),
        "p50_s": percentile(got, 0.5),
    }


def _change_faction(seat_id: int) -> None:
    """Move a deputy of the council to the other faction, through the service (PostgreSQL NOTIFY
    carries the change from this process to the server's)."""
    from django.db import connections

    from councils.accounts.actors import SYSTEM
    from councils.federation import services
    from councils.federation.models import Faction, Seat

    try:
        seat = Seat.objects.select_related("holder").get(pk=seat_id)
        current = seat.faction  # the faction the deputy sits with now
        other = Faction.objects.filter(organization_id=seat.organization_id).exclude(pk=current.pk).first()
        services.deputy_change_faction(actor=SYSTEM, member=seat.holder, faction=other)
    finally:
        connections.close_all()


async def measure(args: argparse.Namespace, built: Built, env: dict[str, str]) -> dict[str, Any]:
    from councils.live.publish import version_now

    port, workers = args.port, args.workers
    result: dict[str, Any] = {}
    server = start_server(env, port, workers)
    try:
        log("the server's ceiling")
        result["static"] = await asyncio.to_thread(load, port, "/static/web/councils.css", args.load_seconds)
        api_path = f"/api/organizations/{ORG_SLUG}"
        # An ordinary request by a few clients (4 connections): its latency, not the saturation's.
        result["api"] = await asyncio.to_thread(
            load, port, api_path, args.load_seconds, built.reader_token, 4
        )

        # The pages were rendered now: their streams say so (``since``), as ``live_url`` writes it.
        path = f"/o/{ORG_SLUG}/live/?topic=council.{built.council_id}&since={version_now()}"
        pages = Pages(port, path, [Page(c) for c in built.cookies], retry_scale=args.retry_scale)
        log(f"opening {len(pages.pages)} streams")
        result["open_s"] = await open_pages(pages)
        result["open_connected"] = pages.connected()
        log(f"{result['open_connected']} streams open in {result['open_s']:.1f} s")
        await asyncio.sleep(2.0)

        log("the recall, over the API")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/organizations/{ORG_SLUG}/petitions/{built.petition_id}/sign",
            method="POST",
            headers={"Authorization": f"Bearer {built.signer_token}"},
        )
        pages.watching_since = sent = time.monotonic()
        body = await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).read())
        answered = time.monotonic()
        assert json.loads(body)["recalled"], body
        result["update"] = {"api_s": answered - sent, **await wait_for_compositions(pages, sent)}
        log(f"all compositions: {result['update']['all_s']:.3f} s")

        rounds = []
        for _ in range(args.rounds - 1):
            await asyncio.sleep(1.0)
            for page in pages.pages:
                page.composition_at = 0.0
            pages.watching_since = sent = time.monotonic()
            await asyncio.to_thread(_change_faction, built.other_seat_id)
            rounds.append(await wait_for_compositions(pages, sent))
            log(f"faction change: all compositions in {rounds[-1]['all_s']:.3f} s")
        result["rounds"] = rounds

        log("the reconnect storm: restarting the server with every stream open")
        for page in pages.pages:
            page.composition_at = 0.0
        dropped = pages.watching_since = time.monotonic()
        await asyncio.to_thread(stop_server, server)
        server = await asyncio.to_thread(start_server, env, port, workers)
        up = time.monotonic()
        storm_load = asyncio.create_task(
            asyncio.to_thread(load, port, api_path, args.storm_seconds, built.reader_token, 4)
        )
        deadline = up + args.storm_seconds + 60
        while time.monotonic() < deadline and pages.connected(after=dropped) < len(pages.pages):
            await asyncio.sleep(0.05)
        all_back = time.monotonic()
        back = pages.connected(after=dropped)
        returns = [p.connected_at - dropped for p in pages.pages if p.connected_at > dropped]
        result["storm"] = {
            "restart_s": up - dropped,
            "back": back,
            "all_back_s": all_back - dropped if back == len(pages.pages) else float("inf"),
            "return_p50_s": percentile(returns, 0.5),
            "return_p99_s": percentile(returns, 0.99),
            "waited_s": all_back - dropped,
            "load": await storm_load,
            # Pages older than the new processes get the current composition as they come back.
            "caught_up": sum(1 for p in pages.pages if p.composition_at),
        }
        pages.stop = True
        for task in pages.tasks:
            task.cancel()
        await asyncio.gather(*pages.tasks, return_exceptions=True)
    finally:
        await asyncio.to_thread(stop_server, server)
    return result


# --- main -----------------------------------------------------------------------------------------


def _recreate_pg(url: str) -> None:
    problem = pg_recreate(url)
    if problem:
        raise SystemExit(f"PostgreSQL not reachable ({problem})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["full", "small"], default="full")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default=None)
    parser.add_argument("--streams", type=int, default=None)
    parser.add_argument("--port", type=int, default=19417)
    parser.add_argument("--rounds", type=int, default=None, help="updates measured (the first is the recall)")
    parser.add_argument("--postgres-url", default=os.environ.get("LIVE_BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    full = args.size == "full"
    args.backend = args.backend or ("postgres" if full else "sqlite")
    args.streams = args.streams or (5000 if full else 50)
    args.workers = 2 if args.backend == "postgres" else 1
    args.load_seconds = 5.0 if full else 1.0
    args.storm_seconds = 70.0 if full else 5.0
    args.retry_scale = 1.0 if full else 0.1
    # More rounds change a faction through a service: only PostgreSQL carries that to the server.
    args.rounds = args.rounds or (5 if args.backend == "postgres" else 1)
    members = max(5000, args.streams) if full else 100
    members -= members % (CONSTITUENCIES * SEATS_PER_CONSTITUENCY)

    # Thousands of sockets: the client here, the server's workers (which inherit the limit).
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data_dir = OUT / f"live-{args.backend}-{args.size}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="councils.settings",
        COUNCILS_DATA_DIR=str(data_dir),
        COUNCILS_LIVE_CHANNEL_PREFIX=f"live-bench-{os.getpid()}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    if args.backend == "postgres":
        _recreate_pg(args.postgres_url)
        env["DATABASE_URL"] = args.postgres_url
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connections

    log(f"building: {members} members, {args.streams} sessions ({args.backend})")
    started = time.monotonic()
    # The bench's members do not exist: no invitation or notification is sent for them.
    from councils.accounts.mail import quiet

    with quiet():
        built = build(members, args.streams)
    connections.close_all()
    log(f"built in {time.monotonic() - started:.1f} s")
    result = asyncio.run(measure(args, built, env))
    report(args, result)
    return 0


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    u, s = r["update"], r["storm"]
    static, api, storm = r["static"], r["api"], s["load"]
    alls = [u["all_s"], *(x["all_s"] for x in r["rounds"])]
    worst = max(alls)
    print(
        f"Live-update benchmark, size {args.size}, {args.backend}, "
        f"{args.workers} worker(s), {args.streams} streams"
    )
    print(f"  ceiling, static file ({static.tool}, 16 connections): {static.requests_per_s:.0f} req/s")
    print(
        f"  API read, no streams open ({api.tool}, 4 connections): {api.requests_per_s:.0f} req/s, "
        f"p50 {api.p50_ms:.0f} ms, p99 {api.p99_ms:.0f} ms"
    )
    print(f"  streams opened: {r['open_connected']} in {r['open_s']:.1f} s")
    print(
        f"  recall over the API (answered in {u['api_s'] * 1000:.0f} ms): the new composition on all "
        f"{u['received']} pages {u['all_s'] * 1000:.0f} ms after the request "
        f"(median {u['p50_s'] * 1000:.0f} ms)"
    )
    for i, x in enumerate(r["rounds"], 1):
        print(
            f"  faction change {i} (a service): on all {x['received']} pages in {x['all_s'] * 1000:.0f} ms "
            f"(median {x['p50_s'] * 1000:.0f} ms)"
        )
    print(
        f"  target {UPDATE_TARGET_S * 1000:.0f} ms on all pages: {_met(worst <= UPDATE_TARGET_S)} "
        f"(worst {worst * 1000:.0f} ms)"
    )
    print(
        f"  reconnect storm: server back {s['restart_s']:.1f} s after the drop; {s['back']} of "
        f"{args.streams} streams back within {s['waited_s']:.0f} s (median {s['return_p50_s']:.0f} s, "
        f"p99 {s['return_p99_s']:.0f} s after the drop; the rest still in their back-off); "
        f"{s['caught_up']} got the current composition on return"
    )
    print(
        f"  API read during the storm ({storm.tool}, 4 connections): {storm.requests_per_s:.0f} req/s, "
        f"p50 {storm.p50_ms:.0f} ms, p99 {storm.p99_ms:.0f} ms, {storm.errors} errors; "
        f"target p99 {STORM_P99_TARGET_S * 1000:.0f} ms: {_met(storm.p99_ms <= STORM_P99_TARGET_S * 1000)}"
    )
    print(
        f"live_bench size={args.size} backend={args.backend} streams={args.streams}: "
        f"update on all pages {u['all_s'] * 1000:.0f} ms, worst of {len(alls)} {worst * 1000:.0f} ms "
        f"({_met(worst <= UPDATE_TARGET_S)}); storm API p99 {storm.p99_ms:.0f} ms "
        f"({_met(storm.p99_ms <= STORM_P99_TARGET_S * 1000)}), {s['back']} streams back in "
        f"{s['waited_s']:.0f} s; "
        f"ceiling static {static.requests_per_s:.0f} req/s, API {api.requests_per_s:.0f} req/s"
    )


if __name__ == "__main__":
    sys.exit(main())
