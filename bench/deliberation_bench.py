#!/usr/bin/env python
"""Benchmark of deliberation at the size of a congress, on PostgreSQL (or SQLite).

    PYTHONPATH=src .venv/bin/python bench/deliberation_bench.py [--size full|small] \
        [--backend postgres|sqlite]

The full size is the issue's: a congress of 2,000 delegates from 200 councils, with 300 motions and
1,000 amendments, a sitting with every delegate checked in, an agenda of 300 items, and a named vote
of every delegate on one motion on which every council below gave an instruction. The rows are
written in bulk (the services are measured by the tests; here the reads are). ``small`` is a tenth.

Measured in-process with Django's test client, signed in as a delegate (median of 10 after a
warm-up), with the number of queries of each page: the agenda (the sitting page), the projector, a
motion page with its amendments, the compliance report, the minutes page and PDF. The query counts
are taken at the chosen size and at half of it: a page whose count grows with the delegates says so.

PostgreSQL: a database of its own (``wdelib_bench``, or ``$DELIBERATION_BENCH_DB``), dropped and
recreated; SQLite: a file in ``bench/out/``. Times are wall-clock on this machine, for information.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")  # as in _server.py
PG = "postgresql://postgres@127.0.0.1:5432/"
PG_DB = os.environ.get("DELIBERATION_BENCH_DB", "wdelib_bench")


@dataclass(frozen=True)
class Size:
    councils: int
    delegates_per_council: int
    motions: int
    amendments: int


SIZES = {"full": Size(200, 10, 300, 1000), "small": Size(20, 10, 30, 100)}
TARGETS_MS = {"agenda page": 100, "motion page": 100, "compliance report": 100, "minutes PDF": 3000}


def _database(backend: str) -> str:
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "deliberation_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG + PG_DB


def build(size: Size, prefix: str) -> dict[str, object]:
    """Write a congress of ``size`` in bulk; return the objects the measures need."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from councils.deliberation.models import (
        AgendaItem,
        Amendment,
        AttendanceRecord,
        Decision,
        Instruction,
        Motion,
        Presence,
        RollCallVote,
        Sitting,
    )
    from councils.federation.models import (
        Affiliation,
        Constituency,
        Council,
        Faction,
        Member,
        Organization,
        Seat,
    )

    now = timezone.now()
    start = now - timedelta(days=30)
    org = Organization.objects.create(name=f"Bench {prefix}", slug=f"bench-{prefix}")
    factions = [
        Faction.objects.create(organization=org, name=n, short_name=n[:6], colour=c, position=i)
        for i, (n, c) in enumerate(
            [("Bolsheviks", "#c0392b"), ("Left SRs", "#e67e22"), ("Mensheviks", "#2980b9")]
        )
    ]
    top = Council.objects.create(organization=org, name="Congress", slug="congress", members_per_seat=100)
    children = Council.objects.bulk_create(
        [
            Council(
                organization=org, parent=top, name=f"Soviet {i:03d}", slug=f"soviet-{i}", members_per_seat=10
            )
            for i in range(size.councils)
        ]
    )
    constituencies = Constituency.objects.bulk_create(
        [
            Constituency(organization=org, council=c, name=f"Works of {c.name}", slug=f"works-{c.pk}")
            for c in children
        ]
    )
    n = size.councils * size.delegates_per_council
    users = User.objects.bulk_create([User(username=f"{prefix}-d{i}", password="!") for i in range(n)])
    members = Member.objects.bulk_create(
        [
            Member(
                organization=org,
                user=u,
                constituency=constituencies[i // size.delegates_per_council],
                name=f"Delegate {i:05d}",
                joined_at=start,
            )
            for i, u in enumerate(users)
        ]
    )
    below = Seat.objects.bulk_create(
        [
            Seat(
                organization=org,
                council=children[i // size.delegates_per_council],
                constituency=m.constituency,
                slot=i % size.delegates_per_council + 1,
                holder=m,
                start=start,
            )
            for i, m in enumerate(members)
        ]
    )
    above = Seat.objects.bulk_create(
        [
            Seat(
                organization=org,
                council=top,
                child_council_id=s.council_id,
                slot=i % size.delegates_per_council + 1,
                holder=s.holder,
                derives_from=s,
                start=start,
            )
            for i, s in enumerate(below)
        ]
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(
                seat=s, faction=factions[i % 3], council_id=s.council_id, organization=org, start=start
            )
            for i, s in enumerate(below + above)
        ]
    )
    chair = users[0]
    sitting = Sitting.objects.create(
        organization=org, council=top, kind=Sitting.Kind.CONGRESS, title="Second Congress", starts_at=start,
        place="Smolny", chair=chair, state=Sitting.State.OPEN, opened_at=start,
    )  # fmt: skip
    from councils.deliberation.models import Credential

    Credential.objects.bulk_create(
        [Credential(sitting=sitting, seat=s, status="accredited", checked_at=start) for s in above]
    )
    AttendanceRecord.objects.bulk_create(
        [AttendanceRecord(sitting=sitting, seat=s, present=True, at=start) for s in above]
    )
    Presence.objects.bulk_create(
        [Presence(sitting=sitting, seat=s, present=True, since=start) for s in above]
    )
    text = "\n".join(
        f"Paragraph {k} of the resolution, which the congress is asked to adopt." for k in range(1, 21)
    )
    motions = Motion.objects.bulk_create(
        [
            Motion(
                organization=org,
                council=top,
                number=k + 1,
                title=f"Resolution {k + 1}",
                text=text,
                submitted_at=start,
                faction=factions[k % 3],
                state=Motion.State.ON_AGENDA,
            )
            for k in range(size.motions)
        ]
    )
    # One motion carries a tenth of the amendments; the rest are spread over the others.
    heavy = motions[0]
    amendments = []
    for k in range(size.amendments):
        motion = heavy if k < size.amendments // 10 else motions[1 + k % (len(motions) - 1)]
        line = k % 20 + 1
        amendments.append(
            Amendment(
                motion=motion,
                number=k + 1,
                first_line=line,
                last_line=line,
                text=f"Amended paragraph {line}.",
                submitted_at=start,
                faction=factions[k % 3],
            )
        )
    Amendment.objects.bulk_create(amendments)
    items = AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                sitting=sitting, number=k + 1, kind="motion", title=m.title, motion=m, planned_seconds=600
            )
            for k, m in enumerate(motions)
        ]
    )
    items[0].state, items[0].started_at = AgendaItem.State.CURRENT, now
    items[0].save()
    sitting.current_item = items[0]
    sitting.save()
    voted = motions[1]
    Instruction.objects.bulk_create(
        [
            Instruction(
                organization=org,
                council=c,
                motion=voted,
                position=["yes", "no", "abstain"][i % 3],
                binding=False,
                adopted_at=start,
            )
            for i, c in enumerate(children)
        ]
    )
    decision = Decision.objects.create(
        organization=org,
        council=top,
        sitting=sitting,
        item=items[1],
        motion=voted,
        method="roll_call",
        yes=0,
        no=0,
        abstain=0,
        adopted=True,
        at=now,
    )
    RollCallVote.objects.bulk_create(
        [
            RollCallVote(decision=decision, seat=s, choice=["yes", "no", "abstain"][i % 2])
            for i, s in enumerate(above)
        ]
    )
    return {
        "org": org,
        "sitting": sitting,
        "heavy": heavy,
        "voted": voted,
        "viewer": users[1],
        "deputy": above[0].derives_from,
    }


def measure(world: dict[str, object], repeats: int) -> dict[str, tuple[float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    org, sitting = world["org"], world["sitting"]
    client = Client()
    client.force_login(world["viewer"])  # type: ignore[arg-type]
    base = f"/o/{org.slug}"  # type: ignore[attr-defined]
    pages = {
        "agenda page": f"{base}/sittings/{sitting.pk}/",  # type: ignore[attr-defined]
        "projector": f"{base}/sittings/{sitting.pk}/projector/",  # type: ignore[attr-defined]
        "motion page": f"{base}/motions/{world['heavy'].pk}/",  # type: ignore[attr-defined]
        "compliance report": f"{base}/motions/{world['voted'].pk}/compliance/",  # type: ignore[attr-defined]
        "delegate record": f"{base}/seats/{world['deputy'].pk}/record/",  # type: ignore[attr-defined]
        "minutes page": f"{base}/sittings/{sitting.pk}/minutes/",  # type: ignore[attr-defined]
        "minutes PDF": f"{base}/sittings/{sitting.pk}/minutes.pdf",  # type: ignore[attr-defined]
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        times, cpu = [], []
        for _ in range(repeats if "minutes" not in name else max(2, repeats // 5)):
            with CaptureQueriesContext(connection) as queries:
                t0, c0 = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
        results[name] = (statistics.median(times), statistics.median(cpu), len(queries.captured_queries))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _database(args.backend)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    os.environ.setdefault("COUNCILS_DATA_DIR", str(OUT))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    size = SIZES[args.size]
    half = Size(size.councils // 2, size.delegates_per_council, size.motions, size.amendments)
    t0 = time.perf_counter()
    small_world = build(half, "half")
    world = build(size, "full")
    print(f"built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    # Rows written in bulk: give the planner the statistics autovacuum would gather in a minute.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    at_half = measure(small_world, 2)
    results = measure(world, args.repeats)
    delegates = size.councils * size.delegates_per_council
    print(
        f"\nDeliberation benchmark, size {args.size} ({delegates} delegates from {size.councils} councils, "
        f"{size.motions} motions, {size.amendments} amendments), {args.backend}"
    )
    # On a shared machine the wall-clock time includes waiting for a core; the Python process's own
    # CPU time (PostgreSQL's work not included) shows the page's cost without that wait.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':<20} {'median ms':>10} {'cpu ms':>8} {'queries':>8} {'at half':>8} {'target':>16}")
    for name, (ms, cpu_ms, queries) in results.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else (f"<= {target}" + ("" if ms <= target else " MISSED"))
        print(f"{name:<20} {ms:>10.1f} {cpu_ms:>8.1f} {queries:>8} {at_half[name][2]:>8} {verdict:>16}")


if __name__ == "__main__":
    main()
