#!/usr/bin/env python
"""Benchmark of the web stack: the real server under wrk, on PostgreSQL and on SQLite.

    .venv/bin/python bench/web_bench.py [--size full|small] [--backend postgres|sqlite|both]

For each backend and data set it builds the database, starts the server exactly as an operator
does (``councils serve --workers N --port P`` in a subprocess, with ``DATABASE_URL``), waits for it,
runs wrk (64 connections, 2 threads) against each request below, then stops the server:

- ``static``: a static file (WhiteNoise, through the whole server): the server's ceiling, from the
  same run; every other figure is also given as a ratio to it;
- ``api organizations`` and ``api composition``: authenticated API reads (a personal token);
- ``council page``: a council's HTML page, signed in with a session cookie;
- ``openapi.json``: the OpenAPI document;
- ``petition sign``: ``POST .../petitions/<id>/sign`` with a different member's token on every
  request (a wrk Lua script walks a list of token/petition pairs generated here). The 2xx answers
  are compared with the Signature rows and ``petition.signed`` audit events written: none may be
  lost or doubled.

Data sets: the demonstration (``councils demo``, about 2,700 members) and, at the full size, an
organization of 100,000 members built by ``bench/federation_bench.py``'s builder. PostgreSQL runs two
server processes (``--workers 2``); SQLite runs the embedded default, one process, as ``make run``.
The targets (from the issue) apply to PostgreSQL; SQLite's figures are given for information.

``--size small`` (SQLite, the demonstration, one second per request) is the suite's smoke test.
The last line printed is a one-line summary. A figure that misses its target is printed as missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import DEFAULT_PG, OUT, ROOT, STATIC, Server, bench_env, log, pg_recreate

CONNECTIONS = 64
THREADS = 2


@dataclass(frozen=True)
class Target:
    rps: float | None
    p99_ms: float | None
    text: str


TARGETS = {
    "api organizations": Target(1500, 100, ">= 1,500/s, p99 <= 100 ms"),
    "api composition": Target(1500, 100, ">= 1,500/s, p99 <= 100 ms"),
    "petition sign": Target(500, 300, ">= 500/s, p99 <= 300 ms, none lost"),
    "council page": Target(500, None, ">= 500/s"),
    # Built once per process: ten times the 25/s it answered when built on every request.
    "openapi.json": Target(250, None, "cached: >= 250/s"),
}
ORDER = ["static", "api organizations", "api composition", "council page", "openapi.json", "petition sign"]


# =================================================================================================
# Building a data set and its fixtures (in a worker process: Django reads DATABASE_URL once)
# =================================================================================================


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    import django

    django.setup()


def build(dataset: str, size: str, fixtures_path: Path, pairs: int, *, load: bool = True) -> None:
    """Load the data set (unless ``load`` is false: it is there from an earlier run), then write the
    fixtures the measures need (tokens, cookie, URLs, and signer/petition pairs not yet signed)."""
    _django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not load:
        from councils.demo.data import ORGANIZATION_SLUG
        from federation_bench import ORG_SLUG

        if dataset == "demo":
            org_slug, council_slug, reader_name = ORGANIZATION_SLUG, "petrograd", "worker"
        else:
            org_slug, council_slug, reader_name = ORG_SLUG, "city-02", ""
    elif dataset == "demo":
        call_command("demo", verbosity=0)
        from councils.demo.data import ORGANIZATION_SLUG

        org_slug, council_slug, reader_name = ORGANIZATION_SLUG, "petrograd", "worker"
    else:
        from federation_bench import ORG_SLUG, SIZES, Builder, Clock

        builder = Builder(SIZES[size], fixtures_path.parent, Clock())
        builder.structure()
        builder.members()
        builder.elections()
        builder.history()
        # The largest city council: N or 2N seats, alternating.
        org_slug, council_slug, reader_name = ORG_SLUG, "city-02", ""
    fixtures = _fixtures(org_slug, council_slug, reader_name, pairs)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    fixtures_path.write_text(json.dumps(fixtures))


def _fixtures(org_slug: str, council_slug: str, reader_name: str, pairs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from councils.accounts.services import token_create
    from councils.federation import services
    from councils.federation.models import Council, Member, Organization, RecallPetition, Seat

    org = Organization.objects.get(slug=org_slug)
    if not Organization.objects.filter(slug=org_slug).exists():
        raise SystemExit(f"no organization {org_slug}")
    user_model = get_user_model()
    if reader_name:
        reader = user_model.objects.get(username=reader_name)
    else:
        reader = Member.objects.filter(organization=org, left_at__isnull=True).order_by("pk").first().user
    _token, reader_token = token_create(actor=reader, name=f"web-bench-{time.time_ns()}")
    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    council = Council.objects.get(organization=org, slug=council_slug)

    # Signatures: open a petition against held constituency seats of councils that recall at once,
    # then list members of the seat's constituency who have not signed, stopping two short of the
    # threshold so that no signature of the run ends a seat (which would close the petition).
    by_member: dict[int, list[int]] = {}
    seats = (
        Seat.objects.filter(
            organization=org,
            end__isnull=True,
            constituency__isnull=False,
            council__recall_mode=Council.RecallMode.IMMEDIATE,
        )
        .select_related("constituency")
        .order_by("pk")
    )
    found = 0
    for seat in seats:
        if found >= pairs:
            break
        # Open and not expiring during the run (one past its expiry is written down by petition_open).
        petition = RecallPetition.objects.filter(
            seat=seat, status=RecallPetition.Status.OPEN, expires_at__gt=timezone.now() + timedelta(days=1)
        ).first()
        members = list(
            Member.objects.filter(constituency_id=seat.constituency_id, left_at__isnull=True)
            .select_related("user")
            .order_by("pk")
        )
        if petition is None:
            opener = next((m for m in members if m.user_id != reader.pk), None)
            if opener is None:
                continue
            try:
                petition = services.petition_open(actor=opener.user, seat=seat, reason="web benchmark")
            except Exception:  # a seat the rules refuse (e.g. not held now): another one
                continue
        signed = set(
            petition.signatures.filter(withdrawn_at__isnull=True).values_list("member_id", flat=True)
        )
        room = petition.required - len(signed) - 2
        for member in members:
            if room <= 0 or found >= pairs:
                break
            if member.pk in signed:
                continue
            by_member.setdefault(member.user_id, []).append(petition.pk)
            room -= 1
            found += 1
    tokens: dict[int, str] = {}
    users = user_model.objects.in_bulk(list(by_member))
    for user_id in by_member:
        tokens[user_id] = token_create(actor=users[user_id], name=f"web-bench-{time.time_ns()}")[1]
    # Distinct signers first: one petition per member, then members' second petitions, and so on;
    # within a round in a seeded random order, so that concurrent signatures go to many petitions
    # (members of one constituency were listed together).
    rounds = max((len(p) for p in by_member.values()), default=0)
    rng = random.Random(1917)
    sign = []
    for r in range(rounds):
        batch = [
            (tokens[user_id], f"/api/organizations/{org_slug}/petitions/{ids[r]}/sign")
            for user_id, ids in by_member.items()
            if r < len(ids)
        ]
        rng.shuffle(batch)
        sign += batch
    return {
        "org": org_slug,
        "token": reader_token,
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "urls": {
            "static": STATIC,
            "api organizations": "/api/organizations",
            "api composition": f"/api/organizations/{org_slug}/councils/{council_slug}/composition",
            "council page": f"/o/{org_slug}/councils/{council_slug}/",
            "openapi.json": "/api/openapi.json",
        },
        "seats": council.total_seats,
        "members": Member.objects.filter(organization=org, left_at__isnull=True).count(),
        "sign": sign,
        "signers": len(by_member),
    }


# =================================================================================================
# The server and wrk
# =================================================================================================


LUA_REPORT = r"""
done = function(summary, latency, requests)
  local codes = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do codes[k] = (codes[k] or 0) + v end
  end
  for _, t in ipairs(threads) do
    local r = t:get("refused")
    if r ~= nil then io.write("WRKREFUSED " .. string.gsub(r, "\n", " ") .. "\n") end
  end
  local parts = {}
  for k, v in pairs(codes) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "codes": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""

LUA_GET = (
    r"""
threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) codes = {} end
response = function(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
"""
    + LUA_REPORT
)

LUA_SIGN = (
    r"""
threads = {}
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
init = function(args)
  codes = {}
  pairs_list = {}
  local n = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == id then
      local token, path = line:match("^(%S+) (%S+)$")
      pairs_list[#pairs_list + 1] = {token, path}
    end
    i = i + 1
  end
  index = 0
end
request = function()
  index = index + 1
  local pair = pairs_list[((index - 1) % #pairs_list) + 1]
  return wrk.format("POST", pair[2], {["Authorization"] = "Bearer " .. pair[1], ["Content-Length"] = "0"})
end
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status >= 300 and refused == nil then refused = body end
end
"""
    + LUA_REPORT
)


def wrk(
    url: str, *, seconds: float, headers: dict[str, str], script: Path, args: list[str] | None = None
) -> dict:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(script), url]
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    refused = [
        line[len("WRKREFUSED ") :] for line in done.stdout.splitlines() if line.startswith("WRKREFUSED ")
    ]
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            seconds_run = data["duration_us"] / 1e6
            ok = sum(v for k, v in data["codes"].items() if k.startswith("2"))
            return {
                "rps": data["requests"] / seconds_run if seconds_run else 0.0,
                "p50_ms": data["p50_us"] / 1000,
                "p99_ms": data["p99_us"] / 1000,
                "requests": data["requests"],
                "ok": ok,
                "codes": data["codes"],
                "errors": data["errors"],
                "refused": refused[:1],
            }
    raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")


# =================================================================================================
# Counting what the signatures wrote (without Django: the parent has no DATABASE_URL of its own)
# =================================================================================================


def _count(database_url: str | None, sqlite_path: Path) -> tuple[int, int, int]:
    """Signature rows, ``petition.signed`` events, distinct (petition, member) signatures."""
    sql = (
        "SELECT (SELECT count(*) FROM federation_signature),"
        " (SELECT count(*) FROM audit_event WHERE kind = 'petition.signed'),"
        " (SELECT count(*) FROM (SELECT DISTINCT petition_id, member_id FROM federation_signature) AS s)"
    )
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            row = conn.execute(sql).fetchone()
    else:
        with sqlite3.connect(sqlite_path) as conn:
            row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


# =================================================================================================
# CPU time of the server and of PostgreSQL's backends (the machine is shared: CPU per request is
# what another helper's load changes least)
# =================================================================================================

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> tuple[int, float] | None:
    """A process's group and its user + system CPU seconds, from /proc (Linux); None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the name: state ppid pgrp session ... utime (14th field overall) stime (15th).
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS


class CpuMeter:
    """Sums the CPU seconds of the server's process group and of the database's backends."""

    def __init__(self, server_pgid: int, database_url: str | None) -> None:
        self.pgid = server_pgid
        self.database_url = database_url

    def _backends(self) -> list[int]:
        if not self.database_url:
            return []
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        server: dict[int, float] = {}
        if Path("/proc").is_dir():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    found = _proc_cpu(int(entry.name))
                    if found is not None and found[0] == self.pgid:
                        server[int(entry.name)] = found[1]
        database = {}
        for pid in self._backends():
            found = _proc_cpu(pid)
            if found is not None:
                database[pid] = found[1]
        return server, database

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# =================================================================================================
# One backend and data set
# =================================================================================================


def _cpu_per_request(row: dict[str, Any], before: Any, after: Any, answered: int | None = None) -> None:
    """Adds the server's and the database's CPU milliseconds per request answered to ``row``.

    The server answers the requests wrk counted and those in flight when it stopped (settled
    before the second snapshot): with every connection busy, about one per connection."""
    answered = max(1, answered if answered is not None else row["requests"] + CONNECTIONS)
    row["server_cpu_ms"] = CpuMeter.spent(before[0], after[0]) / answered * 1000
    row["db_cpu_ms"] = CpuMeter.spent(before[1], after[1]) / answered * 1000


def _measure_signatures(
    server: Server,
    meter: CpuMeter,
    database_url: str | None,
    data_dir: Path,
    fixtures: dict[str, Any],
    pairs_file: Path,
    sign_script: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """wrk signing petitions; its acknowledgments compared with the rows and events written."""
    before = _count(database_url, data_dir / "councils.sqlite3")
    cpu_before = meter.snapshot()
    row = wrk(
        server.url + "/",
        seconds=args.seconds,
        headers={},
        script=sign_script,
        args=[str(pairs_file), str(THREADS)],
    )
    server.settle()
    cpu_after = meter.snapshot()
    after = _count(database_url, data_dir / "councils.sqlite3")
    # Every request of the list signs (refusals aside): the rows written count the answers.
    _cpu_per_request(row, cpu_before, cpu_after, answered=max(after[0] - before[0], row["requests"]))
    row["signatures"] = after[0] - before[0]
    row["events"] = after[1] - before[1]
    row["pairs"] = len(fixtures["sign"])
    row["distinct"] = after[2] - before[2]
    # Every acknowledged signature is written once, with its event. wrk stops with up to one
    # request in flight per connection: the server finishes those (written, answer unread).
    row["in_flight"] = row["signatures"] - row["ok"]
    row["consistent"] = (
        row["signatures"] == row["events"] == row["distinct"] and 0 <= row["in_flight"] <= CONNECTIONS
    )
    return row


def run_case(backend: str, dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    name = f"web-{backend}-{dataset}-{args.size}"
    data_dir = OUT / name
    database_url = None
    if backend == "postgres":
        # WEB_BENCH_DB_PREFIX names the databases (default councils_web): one's own on a shared server.
        prefix = os.environ.get("WEB_BENCH_DB_PREFIX", "councils_web")
        database_url = (args.postgres_url or DEFAULT_PG) + f"{prefix}_{dataset}_{args.size}"
    env = bench_env(data_dir, database_url)
    fixtures_path = data_dir / "fixtures.json"
    reuse = args.skip_build and fixtures_path.exists()
    if reuse:
        # The data is there; the pairs are made again (the last run signed the earlier ones).
        log(f"{backend}/{dataset}: reusing the data in {data_dir}; new signer/petition pairs")
        command = [sys.executable, __file__, "--build", dataset, "--size", args.size]
        command += ["--fixtures", str(fixtures_path), "--pairs", str(args.pairs), "--keep-data"]
        subprocess.run(command, env=env, cwd=ROOT, check=True)
    else:
        if backend == "postgres":
            problem = pg_recreate(database_url or "")
            if problem:
                return {"skipped": f"PostgreSQL not reachable ({problem})"}
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        log(f"{backend}/{dataset}: building (data in {data_dir})")
        started = time.perf_counter()
        command = [
            sys.executable,
            __file__,
            "--build",
            dataset,
            "--size",
            args.size,
            "--fixtures",
            str(fixtures_path),
        ]
        command += ["--pairs", str(args.pairs)]
        subprocess.run(command, env=env, cwd=ROOT, check=True)
        log(f"{backend}/{dataset}: built in {time.perf_counter() - started:,.0f} s")
    fixtures = json.loads(fixtures_path.read_text())
    pairs_file = data_dir / "sign-pairs.txt"
    pairs_file.write_text("".join(f"{token} {path}\n" for token, path in fixtures["sign"]))
    get_script = data_dir / "get.lua"
    get_script.write_text(LUA_GET)
    sign_script = data_dir / "sign.lua"
    sign_script.write_text(LUA_SIGN)

    workers = 2 if backend == "postgres" else 1
    results: dict[str, Any] = {
        "members": fixtures["members"],
        "seats": fixtures["seats"],
        "workers": workers,
        "rows": {},
    }
    load_before = os.getloadavg()[0]
    server = Server(env, workers, data_dir / "server.log")
    try:
        auth = {"Authorization": f"Bearer {fixtures['token']}"}
        headers = {
            "static": {},
            "api organizations": auth,
            "api composition": auth,
            "council page": {"Cookie": fixtures["session_cookie"]},
            "openapi.json": {},
        }
        meter = CpuMeter(server.process.pid, database_url)
        for label in ORDER[:-1]:
            if label != "static" and args.only and label not in args.only:
                continue
            url = server.url + fixtures["urls"][label]
            wrk(url, seconds=args.warmup, headers=headers[label], script=get_script)
            server.settle()
            cpu_before = meter.snapshot()
            results["rows"][label] = wrk(url, seconds=args.seconds, headers=headers[label], script=get_script)
            server.settle()
            _cpu_per_request(results["rows"][label], cpu_before, meter.snapshot())
            log(f"{backend}/{dataset}: {label}: {results['rows'][label]['rps']:,.0f}/s")
        if not args.only or "petition sign" in args.only:
            row = _measure_signatures(
                server, meter, database_url, data_dir, fixtures, pairs_file, sign_script, args
            )
            results["rows"]["petition sign"] = row
            log(f"{backend}/{dataset}: petition sign: {row['rps']:,.0f}/s, {row['ok']} acknowledged")
    finally:
        server.stop()
    results["load"] = (load_before, os.getloadavg()[0])
    return results


# =================================================================================================
# The table
# =================================================================================================


def verdict(label: str, row: dict[str, Any], backend: str) -> str:
    target = TARGETS.get(label)
    if target is None:
        return "ceiling"
    if backend != "postgres":
        return "info"
    missed = []
    if target.rps is not None and row["rps"] < target.rps:
        missed.append("rate")
    if target.p99_ms is not None and row["p99_ms"] > target.p99_ms:
        missed.append("p99")
    if label == "petition sign" and not row.get("consistent"):
        missed.append("lost/doubled")
    if row["ok"] < row["requests"] and label != "petition sign":
        missed.append("non-2xx")
    return "met" if not missed else "MISSED (" + ", ".join(missed) + ")"


def print_table(results: dict[str, dict[str, Any]], size: str) -> tuple[int, list[str]]:
    print(
        f"\nWeb benchmark, size {size}: wrk -t{THREADS} -c{CONNECTIONS}, `councils serve` in a subprocess\n"
    )
    header = [
        "backend",
        "data",
        "request",
        "req/s",
        "p50 ms",
        "p99 ms",
        "x ceiling",
        "cpu ms/req (server+db)",
        "target",
        "result",
    ]
    lines = [header]
    met, missed = 0, []
    for case, result in results.items():
        backend, dataset = case.split("/")
        if "skipped" in result:
            lines.append([backend, dataset, result["skipped"], "", "", "", "", "", "", ""])
            continue
        ceiling = result["rows"]["static"]["rps"]
        data = f"{dataset} ({result['members']:,} members)"
        for label in ORDER:
            row = result["rows"].get(label)
            if row is None:
                continue
            v = verdict(label, row, backend)
            if v == "met":
                met += 1
            elif v.startswith("MISSED"):
                missed.append(f"{backend}/{dataset} {label}")
            lines.append(
                [
                    f"{backend} x{result['workers']}",
                    data,
                    label,
                    f"{row['rps']:,.0f}",
                    f"{row['p50_ms']:,.1f}",
                    f"{row['p99_ms']:,.1f}",
                    "1" if label == "static" else f"{row['rps'] / ceiling:.3f}" if ceiling else "-",
                    f"{row.get('server_cpu_ms', 0):.2f}+{row.get('db_cpu_ms', 0):.2f}",
                    TARGETS[label].text if label in TARGETS else "(ceiling)",
                    v,
                ]
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()
    for case, result in results.items():
        if "skipped" in result:
            continue
        row = result["rows"].get("petition sign")
        if row is None:
            continue
        print(
            f"{case}: petition sign: {row['ok']:,} acknowledged (2xx) of {row['requests']:,} requests, "
            f"{row['signatures']:,} Signature rows and {row['events']:,} petition.signed events written "
            f"({row['in_flight']} answered after wrk stopped; "
            f"{'none lost or doubled' if row['consistent'] else 'LOST OR DOUBLED'}); answers {row['codes']}"
            + (f", first refusal {row['refused'][0][:200]}" if row["refused"] else "")
            + "; "
            f"{row['pairs']:,} signer/petition pairs"
            + (" (the list wrapped: re-signatures are refused)" if row["requests"] > row["pairs"] else "")
        )
        print(f"{case}: load average before/after {result['load'][0]:.2f}/{result['load'][1]:.2f}")
    return met, missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", choices=["small", "full"], default="full")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--dataset", choices=["demo", "org", "both"], help="default: both at full, demo at small"
    )
    parser.add_argument("--seconds", type=float, help="measured seconds per request (default 8; small 1)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per request (default 2; small 1)")
    parser.add_argument("--postgres-url", help=f"server URL without the database name (default {DEFAULT_PG})")
    parser.add_argument(
        "--skip-build", action="store_true", help="measure the data the last run built (new pairs only)"
    )
    parser.add_argument("--pairs", type=int, help="signer/petition pairs to prepare")
    parser.add_argument(
        "--only",
        action="append",
        choices=ORDER[1:],
        help="measure only this request (repeatable; static always)",
    )
    parser.add_argument("--build", choices=["demo", "org"], help=argparse.SUPPRESS)
    parser.add_argument("--fixtures", help=argparse.SUPPRESS)
    parser.add_argument("--keep-data", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    small = args.size == "small"
    args.seconds = args.seconds or (1.0 if small else 8.0)
    args.warmup = args.warmup or (1.0 if small else 2.0)
    args.pairs = args.pairs or (2_000 if small else 12_000)
    if args.build:
        build(args.build, args.size, Path(args.fixtures), args.pairs, load=not args.keep_data)
        return 0
    if shutil.which("wrk") is None:
        print("wrk is missing: install it (Debian: apt-get install -y wrk).")
        return 2
    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    datasets = (
        ["demo", "org"]
        if (args.dataset or ("demo" if small else "both")) == "both"
        else [args.dataset or "demo"]
    )
    results = {}
    for backend in backends:
        for dataset in datasets:
            results[f"{backend}/{dataset}"] = run_case(backend, dataset, args)
    met, missed = print_table(results, args.size)
    print(
        f"Summary (web, size {args.size}): {met} targets met, {len(missed)} missed"
        + (": " + "; ".join(missed) if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
