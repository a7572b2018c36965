#!/usr/bin/env python
"""Benchmark of the federation at the size of a large organization, on SQLite and on PostgreSQL.

    .venv/bin/python bench/federation_bench.py [--size full|small] [--backend sqlite|postgres|both]

The full size is an organization of 100,000 members in 2,000 constituencies, 200 councils in three
levels (a congress, 10 city councils, 189 district councils) and about 5,000 seats with a year of
history (faction changes, resignations, recalls, petitions that fail, by-elections). Everything is
built through the services, as an operator would (``actor=SYSTEM`` is the system), at past dates:
structure, the members through ``councils import-members`` (or ``services.members_import`` when the
command is missing), the first seats through apportionment and elections, then the year.

It then measures, against the targets of the issue:

- the council page and its JSON API (median of 20 in-process requests by a signed-in member, after
  warm-up), and their number of queries on a council of N seats and one of 2N;
- ``selectors.composition_at`` at a past date, ``selectors.majority_map``;
- the ``services.petition_sign`` that reaches the threshold on a district deputy who is also a city
  delegate and a congress delegate (three levels end in one transaction);
- the import of the members from CSV.

Each backend runs in its own process (Django reads ``DATABASE_URL`` once); the parent prints one
table. SQLite lives in ``bench/out/`` (recreated at each run); PostgreSQL in a dedicated database
(``councils_bench``, dropped and recreated). ``--skip-build`` measures again on what the last run
built, for profiling (``--profile`` writes cProfile files to ``bench/out/``).

Times are wall-clock on this machine, for information: no test asserts any of them.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import heapq
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from councils.accounts.actors import SYSTEM
from councils.accounts.mail import quiet

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")  # as in _server.py
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/"
ORG_SLUG = "bench"
SLOT_MINUTES = 120  # the history's primary events start on a two-hour grid
SLOT = timedelta(minutes=SLOT_MINUTES)
FACTIONS = [
    ("Bolsheviks", "Bolsh.", "#c0392b"),
    ("Left Socialist Revolutionaries", "Left SR", "#e67e22"),
    ("Socialist Revolutionaries", "SR", "#27ae60"),
    ("Mensheviks", "Mensh.", "#2980b9"),
    ("Anarchists", "Anarch.", "#2c3e50"),
]


@dataclass(frozen=True)
class Size:
    """The shape of the organization built."""

    members: int
    constituencies: int
    cities: int
    districts: int
    seats_target: int
    city_seats: tuple[int, int]  # N and 2N: cities alternate between the two
    congress_seats: int
    faction_changes: int
    resignations: int
    recalls: int
    failed_petitions: int
    cascades: int  # three-level recalls timed at the end
    requests: int  # timed requests per URL


SIZES = {
    "full": Size(
        members=100_000,
        constituencies=2_000,
        cities=10,
        districts=189,
        seats_target=5_000,
        city_seats=(60, 120),
        congress_seats=150,
        faction_changes=500,
        resignations=250,
        recalls=150,
        failed_petitions=100,
        cascades=7,
        requests=20,
    ),
    "small": Size(
        members=2_000,
        constituencies=40,
        cities=2,
        districts=9,
        seats_target=200,
        city_seats=(20, 40),
        congress_seats=12,
        faction_changes=20,
        resignations=10,
        recalls=6,
        failed_petitions=4,
        cascades=2,
        requests=10,
    ),
}

TARGETS_MS = {
    "page": 100.0,
    "api": 100.0,
    "composition_at": 50.0,
    "majority_map": 200.0,
    "cascade": 50.0,
    "import": 30_000.0,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# =================================================================================================
# The parent: one worker process per backend, then the table.
# =================================================================================================


def _pg_admin_url(url: str) -> tuple[str, str]:
    """The URL of the maintenance database beside ``url``, and the benchmark database's name."""
    base, _sep, name = url.rpartition("/")
    return f"{base}/postgres", name


def _pg_recreate(url: str) -> str | None:
    """Drop and create the benchmark database; the reason it cannot be done, or None."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return "psycopg is not installed"
    admin, name = _pg_admin_url(url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def _pg_reachable(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any] | None:
    """Run the worker for one backend in its own process; its results, or None when skipped."""
    data_dir = OUT / f"{backend}-{args.size}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="councils.settings",
        COUNCILS_DATA_DIR=str(data_dir),
        # django.test.Client speaks as "testserver".
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    if backend == "postgres":
        url = args.postgres_url or DEFAULT_PG + (
            "councils_bench" if args.size == "full" else "councils_bench_small"
        )
        problem = _pg_reachable(url) if args.skip_build else _pg_recreate(url)
        if problem:
            print(f"PostgreSQL skipped: {url} is not reachable ({problem}).", flush=True)
            return None
        env["DATABASE_URL"] = url
    elif not args.skip_build:
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    result_file = data_dir / "result.json"
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        backend,
        "--size",
        args.size,
        "--result",
        str(result_file),
    ]
    if args.skip_build:
        command.append("--skip-build")
    if args.profile:
        command.append("--profile")
    log(f"{backend}: building and measuring at size {args.size} (data in {data_dir})")
    completed = subprocess.run(command, env=env, cwd=ROOT, check=False)
    if completed.returncode != 0 or not result_file.exists():
        print(f"{backend}: the worker failed (exit {completed.returncode}).", flush=True)
        return {"failed": True}
    return json.loads(result_file.read_text())


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.1f} ms"


ROWS = [
    # key, label, target key
    ("page_2n_ms", "council page, city of 2N seats (median)", "page"),
    ("page_congress_ms", "council page, congress (median)", "page"),
    ("api_2n_ms", "composition API, city of 2N seats (median)", "api"),
    ("api_congress_ms", "composition API, congress (median)", "api"),
    ("composition_at_ms", "composition_at, past date, largest council", "composition_at"),
    ("majority_map_ms", "majority_map, whole organization, now", "majority_map"),
    ("majority_map_past_ms", "majority_map, whole organization, past date", "majority_map"),
    ("cascade_ms", "recall cascading 3 levels (median)", "cascade"),
    ("cascade_max_ms", "recall cascading 3 levels (slowest)", "cascade"),
    ("import_ms", "import members from CSV", "import"),
]


def print_table(results: dict[str, dict[str, Any] | None], size: str) -> bool:
    """Print the table; True when every measured figure met its target."""
    backends = ["sqlite", "postgres"]
    header = ["measure", "SQLite", "PostgreSQL", "target", "met?"]
    lines: list[list[str]] = []
    all_met = True
    for key, label, target_key in ROWS:
        target = TARGETS_MS[target_key]
        figures = []
        verdicts = []
        for b in backends:
            r = results.get(b)
            value = r.get(key) if r and not r.get("failed") else None
            figures.append(_ms(value))
            if value is not None:
                met = value <= target
                all_met &= met
                verdicts.append(("met" if met else "MISSED") + ("" if len(backends) == 1 else f" ({b[:2]})"))
        if key == "import_ms":
            label += " (" + _first(results, "import_via", "not run: --skip-build") + ")"
        lines.append([label, *figures, f"<= {_ms(target)}", ", ".join(verdicts) or "n/a"])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"

    print()
    print(f"Federation benchmark, size {size}")
    print(fmt(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in lines:
        print(fmt(row))

    print()
    print("Queries per request (constant when the seats double?)")
    q_header = ["request", "backend", "N seats", "queries at N", "2N seats", "queries at 2N", "constant?"]
    q_lines = []
    for b in backends:
        r = results.get(b)
        if not r or r.get("failed"):
            continue
        for what in ("page", "api"):
            qn, q2n = r.get(f"{what}_queries_n"), r.get(f"{what}_queries_2n")
            same = "n/a" if qn is None else ("yes" if qn == q2n else "NO")
            if qn is not None and qn != q2n:
                all_met = False
            q_lines.append(
                [
                    "council page" if what == "page" else "composition API",
                    b,
                    str(r.get("seats_n")),
                    str(qn if qn is not None else "n/a"),
                    str(r.get("seats_2n")),
                    str(q2n if q2n is not None else "n/a"),
                    same,
                ]
            )
    q_widths = [max(len(row[i]) for row in [q_header, *q_lines]) for i in range(len(q_header))]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(q_header, q_widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in q_widths) + "|")
    for row in q_lines:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, q_widths, strict=True)) + " |")

    for b in backends:
        r = results.get(b)
        if not r or r.get("failed"):
            continue
        print()
        print(f"{b}: built {r['counts_text']}")
        print(f"{b}: build took {r['build_text']}")
        for note in r.get("notes", []):
            print(f"{b}: {note}")
    return all_met


def _first(results: dict[str, dict[str, Any] | None], key: str, default: str) -> str:
    for r in results.values():
        if r and not r.get("failed") and r.get(key):
            return str(r[key])
    return default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="PostgreSQL database to drop and recreate (default: councils_bench on 127.0.0.1)",
    )
    parser.add_argument("--skip-build", action="store_true", help="measure what the last run built")
    parser.add_argument("--profile", action="store_true", help="write cProfile files to bench/out/")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        # The bench's members do not exist: no invitation or notification is sent for them.
        with quiet():
            return worker(args)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = {b: run_backend(b, args) for b in backends}
    if all(r is None or r.get("failed") for r in results.values()):
        print("No backend could be measured.")
        return 1
    all_met = print_table(results, args.size)
    print()
    if args.profile:
        print("Timings taken under cProfile (--profile): about twice the real ones; do not quote them.")
    print("Every target met." if all_met else "Some targets missed: see the table.")
    return 1 if any(r and r.get("failed") for r in results.values()) else 0


# =================================================================================================
# The worker: build, then measure, in one process per backend.
# =================================================================================================


class Clock:
    """Wall-clock durations of the build's phases."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        log(f"  {name} ...")
        start = time.perf_counter()
        yield
        self.phases[name] = time.perf_counter() - start
        log(f"  {name}: {self.phases[name]:.1f} s")


def _median_ms(fn: Callable[[], Any], *, repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` uneven positive sizes (a factory next to a workshop)."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    # Hand the rounding remainder out one by one so the sizes add up exactly.
    i = 0
    while sum(sizes) < total:
        sizes[i % parts] += 1
        i += 1
    while sum(sizes) > total:
        if sizes[i % parts] > 1:
            sizes[i % parts] -= 1
        i += 1
    return sizes


def _blocks(n: int, groups: int) -> list[range]:
    """``range(n)`` cut into ``groups`` contiguous blocks of near-equal length."""
    return [range(g * n // groups, (g + 1) * n // groups) for g in range(groups)]


class Builder:
    """Builds the organization through the services and plays its year of history."""

    def __init__(self, size: Size, data_dir: Path, clock: Clock) -> None:
        from django.utils import timezone

        self.size = size
        self.data_dir = data_dir
        self.clock = clock
        self.rng = random.Random(1917)
        self.now = timezone.now()
        # The year of history ends a day before now; terms (365 days) end a day after now.
        self.t0 = self.now - timedelta(days=366)
        self.notes: list[str] = []
        self.skipped: dict[str, int] = defaultdict(int)
        self.changes: dict[str, int] = defaultdict(int)

    def day(self, d: float) -> datetime:
        return self.t0 + timedelta(days=d)

    # --- structure -------------------------------------------------------------------------------

    def structure(self) -> None:
        from councils.federation import services

        s, rng = self.size, self.rng
        self.org = services.organization_create(actor=SYSTEM, name="Bench Federation", slug=ORG_SLUG)
        self.factions = [
            services.faction_create(
                actor=SYSTEM,
                organization=self.org,
                name=n,
                short_name=sn,
                colour=c,
                position=i,
                at=self.day(0),
            )
            for i, (n, sn, c) in enumerate(FACTIONS)
        ]
        self.sizes = _spread(s.members, s.constituencies, rng)
        upper_seats = sum(s.city_seats[i % 2] for i in range(s.cities)) + s.congress_seats
        district_target = s.seats_target - upper_seats
        # One deputy per this many members, so that the district seats come near the target.
        self.members_per_seat = min(
            range(2, 500), key=lambda m: abs(sum(max(1, z // m) for z in self.sizes) - district_target)
        )
        a = {"actor": SYSTEM, "organization": self.org, "at": self.day(0)}
        self.congress = services.council_create(
            **a,
            name="Congress of Councils",
            slug="congress",
            seat_rule="fixed",
            total_seats=s.congress_seats,
            apportionment_method="sainte-lague",
        )
        self.cities = [
            services.council_create(
                **a,
                name=f"City Council {i + 1:02d}",
                slug=f"city-{i + 1:02d}",
                parent=self.congress,
                seat_rule="fixed",
                total_seats=s.city_seats[i % 2],
            )
            for i in range(s.cities)
        ]
        self.city_of_district: dict[int, Any] = {}
        self.districts = []
        for city, block in zip(self.cities, _blocks(s.districts, s.cities), strict=True):
            for j in block:
                district = services.council_create(
                    **a,
                    name=f"District Council {j + 1:03d}",
                    slug=f"district-{j + 1:03d}",
                    parent=city,
                    seat_rule="ratio",
                    members_per_seat=self.members_per_seat,
                )
                self.districts.append(district)
                self.city_of_district[district.pk] = city
        self.constituencies = []
        for district, block in zip(self.districts, _blocks(s.constituencies, s.districts), strict=True):
            for k in block:
                soldiers = k % 5 == 4
                self.constituencies.append(
                    services.constituency_create(
                        **a,
                        council=district,
                        name=f"{'Garrison' if soldiers else 'Works'} {k + 1:04d}",
                        slug=f"c-{k + 1:04d}",
                        section="soldiers" if soldiers else "workers",
                    )
                )
        # Each city leans towards one faction, so that majorities differ across the map.
        self.leaning = {city.pk: self.factions[i % 3] for i, city in enumerate(self.cities)}

    # --- members ---------------------------------------------------------------------------------

    def members(self) -> tuple[float, str]:
        """Import the members from a CSV file; the time it took in ms and how it was run."""
        from django.db import connections

        from councils.federation import services

        path = self.data_dir / "members.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["name", "email", "constituency"])
            n = 0
            for constituency, count in zip(self.constituencies, self.sizes, strict=True):
                for _ in range(count):
                    n += 1
                    w.writerow([f"Member {n:06d}", f"member{n:06d}@bench.example.org", constituency.slug])
        command_file = ROOT / "src/councils/federation/management/commands/import_members.py"
        if command_file.exists():
            script = Path(sys.executable).parent / "councils"
            cmd = [str(script)] if script.exists() else [sys.executable, "-m", "councils.cli"]
            connections.close_all()  # the command writes from its own process
            start = time.perf_counter()
            done = subprocess.run(
                [*cmd, "import-members", "--no-invite", ORG_SLUG, str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = (time.perf_counter() - start) * 1000
            if done.returncode != 0:
                raise RuntimeError(f"councils import-members failed:\n{done.stdout}\n{done.stderr}")
            self.notes.append(
                "members imported by the real command `councils import-members` in a subprocess "
                "(the time includes starting Python and Django); their joined_at is the import "
                "moment, as the command takes no date"
            )
            return elapsed, "councils import-members"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))[1:]
        start = time.perf_counter()
        services.members_import(actor=SYSTEM, organization=self.org, rows=rows, first_line=2, at=self.day(0))
        elapsed = (time.perf_counter() - start) * 1000
        self.notes.append("members imported by services.members_import (the command does not exist yet)")
        return elapsed, "services.members_import"

    # --- first elections -------------------------------------------------------------------------

    def _faction_for(self, district_id: int) -> Any:
        leaning = self.leaning[self.city_of_district[district_id].pk]
        if self.rng.random() < 0.55:
            return leaning
        return self.rng.choice(self.factions)

    def elections(self) -> None:
        from councils.federation import services
        from councils.federation.models import Member, Seat

        self.member_ids: dict[int, list[int]] = defaultdict(list)
        for pk, cid in (
            Member.objects.filter(organization=self.org).order_by("pk").values_list("pk", "constituency_id")
        ):
            self.member_ids[cid].append(pk)
        for council in [*self.districts, *self.cities, self.congress]:
            services.council_apportion(actor=SYSTEM, council=council, at=self.day(1))
        for c in self.constituencies:
            election = services.election_open(actor=SYSTEM, council=c.council, constituency=c, at=self.day(1))
            chosen = Member.objects.in_bulk(self.rng.sample(self.member_ids[c.pk], election.seats))
            services.election_declare(
                actor=SYSTEM,
                election=election,
                elected=[(m, self._faction_for(c.council_id)) for m in chosen.values()],
                at=self.day(2),
            )
        for level, (parents, day) in enumerate(((self.cities, 3), ([self.congress], 4))):
            for parent in parents:
                for child in parent.children.all():
                    election = services.election_open(
                        actor=SYSTEM, council=parent, child_council=child, at=self.day(day)
                    )
                    holders = list(
                        Seat.objects.filter(council=child, end__isnull=True)
                        .order_by("pk")
                        .values_list("holder_id", flat=True)
                    )
                    chosen = Member.objects.in_bulk(self.rng.sample(holders, election.seats))
                    services.election_declare(
                        actor=SYSTEM,
                        election=election,
                        elected=[(m, None) for m in chosen.values()],
                        at=self.day(day) + timedelta(hours=level + 1),
                    )

    # --- the year --------------------------------------------------------------------------------

    def history(self) -> None:
        """A year of faction changes, resignations, recalls, failed petitions and by-elections,
        played in time order (each service is called at its own moment)."""
        s, rng = self.size, self.rng
        kinds = (
            ["faction"] * s.faction_changes
            + ["resign"] * s.resignations
            + ["recall"] * s.recalls
            + ["petition"] * s.failed_petitions
        )
        rng.shuffle(kinds)
        # Primary events at least two hours apart between day 5 and day 350; by-elections follow.
        span = (350 - 5) * 24 * 60
        minutes = sorted(rng.sample(range(0, span, SLOT_MINUTES), len(kinds)))
        queue: list[tuple[datetime, int, str, Any]] = [
            (self.day(5) + timedelta(minutes=m), i, kind, None)
            for i, (m, kind) in enumerate(zip(minutes, kinds, strict=True))
        ]
        heapq.heapify(queue)
        seq = len(queue)
        while queue:
            at, _i, kind, payload = heapq.heappop(queue)
            opened = getattr(self, f"_event_{kind}")(at, payload)
            for election_id, level in opened:
                # By-elections are declared one to two weeks later, lower levels first, at 90
                # minutes past a two-hour slot: a petition's signatures (at most an hour from its
                # slot) never interleave with them, so every service runs in time order.
                target = at + timedelta(days=rng.uniform(7, 14))
                slot = (target - self.day(5)) // SLOT
                when = self.day(5) + slot * SLOT + timedelta(minutes=90 + 5 * level)
                seq += 1
                heapq.heappush(queue, (when, seq, "by_election", election_id))

    def _open_by_elections(self, at: datetime) -> list[tuple[int, int]]:
        from councils.federation.models import Election

        level = {self.congress.pk: 2, **{c.pk: 1 for c in self.cities}}
        return [
            (pk, level.get(council_id, 0))
            for pk, council_id in Election.objects.filter(
                organization=self.org, kind="by_election", status="open", opened_at=at
            )
            .order_by("pk")
            .values_list("pk", "council_id")
        ]

    def _random_open_seat(self, *, district_level: bool = True) -> Any:
        from councils.federation.models import Seat

        qs = Seat.objects.filter(organization=self.org, end__isnull=True)
        if district_level:
            qs = qs.filter(constituency__isnull=False)
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        return Seat.objects.select_related("council", "constituency").get(pk=self.rng.choice(ids))

    def _signers(self, constituency_id: int, exclude: set[int], n: int) -> list[Any]:
        from councils.federation.models import Member

        pool = [pk for pk in self.member_ids[constituency_id] if pk not in exclude]
        chosen = self.rng.sample(pool, min(n, len(pool)))
        by_id = Member.objects.select_related("user").in_bulk(chosen)
        return [by_id[pk] for pk in chosen]

    def _event_faction(self, at: datetime, _payload: Any) -> list[tuple[int, int]]:
        from django.core.exceptions import ValidationError

        from councils.federation import services

        # One change in five is a delegate's, so that the upper councils move too.
        seat = self._random_open_seat(district_level=self.rng.random() < 0.8)
        others = [f for f in self.factions if f.pk != seat.faction_id]
        try:
            services.deputy_change_faction(
                actor=SYSTEM, member=seat.holder, faction=self.rng.choice(others), at=at
            )
            self.changes["faction changes"] += 1
        except ValidationError:
            self.skipped["faction change"] += 1
        return []

    def _event_resign(self, at: datetime, _payload: Any) -> list[tuple[int, int]]:
        from councils.federation import services

        seat = self._random_open_seat()
        services.seat_resign(actor=SYSTEM, seat=seat, at=at)
        self.changes["resignations"] += 1
        return self._open_by_elections(at)

    def _petition(self, at: datetime, signatures: int | None) -> list[tuple[int, int]]:
        """Open a petition against a random district deputy and sign it ``signatures`` times in
        all (None: up to the threshold); the by-elections a recall opened."""
        from django.core.exceptions import ValidationError

        from councils.federation import services

        seat = self._random_open_seat()
        members = self._signers(
            seat.constituency_id, {seat.holder_id}, len(self.member_ids[seat.constituency_id])
        )
        try:
            petition = services.petition_open(actor=members[0].user, seat=seat, reason="Bench", at=at)
        except ValidationError:  # a petition is already open against this deputy
            self.skipped["petition"] += 1
            return []
        wanted = petition.required if signatures is None else min(signatures, petition.required - 1)
        outcome = None
        for k, member in enumerate(members[1:wanted], start=1):
            outcome = services.petition_sign(
                actor=member.user, petition=petition, at=at + timedelta(minutes=k)
            )
        if outcome is not None and outcome.recalled:
            self.changes["recalls"] += 1
            return self._open_by_elections(at + timedelta(minutes=wanted - 1))
        self.changes["petitions that failed"] += 1
        return []

    def _event_recall(self, at: datetime, _payload: Any) -> list[tuple[int, int]]:
        return self._petition(at, None)

    def _event_petition(self, at: datetime, _payload: Any) -> list[tuple[int, int]]:
        return self._petition(at, self.rng.randint(2, 8))

    def _event_by_election(self, at: datetime, election_id: int) -> list[tuple[int, int]]:
        from councils.federation import services
        from councils.federation.models import Election, Member, Seat

        election = Election.objects.select_related("council").get(pk=election_id)
        if election.status != Election.Status.OPEN:
            return []
        if election.constituency_id is not None:
            holders = set(
                Seat.objects.filter(council=election.council, end__isnull=True).values_list(
                    "holder_id", flat=True
                )
            )
            pool = [pk for pk in self.member_ids[election.constituency_id] if pk not in holders]
            member = Member.objects.get(pk=self.rng.choice(pool))
            faction = self._faction_for(election.council_id)
        else:
            # A deputy of the child council who is not already its delegate.
            delegated = set(
                Seat.objects.filter(
                    council=election.council, end__isnull=True, child_council_id=election.child_council_id
                ).values_list("derives_from_id", flat=True)
            )
            candidates = [
                holder
                for pk, holder in Seat.objects.filter(council_id=election.child_council_id, end__isnull=True)
                .order_by("pk")
                .values_list("pk", "holder_id")
                if pk not in delegated
            ]
            if not candidates:
                self.skipped["by-election without candidate"] += 1
                return []
            member = Member.objects.get(pk=self.rng.choice(candidates))
            faction = None
        services.election_declare(actor=SYSTEM, election=election, elected=[(member, faction)], at=at)
        self.changes["by-elections declared"] += 1
        return []


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    import django

    django.setup()


def _counts_text() -> str:
    from councils.audit.models import Event
    from councils.federation.models import Constituency, Council, Election, Member, RecallPetition, Seat

    now_open = Seat.objects.filter(end__isnull=True).count()
    return (
        f"{Member.objects.count():,} members, {Constituency.objects.count():,} constituencies, "
        f"{Council.objects.count():,} councils, {now_open:,} open seats "
        f"({Seat.objects.count():,} seat rows over the year), {Election.objects.count():,} elections, "
        f"{RecallPetition.objects.count():,} petitions, {Event.objects.count():,} audit events"
    )


def worker(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import call_command
    from django.db import connection

    size = SIZES[args.size]
    data_dir = Path(os.environ["COUNCILS_DATA_DIR"])
    (data_dir / "static").mkdir(exist_ok=True)  # WhiteNoise warns when STATIC_ROOT is missing
    clock = Clock()
    result: dict[str, Any] = {"backend": args.worker, "size": asdict(size)}
    notes: list[str] = []
    build_start = time.perf_counter()
    if not args.skip_build:
        with clock.phase("migrate"):
            call_command("migrate", verbosity=0, interactive=False)
        builder = Builder(size, data_dir, clock)
        with clock.phase("structure (organization, factions, councils, constituencies)"):
            builder.structure()
        with clock.phase("members (CSV import)"):
            result["import_ms"], result["import_via"] = builder.members()
        with clock.phase("apportionment and first elections"):
            builder.elections()
        with clock.phase("a year of history"):
            builder.history()
        notes += builder.notes
        notes.append(f"one district deputy per {builder.members_per_seat} members")
        notes.append(
            "history: "
            + ", ".join(f"{n:,} {k}" for k, n in sorted(builder.changes.items()))
            + (
                "; skipped: " + ", ".join(f"{n} {k}" for k, n in sorted(builder.skipped.items()))
                if builder.skipped
                else ""
            )
        )
        total = time.perf_counter() - build_start
        result["build_text"] = (
            f"{total:,.0f} s ("
            + ", ".join(f"{name.split(' (')[0]} {secs:,.0f} s" for name, secs in clock.phases.items())
            + ")"
        )
    else:
        result["build_text"] = "skipped (--skip-build)"
    if connection.vendor == "postgresql":
        # A database in use has been vacuumed and analyzed by autovacuum, and is not flushing the
        # WAL of a five-minute write burst: measuring right after the build measured autovacuum
        # and the checkpointer competing for the two cores (figures up to twice as slow).
        # SQLite has no planner statistics unless someone runs ANALYZE, which Councils does not:
        # it is measured as it is.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            try:
                cursor.execute("CHECKPOINT")
            except Exception:  # CHECKPOINT needs a superuser or pg_checkpoint; the run goes on
                notes.append("PostgreSQL: CHECKPOINT refused (not a superuser)")
        notes.append("PostgreSQL: VACUUM ANALYZE and CHECKPOINT run between the build and the measures")
    result["counts_text"] = _counts_text()
    log("  measuring ...")
    load_before = os.getloadavg()[0]
    result.update(measure(size, data_dir, args.profile, notes))
    # The machine may be shared: say how busy it was, so that a slow figure can be judged.
    notes.append(
        f"load average (1 min) on {os.cpu_count()} cores: {load_before:.2f} before the measures, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    result["notes"] = notes
    Path(args.result).write_text(json.dumps(result, indent=2, default=str))
    log("  done")
    return 0


# =================================================================================================
# Measurements
# =================================================================================================


@contextmanager
def _profiled(enabled: bool, path: Path) -> Iterator[None]:
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(str(path))


def measure(size: Size, data_dir: Path, profile: bool, notes: list[str]) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from councils.federation import selectors
    from councils.federation.models import Council, Member, Organization, Seat

    out: dict[str, Any] = {}
    org = Organization.objects.get(slug=ORG_SLUG)
    now = timezone.now()
    congress = Council.objects.get(organization=org, parent__isnull=True)
    cities = list(Council.objects.filter(parent=congress).order_by("slug"))
    open_seats = dict(
        Seat.objects.filter(organization=org, end__isnull=True)
        .values_list("council_id")
        .annotate(n=Count("id"))
        .values_list("council_id", "n")
    )
    city_n = next(c for c in cities if c.total_seats == size.city_seats[0])
    city_2n = next(c for c in cities if c.total_seats == size.city_seats[1])
    out["seats_n"], out["seats_2n"] = open_seats.get(city_n.pk, 0), open_seats.get(city_2n.pk, 0)
    out["seats_congress"] = open_seats.get(congress.pk, 0)

    viewer = Member.objects.filter(organization=org).select_related("user").order_by("pk").first()
    assert viewer is not None
    client = Client()
    client.force_login(viewer.user)

    def page_url(c: Council) -> str:
        return f"/o/{org.slug}/councils/{c.slug}/"

    def api_url(c: Council) -> str:
        return f"/api/organizations/{org.slug}/councils/{c.slug}/composition"

    for what, url_of in (("page", page_url), ("api", api_url)):
        status = client.get(url_of(city_n)).status_code
        if status != 200:
            notes.append(f"{what} {url_of(city_n)} answered {status}: not measured")
            continue
        for council, key in ((city_n, "n"), (city_2n, "2n")):
            url = url_of(council)
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            out[f"{what}_queries_{key}"] = len(ctx.captured_queries)
            if key == "2n":
                (data_dir / f"queries-{what}-2n.sql").write_text(
                    "\n".join(q["sql"] for q in ctx.captured_queries) + "\n"
                )
        for council, key in ((city_2n, "2n"), (congress, "congress")):
            url = url_of(council)
            with _profiled(profile, data_dir / f"profile-{what}-{key}.prof"):
                out[f"{what}_{key}_ms"] = _median_ms(lambda url=url: client.get(url), repeat=size.requests)

    largest = city_2n if out["seats_2n"] >= out["seats_congress"] else congress
    past = now - timedelta(days=180)
    with _profiled(profile, data_dir / "profile-composition_at.prof"):
        out["composition_at_ms"] = _median_ms(
            lambda: selectors.composition_at(council=largest, at=past), repeat=size.requests
        )
    notes.append(
        f"composition_at measured on {largest.name} at {past:%Y-%m-%d}; pages on "
        f"{city_n.name} ({out['seats_n']} seats, N), {city_2n.name} ({out['seats_2n']} seats, 2N), "
        f"{congress.name} ({out['seats_congress']} seats)"
    )
    with _profiled(profile, data_dir / "profile-majority_map.prof"):
        out["majority_map_ms"] = _median_ms(
            lambda: selectors.majority_map(organization=org), repeat=size.requests
        )
    out["majority_map_past_ms"] = _median_ms(
        lambda: selectors.majority_map(organization=org, at=past), repeat=size.requests
    )
    cascade = _measure_cascade(org, congress, size.cascades, data_dir, profile)
    out.update(cascade)
    if cascade.get("cascade_note"):
        notes.append(cascade.pop("cascade_note"))
    return out


def _measure_cascade(org: Any, congress: Any, k: int, data_dir: Path, profile: bool) -> dict[str, Any]:
    """Time the signature that reaches the threshold on district deputies who are city and congress
    delegates: their three seats end and three by-elections open in one transaction."""
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from councils.federation import services
    from councils.federation.models import Member, Seat

    chains = list(
        Seat.objects.filter(
            council=congress,
            end__isnull=True,
            derives_from__end__isnull=True,
            derives_from__derives_from__end__isnull=True,
            derives_from__derives_from__constituency__isnull=False,
        )
        .order_by("pk")
        .values_list("derives_from__derives_from_id", "derives_from_id", "pk")
    )
    rng = random.Random(1918)
    rng.shuffle(chains)
    times: list[float] = []
    queries: list[int] = []
    for district_seat_id, city_seat_id, congress_seat_id in chains:
        if len(times) >= k:
            break
        seat = Seat.objects.select_related("council", "constituency").get(pk=district_seat_id)
        signers = list(
            Member.objects.filter(constituency_id=seat.constituency_id, left_at__isnull=True)
            .exclude(pk=seat.holder_id)
            .select_related("user")
            .order_by("pk")
        )
        try:
            petition = services.petition_open(actor=signers[0].user, seat=seat, reason="Bench cascade")
        except ValidationError:  # an open petition already stands against this deputy: take another
            continue
        if petition.required < 2 or len(signers) < petition.required:
            continue
        for member in signers[1 : petition.required - 1]:
            services.petition_sign(actor=member.user, petition=petition)
        last = signers[petition.required - 1]
        with (
            CaptureQueriesContext(connection) as ctx,
            _profiled(profile and not times, data_dir / "profile-cascade.prof"),
        ):
            start = time.perf_counter()
            outcome = services.petition_sign(actor=last.user, petition=petition)
            elapsed = (time.perf_counter() - start) * 1000
        chain = (district_seat_id, city_seat_id, congress_seat_id)
        ended = Seat.objects.filter(pk__in=chain, end__isnull=False, end_reason__in=["recall", "derived"])
        if not (outcome.recalled and ended.count() == 3):
            raise RuntimeError(f"the recall of seat {seat.pk} did not cascade three levels")
        times.append(elapsed)
        queries.append(len(ctx.captured_queries))
        if len(times) == 1:
            (data_dir / "queries-cascade.sql").write_text(
                "\n".join(q["sql"] for q in ctx.captured_queries) + "\n"
            )
    if not times:
        return {"cascade_note": "no district deputy who is a congress delegate was found"}
    return {
        "cascade_ms": statistics.median(times),
        "cascade_max_ms": max(times),
        "cascade_note": (
            f"recall cascade: {len(times)} recalls of district deputies who are city and congress "
            f"delegates, {min(queries)}-{max(queries)} queries each "
            f"(times: {', '.join(f'{t:.1f}' for t in times)} ms)"
        ),
    }


if __name__ == "__main__":
    # Run from a checkout: make ``councils`` importable without installing (it is, in the venv).
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
