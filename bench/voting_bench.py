#!/usr/bin/env python
"""Benchmark of casting: a congress of delegates voting through the real HTTP stack.

    .venv/bin/python bench/voting_bench.py --delegates 5000 --kind open [--backend postgres|sqlite]

It builds a congress whose council has ``--delegates`` deputies (each a member with a seat, a
personal API token and a signed-in session), creates and opens a named yes/no poll of that
council through the services, then starts the server exactly as an operator does (``councils
serve --workers 2`` on PostgreSQL, one worker on SQLite; ``bench/_server.py``) and measures:

1. the server's ceiling in the same run: wrk on a static file (requests per second, and the
   server's CPU per request); the cast's rate is also printed as a ratio to it. With ``--hello``,
   after the casts, also a JSON hello asked with a bearer token (``bench/hello_urls.py``: the same
   lighter stack as a script's cast, without any endpoint's work; the server always runs with
   ``bench/hello_settings.py``, the project's settings with that URL and ``--floor``'s more);
2. the cast: wrk (64 connections kept alive, 2 threads; a Lua script, little CPU) casts one ballot
   per delegate but the last: ``POST /api/organizations/<org>/polls/<id>/ballots`` with the
   delegate's token and an ``Idempotency-Key``, until every one is acknowledged. The server's CPU
   per ballot and PostgreSQL's (its server processes for the benchmark's database) are printed:
   on a machine shared with other work they say more than the rate does;
3. live pages (``--pages``, default as many as delegates up to 5,000): a server-sent event stream
   of the poll per session (``bench/live_bench.py``'s light client), then the last delegate
   votes, and the time until every page has received the final turnout (target: 1 s).

Then the database is read: every acknowledged ballot (201) must be a participation row of its
delegate with its key (else it is *lost*), and no delegate may have more than one, nor a row exist
that no request made (*doubled*). The last line is exactly::

    ballots/s: X, p99 ms: Y, lost: L, doubled: D

``--kind secret`` runs a secret poll (``bench/voting_bench_secret.py``: ballots encrypted
beforehand, the same checks, then the close and the trustees' decryption); target at least 400
ballots/s, p99 at most 300 ms. Targets (issue 10): at least
1,000 ballots/s with p99 at most 300 ms on PostgreSQL with two server processes. A small size
(``--delegates 120 --backend sqlite``) runs in the suite as a smoke test. ``--floor`` casts at a
bench-only address instead (``bench/hello_urls.py``): the cast's statement through the same
stack with no rule checked, the floor under Councils' own work per ballot; not the issue's figure.
``--database`` names the PostgreSQL database (dropped and made again); ``BENCH_PORTS=LOW-HIGH`` the
server's ports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import DEFAULT_PG, FLOOR, HELLO, OUT, ROOT, STATIC, Server, bench_env, log, pg_recreate

CONNECTIONS = 64
THREADS = 2
PORTS = range(8100, 8150)
ORG_SLUG = "congress-bench"


# =================================================================================================
# Building the congress (in a child process: Django reads DATABASE_URL once)
# =================================================================================================


def build(delegates: int, fixtures_path: Path, pages: int = 0) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    import django

    django.setup()
    import hashlib
    import secrets
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from councils.accounts.actors import SYSTEM
    from councils.accounts.models import ApiToken
    from councils.federation import services as federation
    from councils.federation.models import Affiliation, Constituency, Member, Seat, Term
    from councils.voting import services

    call_command("migrate", verbosity=0, interactive=False)
    organization = federation.organization_create(actor=SYSTEM, name="Congress (benchmark)", slug=ORG_SLUG)
    council = federation.council_create(
        actor=SYSTEM,
        organization=organization,
        name="Congress of Soviets",
        slug="congress",
        members_per_seat=1,
    )
    start = timezone.now() - timedelta(days=30)
    per_constituency = 250
    user_model = get_user_model()
    with transaction.atomic():
        constituencies = [
            Constituency.objects.create(
                organization=organization,
                council=council,
                name=f"Delegation {i + 1}",
                slug=f"delegation-{i + 1}",
            )
            for i in range((delegates + per_constituency - 1) // per_constituency)
        ]
        users = user_model.objects.bulk_create(
            [user_model(username=f"delegate{i:05d}", password="!") for i in range(delegates)], batch_size=2000
        )
        members = Member.objects.bulk_create(
            [
                Member(
                    organization=organization,
                    user=user,
                    constituency=constituencies[i // per_constituency],
                    name=f"Delegate {i + 1}",
                    joined_at=start,
                )
                for i, user in enumerate(users)
            ],
            batch_size=2000,
        )
        seats = Seat.objects.bulk_create(
            [
                Seat(
                    organization=organization,
                    council=council,
                    constituency_id=member.constituency_id,
                    holder=member,
                    slot=i + 1,
                    start=start,
                )
                for i, member in enumerate(members)
            ],
            batch_size=2000,
        )
        Affiliation.objects.bulk_create(
            [Affiliation(seat=s, council=council, organization=organization, start=start) for s in seats],
            batch_size=2000,
        )
        Term.objects.bulk_create([Term(seat=s, start=start, ends=start + timedelta(days=365)) for s in seats])
        tokens = []
        lines = []
        for user, member in zip(users, members, strict=True):
            secret = "cnc_" + secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(
                    user=user,
                    name="voting bench",
                    key_prefix=secret[:12],
                    key_hash=hashlib.sha256(secret.encode()).hexdigest(),
                )
            )
            lines.append((secret, f"bench-{member.pk}-{secrets.token_hex(4)}"))
        ApiToken.objects.bulk_create(tokens, batch_size=2000)
    poll = services.poll_create(
        actor=SYSTEM,
        organization=organization,
        title="On the decree on peace",
        kind="motion",
        electorate_council=council,
    )
    services.poll_open(actor=SYSTEM, poll=poll)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    fixtures_path.write_text(
        json.dumps(
            {
                "poll": poll.pk,
                "path": f"/api/organizations/{ORG_SLUG}/polls/{poll.pk}/ballots",
                "pairs": lines,
                "cookies": _sessions(users[:pages]),
            }
        )
    )


def _sessions(users: list[Any]) -> list[str]:
    """A signed-in session for each user (the poll's page open in their browser): its key."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expire = timezone.now() + timedelta(days=1)
    rows = []
    for user in users:
        store = SessionStore()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(
            Session(
                session_key=store._get_new_session_key(), session_data=store.encode(data), expire_date=expire
            )
        )
    Session.objects.bulk_create(rows, batch_size=1000)
    return [row.session_key for row in rows]


# =================================================================================================
# The server and wrk
# =================================================================================================


LUA_CAST = r"""
-- Each thread casts the ballots of its share of the lines (every THREADS-th): "token key ack body",
-- where ack is what an answer names when it takes that ballot (the principal of an open ballot,
-- the tracker of a secret one; args[4] is the pattern that finds it in an answer). A ballot counts
-- as done when an answer names it (201, or 200 for a retry answered from the first); until then it
-- is sent again with the same key, which is what a client that lost an answer does. (wrk may build
-- a request it never sends: nothing here relies on it sending each.) wrk's threads share nothing
-- and wrk runs for its whole duration whatever they do: a thread done with its share says so by
-- a file (args[5] and its id), and the benchmark stops wrk (SIGINT) once every thread has.
threads = {}
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
local function finished()
  local mark = io.open(done_mark, "w")
  if mark ~= nil then mark:close() end
  wrk.thread:stop()
end
init = function(args)
  codes = {}
  list = {}
  local n = tonumber(args[3])
  path = args[2]
  ack_pattern = args[4]
  done_mark = args[5] .. id
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == id then
      local token, key, ack, body = line:match("^(%S+) (%S+) (%S+) (.+)$")
      list[#list + 1] = {token, key, ack, body}
    end
    i = i + 1
  end
  acknowledged = {}
  total = #list
  remaining = #list
  index = 0
end
request = function()
  for _ = 1, #list do
    index = index % #list + 1
    local item = list[index]
    if not acknowledged[item[3]] then
      local headers = {["Authorization"] = "Bearer " .. item[1], ["Idempotency-Key"] = item[2],
        ["Content-Type"] = "application/json"}
      return wrk.format("POST", path, headers, item[4])
    end
  end
  return wrk.format("GET", "/static/web/councils.css")
end
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 201 or status == 200 then
    local ack = body:match(ack_pattern)
    if ack ~= nil and not acknowledged[ack] then
      acknowledged[ack] = true
      remaining = remaining - 1
    end
  elseif status >= 300 and refused == nil then
    refused = body
  end
  if remaining <= 0 then finished() end
end
done = function(summary, latency, requests)
  local all = {}
  local acked = 0
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
    acked = acked + (t:get("total") - t:get("remaining"))
    local r = t:get("refused")
    if r ~= nil then io.write("WRKREFUSED " .. string.gsub(r, "\n", " ") .. "\n") end
  end
  local parts = {}
  for k, v in pairs(all) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "acknowledged": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "codes": {%s}}\n',
    summary.requests, acked, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""

# What an answer names when it takes a ballot (Lua patterns): an open ballot's principal, a secret
# ballot's tracker.
ACK_OPEN = '"principal":%s*(%d+)'
ACK_SECRET = '"tracker":%s*"(%x+)"'


def cast_files(data_dir: Path, lines: list[tuple[str, str, str, str]]) -> tuple[Path, Path]:
    """The lines wrk casts ("token key ack body") and its script, written in ``data_dir``."""
    lines_file = data_dir / "ballots.txt"
    lines_file.write_text("".join(" ".join(line) + "\n" for line in lines))
    script = data_dir / "cast.lua"
    script.write_text(LUA_CAST)
    return lines_file, script


def start_server(setup: Setup, args: argparse.Namespace) -> Server:
    """``councils serve`` on the built congress, warmed (imports, pooled connections) by reads."""
    workers = args.workers or (2 if args.backend == "postgres" else 1)
    server = Server(setup.env, workers, setup.data_dir / "server.log", candidates=PORTS)
    try:
        for _ in range(20):
            with urllib.request.urlopen(server.url + STATIC, timeout=10) as response:
                response.read()
    except BaseException:
        server.stop()
        raise
    return server


def run_wrk(url: str, script: Path, lines_file: Path, path: str, seconds: int, ack: str) -> dict[str, Any]:
    """wrk casting every line (LUA_CAST), stopped once each of its threads has had its share
    acknowledged, or after ``seconds``; its summary."""
    marks = lines_file.parent / "wrk-done-"
    for thread in range(THREADS):
        Path(f"{marks}{thread}").unlink(missing_ok=True)
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script), url, "--", str(lines_file), path, str(THREADS), ack, str(marks)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = False
    while True:
        try:
            stdout, stderr = process.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if not stopped and all(Path(f"{marks}{t}").exists() for t in range(THREADS)):
                process.send_signal(signal.SIGINT)  # wrk stops, then prints its summary (done)
                stopped = True
    refused = [line[len("WRKREFUSED ") :] for line in stdout.splitlines() if line.startswith("WRKREFUSED ")]
    for line in stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["refused"] = refused
            return data
    raise RuntimeError(f"wrk gave no result: {stdout}\n{stderr}")


# =================================================================================================
# What the database holds
# =================================================================================================


def _rows(
    database_url: str | None, sqlite_path: Path, poll: int, but: str = ""
) -> tuple[list[tuple[int, str]], float]:
    """The poll's participations (principal, key), and the seconds from the first vote to the last
    (leaving out the vote of key ``but``: the last ballot, cast after wrk for the live pages)."""
    sql = "SELECT principal_id, idempotency_key, cast_at FROM voting_participation WHERE poll_id = %s"
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            found = conn.execute(sql, [poll]).fetchall()
        moments = [row[2].timestamp() for row in found]
    else:
        from datetime import datetime

        with sqlite3.connect(sqlite_path) as conn:
            found = conn.execute(sql.replace("%s", "?"), [poll]).fetchall()
        moments = [datetime.fromisoformat(str(row[2])).timestamp() for row in found]
    moments = [moment for moment, row in zip(moments, found, strict=True) if row[1] != but]
    window = (max(moments) - min(moments)) if moments else 0.0
    return [(int(a), str(b)) for a, b, _c in found], window


def check(rows: list[tuple[int, str]], pairs: list[list[str]], acknowledged: int) -> tuple[int, int]:
    """(lost, doubled): acknowledged ballots missing from the database, and rows beyond one per
    delegate or not made by a request of this run (a key of another delegate, or unknown)."""
    keys = {key for _token, key in pairs}
    by_principal: dict[int, int] = {}
    foreign = 0
    for principal, key in rows:
        by_principal[principal] = by_principal.get(principal, 0) + 1
        if key not in keys or not key.startswith(f"bench-{principal}-"):
            foreign += 1
    doubled = sum(n - 1 for n in by_principal.values()) + foreign
    lost = max(0, acknowledged - (len(rows) - foreign))
    return lost, doubled


# =================================================================================================


def pg_backends_cpu(database_url: str | None) -> float:
    """CPU seconds used so far by PostgreSQL's server processes connected to the benchmark's
    database (the server's pooled connections): PostgreSQL's share of a cast, which the server's
    own figure leaves out. 0 on SQLite, or when their /proc entries cannot be read."""
    if not database_url:
        return 0.0
    import psycopg

    name = database_url.rpartition("/")[2]
    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
            )
        ]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def ceiling(server: Server, data_dir: Path, seconds: int, *, hello: bool = False) -> dict[str, float]:
    """The server's ceiling in this run: wrk on a static file (WhiteNoise, through the server and
    the middleware before it), requests per second and the server's CPU per request. ``hello``:
    the JSON hello of ``bench/hello_urls.py`` instead, asked with a bearer token, so through the
    same lighter stack as a script's cast: Django's floor under the cast."""
    script = data_dir / ("hello.lua" if hello else "static.lua")
    script.write_text((LUA_BEARER if hello else "") + LUA_STATIC)
    cpu_before = server.cpu_seconds()
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(script)]
    done = subprocess.run(
        [*command, server.url + (HELLO if hello else STATIC)], capture_output=True, text=True, check=False
    )
    cpu = server.cpu_seconds() - cpu_before
    server.settle()
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            rate = data["requests"] / (data["duration_us"] / 1e6)
            return {
                "rps": rate,
                "p99_ms": data["p99_us"] / 1000,
                "cpu_ms": cpu / max(1, data["requests"]) * 1000,
            }
    raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")


def print_ceilings(top: dict[str, float], hello: dict[str, float] | None) -> None:
    """The ceilings measured, as the casts' figures are read against them."""
    for label, figures in (("static file", top), ("JSON hello, lighter stack", hello)):
        if figures is None:
            continue
        print(
            f"the server's ceiling ({label}, same run): {figures['rps']:,.0f}/s, "
            f"p99 {figures['p99_ms']:.0f} ms, server CPU {figures['cpu_ms']:.2f} ms per request"
        )


def print_against(rate: float, top: dict[str, float], hello: dict[str, float] | None) -> None:
    """The casts' rate as a ratio to each ceiling of the same run."""
    ratios = [f"{rate / top['rps']:.3f} (static file)"] if top["rps"] else []
    if hello is not None and hello["rps"]:
        ratios.append(f"{rate / hello['rps']:.3f} (hello)")
    if ratios:
        print("ballots/s against the ceiling: " + ", ".join(ratios))


LUA_BEARER = 'wrk.headers["Authorization"] = "Bearer bench-hello"\n'

LUA_STATIC = r"""
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, latency:percentile(99)))
end
"""


async def final_turnout(
    server: Server, fixtures: dict[str, Any], last: list[str], delegates: int
) -> dict[str, Any]:
    """Open a live page (a server-sent event stream of the poll's topic) per session, cast the
    last ballot, and time until every page has received the final turnout (bench/live_bench.py's
    light client: raw asyncio streams, little CPU)."""
    sys.path.insert(0, str(ROOT / "src"))  # the client's reconnection policy is the pages' own
    import live_bench as lb

    # The turnout fragment's progress bar, full: every delegate has voted.
    lb.MARK = f'value="{delegates}"'.encode()
    path = f"/o/{ORG_SLUG}/live/?topic=poll.{fixtures['poll']}&since={time.time_ns() // 1000}"
    pages = lb.Pages(server.port, path, [lb.Page(cookie) for cookie in fixtures["cookies"]])
    log(f"opening {len(pages.pages):,} live pages of the poll")
    open_s = await lb.open_pages(pages)
    opened = pages.connected()
    log(f"{opened:,} pages open in {open_s:.1f} s")
    await asyncio.sleep(2.0)
    token, key = last
    request = urllib.request.Request(
        server.url + fixtures["path"],
        data=b'{"answer": "yes"}',
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
    )
    pages.watching_since = sent = time.monotonic()
    status = await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).status)
    answered = time.monotonic()
    seen = await lb.wait_for_compositions(pages, sent)
    pages.stop = True
    for task in pages.tasks:
        task.cancel()
    await asyncio.gather(*pages.tasks, return_exceptions=True)
    return {"open": opened, "open_s": open_s, "api_s": answered - sent, "acknowledged": status == 201, **seen}


@dataclass
class Setup:
    """A built congress: where its data is, the server's environment, its database, its fixtures."""

    data_dir: Path
    env: dict[str, str]
    database_url: str | None
    fixtures: dict[str, Any]


def prepare(args: argparse.Namespace) -> Setup | str:
    """Build the congress (a fresh database) in a child process; the setup, or why it cannot be."""
    name = f"voting-{args.kind}-{args.backend}-{args.delegates}"
    data_dir = OUT / name
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    database_url = None
    if args.backend == "postgres":
        database_url = (args.postgres_url or DEFAULT_PG) + args.database
        problem = pg_recreate(database_url)
        if problem:
            return f"PostgreSQL not reachable ({problem})"
    # The server's settings: the project's, with the hello beside its URLs (bench/hello_settings.py).
    env = bench_env(
        data_dir,
        database_url,
        DJANGO_SETTINGS_MODULE="hello_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
    )
    fixtures_path = data_dir / "fixtures.json"
    log(f"building a congress of {args.delegates:,} delegates ({args.backend}, data in {data_dir})")
    started = time.perf_counter()
    command = [sys.executable, __file__, "--build", "--kind", args.kind]
    command += [
        "--delegates",
        str(args.delegates),
        "--fixtures",
        str(fixtures_path),
        "--pages",
        str(args.pages),
    ]
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    log(f"built in {time.perf_counter() - started:,.0f} s")
    return Setup(data_dir, env, database_url, json.loads(fixtures_path.read_text()))


def run_open(args: argparse.Namespace, setup: Setup) -> int:
    """Every delegate casts a named ballot through HTTP (wrk); the database is checked after."""
    data_dir, fixtures = setup.data_dir, setup.fixtures
    pairs = fixtures["pairs"]
    # With live pages, the last delegate votes after wrk, while the pages watch for the turnout.
    last = pairs[-1] if args.pages else None
    # The principal's id is in the key: bench-<member id>-<random>.
    lines = [
        (token, key, key.split("-")[1], '{"answer": "yes"}')
        for token, key in pairs[: len(pairs) - bool(last)]
    ]
    lines_file, script = cast_files(data_dir, lines)
    workers = args.workers or (2 if args.backend == "postgres" else 1)
    server = start_server(setup, args)
    try:
        top = ceiling(server, data_dir, args.ceiling_seconds)
        seconds = max(10, args.delegates // 50)
        cpu_before, pg_before = server.cpu_seconds(), pg_backends_cpu(setup.database_url)
        path = FLOOR.format(poll=fixtures["poll"]) if args.floor else fixtures["path"]
        result = run_wrk(server.url, script, lines_file, path, seconds, ACK_OPEN)
        server_cpu = server.cpu_seconds() - cpu_before
        pg_cpu = pg_backends_cpu(setup.database_url) - pg_before
        # Only when asked (--hello), after the casts: in runs with the hello's burst, the live
        # pages' final turnout came twice as slow in most (not understood), which the issue's
        # figures must not carry. Before the live pages: the server is busy closing their streams
        # for a while after them.
        hello = ceiling(server, data_dir, args.ceiling_seconds, hello=True) if args.hello else None
        live = asyncio.run(final_turnout(server, fixtures, last, args.delegates)) if last else None
    finally:
        server.stop()
    codes = {str(k): int(v) for k, v in result["codes"].items()}
    acknowledged = int(result["acknowledged"]) + (1 if live and live["acknowledged"] else 0)
    rows, window = _rows(
        setup.database_url, data_dir / "councils.sqlite3", fixtures["poll"], last[1] if last else ""
    )
    lost, doubled = check(rows, pairs, acknowledged)
    # The sustained rate: wrk's ballots stored over the time from the first to the last (the
    # server's clock); wrk's own duration is its fixed run time, not when the last was answered.
    cast_by_wrk = len(rows) - (1 if last and any(key == last[1] for _p, key in rows) else 0)
    rate = cast_by_wrk / window if window > 0 else 0.0
    p99 = result["p99_us"] / 1000
    print(
        f"\nVoting benchmark: {args.delegates:,} delegates, {args.backend} with {workers} server "
        f"process(es), wrk -t{THREADS} -c{CONNECTIONS}"
        + (f"; at the floor ({FLOOR}: no rule checked, not the issue's figure)" if args.floor else "")
    )
    print_ceilings(top, hello)
    print(
        f"answers {codes} (200: reads after a thread's last ballot, or a retry answered from the first); "
        f"{acknowledged:,} delegates' ballots acknowledged; {len(rows):,} participations stored, the first "
        f"to the last in {window:.2f} s; p50 {result['p50_us'] / 1000:.1f} ms; "
        f"socket errors {result['errors']}"
        + (f"; first refusal {result['refused'][0][:200]}" if result["refused"] else "")
    )
    if rows:
        print(
            f"server CPU: {server_cpu:.1f} s for {cast_by_wrk:,} ballots, "
            f"{server_cpu / max(1, cast_by_wrk) * 1000:.2f} ms each; "
            f"PostgreSQL's {pg_cpu / max(1, cast_by_wrk) * 1000:.2f} ms each; "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
        print_against(rate, top, hello)
    if live:
        print(
            f"live pages: {live['open']:,} of {args.pages:,} streams of the poll open in "
            f"{live['open_s']:.1f} s; the last ballot answered in {live['api_s'] * 1000:.0f} ms; the final "
            f"turnout on {live['received']:,} pages, all within {live['all_s'] * 1000:.0f} ms "
            f"(median {live['p50_s'] * 1000:.0f} ms)"
        )
    return report(
        args,
        rate=rate,
        p99=p99,
        lost=lost,
        doubled=doubled,
        complete=acknowledged == args.delegates,
        live_s=live["all_s"] if live else None,
    )


def report(
    args: argparse.Namespace,
    *,
    rate: float,
    p99: float,
    lost: int,
    doubled: int,
    complete: bool,
    live_s: float | None = None,
) -> int:
    """The verdict against the issue's targets and the last line; the exit status."""
    missed = []
    if args.backend == "postgres":
        target = 1000 if args.kind == "open" else 400
        if rate < target:
            missed.append(f"rate (target >= {target:,}/s)")
        if p99 > 300:
            missed.append("p99 (target <= 300 ms)")
        if live_s is not None and live_s > 1.0:
            missed.append("final turnout on every live page (target <= 1 s)")
    if lost or doubled:
        missed.append("lost or doubled")
    print("targets: " + ("met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"ballots/s: {rate:.0f}, p99 ms: {p99:.0f}, lost: {lost}, doubled: {doubled}")
    return 0 if not (lost or doubled) and complete else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--delegates", type=int, default=5000)
    parser.add_argument("--kind", choices=["open", "secret"], default="open")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-url", help=f"server URL without the database name (default {DEFAULT_PG})")
    parser.add_argument(
        "--database", default="councils_voting_bench", help="PostgreSQL database to drop and recreate"
    )
    parser.add_argument("--workers", type=int, help="server processes (default 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--ceiling-seconds", type=int, default=5, help="wrk on a static file first (seconds)")
    parser.add_argument(
        "--pages",
        type=int,
        help="live pages of the poll open for the last ballot (default: as many as delegates, at most 5,000)",
    )
    parser.add_argument(
        "--hello",
        action="store_true",
        help="after the casts, also the ceiling of a JSON hello through the cast's lighter stack "
        "(bench/hello_urls.py)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="cast at the bench-only floor instead (bench/hello_urls.py: the cast's one statement "
        "through the same stack, no rule checked): what the stack costs below Councils' own work",
    )
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fixtures", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = min(args.delegates, 5000) if args.pages is None else max(0, min(args.pages, args.delegates))
    if args.build:
        build(args.delegates, Path(args.fixtures), args.pages)
        return 0
    if args.kind == "secret":
        from voting_bench_secret import main_secret  # its own module: see its docstring

        return main_secret(args)
    if shutil.which("wrk") is None:
        print("wrk is missing: install it (Debian: apt-get install -y wrk).")
        return 2
    if args.delegates < 1:
        print("--delegates must be at least 1")
        return 2
    if args.floor and args.backend != "postgres":
        print("--floor measures PostgreSQL's statements: use it with --backend postgres")
        return 2
    # Thousands of sockets for the live pages: this process's and the server's (which inherits it).
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    setup = prepare(args)
    if isinstance(setup, str):
        print(setup)
        return 2
    return run_open(args, setup)


if __name__ == "__main__":
    sys.exit(main())
