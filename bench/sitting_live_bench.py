#!/usr/bin/env python
"""Benchmark of a sitting's live updates: thousands of open projector pages, one change to the list
of speakers.

    .venv/bin/python bench/sitting_live_bench.py [--streams N] [--port P] [--rounds R]

Issue 11 asks that a change to the list of speakers reach 5,000 open projector and sitting pages
within 1 s. This builds, through the services, one organization whose council sits (its deputies
checked in, an item under discussion) and N signed-in members (the hall's screens and the
deputies' phones), starts the real server as ``councils serve --workers 2`` starts it on
PostgreSQL, opens N streams of the sitting's topic (``/o/<org>/live/?topic=sitting.<id>``, what the
projector and the sitting page open) with ``bench/live_bench.py``'s light client, then has a
deputy ask to speak (``speech_request`` in this process: PostgreSQL's NOTIFY carries it to the
server's workers) and times until ALL N streams have received the new state of the sitting
(``event: sitting``). Each round is another deputy asking.

It reuses ``bench/live_bench.py`` (the server, the client, the wait); the last line printed is a
one-line summary. Times are wall-clock on this shared 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import live_bench as lb  # noqa: E402  (the bench folder is not a package)

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/wdelibpolls_live"
ORG_SLUG = "sitting-bench"
DEPUTIES = 50
TARGET_S = 1.0


def build(members: int, streams: int) -> tuple[int, list[int], list[str]]:
    """The organization, its council of ``DEPUTIES`` seats, an open sitting with an item under
    discussion, and a signed-in session per stream. Returns the sitting's id, the users of the
    deputies (who will ask to speak), and the session keys."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from councils.accounts.actors import SYSTEM
    from councils.deliberation import services as deliberation
    from councils.federation import services
    from councils.federation.models import Member, Seat

    call_command("migrate", interactive=False, verbosity=0)
    org = services.organization_create(actor=SYSTEM, name="Sitting bench", slug=ORG_SLUG)
    a: dict[str, Any] = {"actor": SYSTEM, "organization": org}
    reds = services.faction_create(**a, name="Reds", colour="#b22222", position=0)
    council = services.council_create(
        **a, name="Bench Soviet", slug="soviet", seat_rule="ratio", members_per_seat=members // DEPUTIES
    )
    place = services.constituency_create(**a, council=council, name="Works", slug="works", section="workers")
    services.members_import(
        **a, rows=[(f"Member {i}", f"m{i}@bench.invalid", place.slug) for i in range(members)]
    )
    services.council_apportion(actor=SYSTEM, council=council)
    election = services.election_open(actor=SYSTEM, council=council, constituency=place)
    elected = list(Member.objects.filter(constituency=place).order_by("pk")[:DEPUTIES])
    services.election_declare(actor=SYSTEM, election=election, elected=[(m, reds) for m in elected])
    seats = list(Seat.objects.filter(council=council, end__isnull=True).select_related("holder__user"))
    sitting = deliberation.sitting_create(
        actor=SYSTEM,
        council=council,
        title="Bench sitting",
        starts_at=timezone.now(),
        place="Hall",
    )
    deliberation.attendance_record(actor=SYSTEM, sitting=sitting, seats=seats, present=True)
    deliberation.sitting_open(actor=SYSTEM, sitting=sitting)
    item = deliberation.agenda_item_add(actor=SYSTEM, sitting=sitting, kind="report", title="Report")
    deliberation.agenda_item_start(actor=SYSTEM, item=item)
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
    return sitting.pk, [s.holder.user_id for s in seats], [s.session_key for s in sessions]


def _ask_to_speak(sitting_id: int, user_id: int) -> None:
    """A deputy asks to speak, through the service (PostgreSQL NOTIFY carries it to the server)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from councils.deliberation import services as deliberation
    from councils.deliberation.models import Sitting

    try:
        sitting = Sitting.objects.get(pk=sitting_id)
        item = sitting.current_item
        assert item is not None
        deliberation.speech_request(actor=get_user_model().objects.get(pk=user_id), item=item)
    finally:
        connections.close_all()


async def measure(
    args: argparse.Namespace, sitting_id: int, speakers: list[int], cookies: list[str], env: dict[str, str]
) -> dict[str, Any]:
    from councils.live.publish import version_now

    result: dict[str, Any] = {}
    server = lb.start_server(env, args.port, 2)
    try:
        path = f"/o/{ORG_SLUG}/live/?topic=sitting.{sitting_id}&since={version_now()}"
        pages = lb.Pages(args.port, path, [lb.Page(c) for c in cookies])
        lb.log(f"opening {len(pages.pages)} streams")
        result["open_s"] = await lb.open_pages(pages)
        result["open_connected"] = pages.connected()
        lb.log(f"{result['open_connected']} streams open in {result['open_s']:.1f} s")
        await asyncio.sleep(2.0)
        rounds = []
        for i in range(args.rounds):
            for page in pages.pages:
                page.composition_at = 0.0
            pages.watching_since = sent = time.monotonic()
            await asyncio.to_thread(_ask_to_speak, sitting_id, speakers[i % len(speakers)])
            rounds.append(await lb.wait_for_compositions(pages, sent))
            lb.log(f"request to speak {i + 1}: on all pages in {rounds[-1]['all_s']:.3f} s")
            await asyncio.sleep(1.0)
        result["rounds"] = rounds
        pages.stop = True
        for task in pages.tasks:
            task.cancel()
        await asyncio.gather(*pages.tasks, return_exceptions=True)
    finally:
        await asyncio.to_thread(lb.stop_server, server)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--port", type=int, default=8560)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=os.environ.get("SITTING_BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    lb.MARK = b"event: sitting"  # the projector's and the sitting page's fragment
    members = max(args.streams, DEPUTIES * 2)
    members -= members % DEPUTIES
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data_dir = lb.OUT / "sitting-live"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="councils.settings",
        COUNCILS_DATA_DIR=str(data_dir),
        COUNCILS_LIVE_CHANNEL_PREFIX=f"sitting-bench-{os.getpid()}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        DATABASE_URL=args.postgres_url,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    lb._recreate_pg(args.postgres_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connections

    from councils.accounts.mail import quiet

    lb.log(f"building: {members} members, {args.streams} sessions")
    started = time.monotonic()
    with quiet():
        sitting_id, speakers, cookies = build(members, args.streams)
    connections.close_all()
    lb.log(f"built in {time.monotonic() - started:.1f} s")
    r = asyncio.run(measure(args, sitting_id, speakers, cookies, env))
    alls = [x["all_s"] for x in r["rounds"]]
    worst = max(alls)
    print(f"Sitting live-update benchmark, postgres, 2 workers, {args.streams} streams of a sitting")
    print(f"  streams opened: {r['open_connected']} in {r['open_s']:.1f} s")
    for i, x in enumerate(r["rounds"], 1):
        print(
            f"  request to speak {i}: the new list on all {x['received']} pages in "
            f"{x['all_s'] * 1000:.0f} ms (median {x['p50_s'] * 1000:.0f} ms)"
        )
    print(
        f"sitting_live_bench streams={args.streams}: worst of {len(alls)} "
        f"{worst * 1000:.0f} ms on all pages, "
        f"target {TARGET_S * 1000:.0f} ms: {lb._met(worst <= TARGET_S)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
