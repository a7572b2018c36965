#!/usr/bin/env python
"""Benchmark of casting: a congress of delegates voting through the real HTTP stack.

    .venv/bin/python bench/voting_bench.py --delegates 5000 --kind open [--backend postgres|sqlite]

It builds a congress whose council has ``--delegates`` deputies (each a member with a seat and a
personal API token), creates and opens a named yes/no poll of that council through the services,
then starts the server exactly as an operator does (``councils serve --workers 2`` on PostgreSQL,
one worker on SQLite) and lets wrk (64 connections, 2 threads; a Lua script, little CPU) cast one
ballot per delegate: ``POST /api/organizations/<org>/polls/<id>/ballots`` with the delegate's
token and an ``Idempotency-Key``. Each delegate casts once; the run ends when every delegate has.

Then the database is read: every acknowledged ballot (201) must be a participation row of its
delegate with its key (else it is *lost*), and no delegate may have more than one, nor a row exist
that no request made (*doubled*). The last line is exactly::

    ballots/s: X, p99 ms: Y, lost: L, doubled: D

``--kind secret`` runs a secret poll (``bench/voting_bench_secret.py``: ballots encrypted
beforehand, the same checks, then the close and the trustees' decryption); target at least 400
ballots/s, p99 at most 300 ms. ``COUNCILS_BENCH_PORTS=8110-8119`` limits its server's ports.
Targets (issue 10): at least
1,000 ballots/s with p99 at most 300 ms on PostgreSQL with two server processes. A small size
(``--delegates 300 --backend sqlite``) runs in the suite as a smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/"
CONNECTIONS = 64
THREADS = 2
PORTS = range(8100, 8150)
ORG_SLUG = "congress-bench"
STATIC = "/static/web/councils.css"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# =================================================================================================
# Building the congress (in a child process: Django reads DATABASE_URL once)
# =================================================================================================


def build(delegates: int, fixtures_path: Path) -> None:
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
            }
        )
    )


# =================================================================================================
# The server and wrk
# =================================================================================================


def _councils_command() -> list[str]:
    script = Path(sys.executable).parent / "councils"
    return [str(script)] if script.exists() else [sys.executable, "-m", "councils.cli"]


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class Server:
    """``councils serve --workers N --port P`` in a subprocess (its own process group)."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                *_councils_command(),
                "serve",
                "--workers",
                str(workers),
                "--port",
                str(self.port),
                "--no-migrate",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"councils serve exited with {self.process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + STATIC, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"councils serve did not answer within 60 s; see {log_path}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (its process group)."""
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # After the command: state, ppid, pgrp, ..., utime (12th), stime (13th).
            if int(fields[2]) == self.process.pid:
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


LUA_CAST = r"""
-- Each thread casts the ballots of its share of the delegates (every THREADS-th line). A delegate
-- counts as done when an answer names them (201, or 200 for a retry answered from the first);
-- until then their ballot is sent again with the same key, which is what a client that lost an
-- answer does. (wrk may build a request it never sends: nothing here relies on it sending each.)
threads = {}
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
init = function(args)
  codes = {}
  list = {}
  local n = tonumber(args[3])
  path = args[2]
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == id then
      local token, key = line:match("^(%S+) (%S+)$")
      list[#list + 1] = {token, key, key:match("^bench%-(%d+)%-")}
    end
    i = i + 1
  end
  acknowledged = {}
  total = #list
  remaining = #list
  index = 0
  body = '{"answer": "yes"}'
end
request = function()
  for _ = 1, #list do
    index = index % #list + 1
    local item = list[index]
    if not acknowledged[item[3]] then
      local headers = {["Authorization"] = "Bearer " .. item[1], ["Idempotency-Key"] = item[2],
        ["Content-Type"] = "application/json"}
      return wrk.format("POST", path, headers, body)
    end
  end
  return wrk.format("GET", "/static/web/councils.css")
end
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 201 or status == 200 then
    local principal = body:match('"principal":%s*(%d+)')
    if principal ~= nil and not acknowledged[principal] then
      acknowledged[principal] = true
      remaining = remaining - 1
    end
  elseif status >= 300 and refused == nil then
    refused = body
  end
  if remaining <= 0 then wrk.thread:stop() end
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


def run_wrk(url: str, script: Path, pairs_file: Path, path: str, seconds: int) -> dict[str, Any]:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script), url, "--", str(pairs_file), path, str(THREADS)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    refused = [
        line[len("WRKREFUSED ") :] for line in done.stdout.splitlines() if line.startswith("WRKREFUSED ")
    ]
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["refused"] = refused
            return data
    raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")


# =================================================================================================
# What the database holds
# =================================================================================================


def _rows(database_url: str | None, sqlite_path: Path, poll: int) -> tuple[list[tuple[int, str]], float]:
    """The poll's participations (principal, key), and the seconds from the first vote to the last."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--delegates", type=int, default=5000)
    parser.add_argument("--kind", choices=["open", "secret"], default="open")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-url", help=f"server URL without the database name (default {DEFAULT_PG})")
    parser.add_argument("--workers", type=int, help="server processes (default 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fixtures", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(args.delegates, Path(args.fixtures))
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
    name = f"voting-{args.backend}-{args.delegates}"
    data_dir = OUT / name
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="councils.settings",
        COUNCILS_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    )
    database_url = None
    if args.backend == "postgres":
        from federation_bench import _pg_recreate

        database_url = (args.postgres_url or DEFAULT_PG) + "councils_voting_bench"
        problem = _pg_recreate(database_url)
        if problem:
            print(f"PostgreSQL not reachable ({problem})")
            return 2
        env["DATABASE_URL"] = database_url
    fixtures_path = data_dir / "fixtures.json"
    log(f"building a congress of {args.delegates:,} delegates ({args.backend}, data in {data_dir})")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--build",
            "--delegates",
            str(args.delegates),
            "--fixtures",
            str(fixtures_path),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log(f"built in {time.perf_counter() - started:,.0f} s")
    fixtures = json.loads(fixtures_path.read_text())
    pairs = fixtures["pairs"]
    pairs_file = data_dir / "pairs.txt"
    pairs_file.write_text("".join(f"{token} {key}\n" for token, key in pairs))
    script = data_dir / "cast.lua"
    script.write_text(LUA_CAST)
    workers = args.workers or (2 if args.backend == "postgres" else 1)
    server = Server(env, workers, data_dir / "server.log")
    try:
        # Warm the processes (imports, pooled connections) with reads before measuring.
        for _ in range(20):
            with urllib.request.urlopen(server.url + STATIC, timeout=10) as response:
                response.read()
        seconds = max(10, args.delegates // 50)
        cpu_before = server.cpu_seconds()
        result = run_wrk(server.url, script, pairs_file, fixtures["path"], seconds)
        server_cpu = server.cpu_seconds() - cpu_before
    finally:
        server.stop()
    codes = {str(k): int(v) for k, v in result["codes"].items()}
    acknowledged = int(result["acknowledged"])
    rows, window = _rows(database_url, data_dir / "councils.sqlite3", fixtures["poll"])
    lost, doubled = check(rows, pairs, acknowledged)
    # The sustained rate: ballots stored over the time from the first to the last (the server's
    # clock); wrk's own duration is its fixed run time, not when the last ballot was answered.
    rate = len(rows) / window if window > 0 else 0.0
    p99 = result["p99_us"] / 1000
    print(
        f"\nVoting benchmark: {args.delegates:,} delegates, {args.backend} with {workers} server "
        "process(es), "
        f"wrk -t{THREADS} -c{CONNECTIONS}"
    )
    print(
        f"answers {codes} (200: reads after a thread's last ballot, or a retry answered from the first); "
        f"{acknowledged:,} delegates' ballots acknowledged; {len(rows):,} participations stored, the first "
        f"to the last in {window:.2f} s; p50 {result['p50_us'] / 1000:.1f} ms; "
        f"socket errors {result['errors']}"
        + (f"; first refusal {result['refused'][0][:200]}" if result["refused"] else "")
    )
    if rows:
        print(
            f"server CPU: {server_cpu:.1f} s for {len(rows):,} ballots, "
            f"{server_cpu / len(rows) * 1000:.2f} ms each "
            f"(without PostgreSQL's); load average now {os.getloadavg()[0]:.1f}"
        )
    missed = []
    if args.backend == "postgres":
        if rate < 1000:
            missed.append("rate (target >= 1,000/s)")
        if p99 > 300:
            missed.append("p99 (target <= 300 ms)")
    if lost or doubled:
        missed.append("lost or doubled")
    print("targets: " + ("met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"ballots/s: {rate:.0f}, p99 ms: {p99:.0f}, lost: {lost}, doubled: {doubled}")
    return 0 if not (lost or doubled) and acknowledged == args.delegates else 1


if __name__ == "__main__":
    sys.exit(main())
