#!/usr/bin/env python
"""Benchmark of opening a poll of the whole organization: its electorate fixed in bulk.

    .venv/bin/python bench/electorate_bench.py [--members 100000] [--backend sqlite|postgres|both]

It builds, through the services, an organization of ``--members`` members in 20 constituencies
(``members_import``, without invitations), creates a motion of the whole organization and opens
it with ``services.poll_open`` (no mail sent: ``mail.quiet``), which copies the members into the
electorate with one ``INSERT ... SELECT``. It prints the opening's wall time, this process's CPU
time (the database server's is not in it on PostgreSQL) and its number of queries, and what the
poll's page costs an elector (time, size, queries); then, for
comparison, the same rows written the way a constituency's poll writes them (``Elector`` objects
built in Python, ``bulk_create`` in batches of 2,000) into a second poll, in the same run.

Each backend runs in its own process (Django reads ``DATABASE_URL`` once). SQLite lives in
``bench/out/electorate/``; PostgreSQL in ``--database`` (default ``councils_electorate_bench``,
dropped and made again). Times are wall-clock on a shared machine, for information only: compare
the two lines of one run as a ratio. No test asserts any of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import DEFAULT_PG, OUT, ROOT, bench_env, log, pg_recreate

CONSTITUENCIES = 20


def child(members: int) -> dict[str, float]:
    """Build the organization and measure, in this process (its DATABASE_URL set by the parent)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from councils.accounts.actors import SYSTEM
    from councils.federation import services as federation
    from councils.voting import services
    from councils.voting.models import Elector, Poll

    call_command("migrate", verbosity=0)
    org = federation.organization_create(actor=SYSTEM, name="Bench union", slug="bench-union")
    council = federation.council_create(
        actor=SYSTEM, organization=org, name="Congress", slug="congress", members_per_seat=1000
    )
    slugs = [f"branch-{i}" for i in range(CONSTITUENCIES)]
    for slug in slugs:
        federation.constituency_create(actor=SYSTEM, organization=org, council=council, name=slug, slug=slug)
    rows = [(f"Member {i}", f"m{i}@bench.example", slugs[i % CONSTITUENCIES]) for i in range(members)]
    started = time.perf_counter()
    federation.members_import(actor=SYSTEM, organization=org, rows=rows, invite=False)
    log(f"{members} members imported in {time.perf_counter() - started:.1f} s")

    def poll(title: str) -> Poll:
        return services.poll_create(
            actor=SYSTEM, organization=org, title=title, kind=Poll.Kind.MOTION, electorate_organization=True
        )

    opened = poll("Referendum of the membership")
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        services.poll_open(actor=SYSTEM, poll=opened)
    result = {
        "open_wall_s": time.perf_counter() - wall,
        "open_cpu_s": time.process_time() - cpu,
        "open_queries": len(queries),
        "electors": Elector.objects.filter(poll=opened).count(),
    }
    # The poll's page as an elector sees it (the electorate by constituency and by name).
    from django.test import Client

    from councils.federation.models import Member

    client = Client()
    client.force_login(Member.objects.filter(organization=org).order_by("pk").first().user)
    wall = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/o/{org.slug}/polls/{opened.pk}/")
    result |= {
        "page_wall_s": time.perf_counter() - wall,
        "page_bytes": len(page.content),
        "page_queries": len(queries),
        "page_status": page.status_code,
    }
    # The constituency poll's way, for comparison: Python objects and batched INSERTs.
    other = poll("The same rows written from Python")
    ids = list(Elector.objects.filter(poll=opened).values_list("member_id", flat=True))
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        Elector.objects.bulk_create(
            [Elector(poll=other, member_id=m, weight=1) for m in ids], batch_size=2000
        )
    result |= {
        "python_wall_s": time.perf_counter() - wall,
        "python_cpu_s": time.process_time() - cpu,
        "python_queries": len(queries),
    }
    return result


def run(backend: str, members: int, database: str) -> dict[str, float] | str:
    """Run the child for one backend; its figures, or why it could not run."""
    data_dir = OUT / "electorate" / backend
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    url = None
    if backend == "postgres":
        url = DEFAULT_PG + database
        reason = pg_recreate(url)
        if reason:
            return f"PostgreSQL unavailable: {reason}"
    env = bench_env(data_dir, url)
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--members", str(members)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return f"failed (exit {done.returncode})"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database", default="councils_electorate_bench")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from councils.accounts.mail import quiet

        # The opening's mail to 100,000 electors is another matter than fixing the electorate.
        with quiet():
            print(json.dumps(child(args.members)))
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"load: {os.getloadavg()[0]:.2f}; members: {args.members}")
    for backend in backends:
        found = run(backend, args.members, args.database)
        if isinstance(found, str):
            print(f"{backend}: {found}")
            continue
        print(
            f"{backend}: open {found['electors']:.0f} electors: {found['open_wall_s']:.2f} s wall, "
            f"{found['open_cpu_s']:.2f} s CPU, {found['open_queries']:.0f} queries; "
            f"from Python (bulk_create): {found['python_wall_s']:.2f} s wall, "
            f"{found['python_cpu_s']:.2f} s CPU, {found['python_queries']:.0f} queries; "
            f"wall ratio {found['python_wall_s'] / max(found['open_wall_s'], 1e-9):.1f}"
        )
        print(
            f"{backend}: the poll's page for an elector: HTTP {found['page_status']:.0f}, "
            f"{found['page_wall_s']:.2f} s, {found['page_bytes'] / 1e6:.1f} MB, "
            f"{found['page_queries']:.0f} queries"
        )


if __name__ == "__main__":
    main()
