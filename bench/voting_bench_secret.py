"""``voting_bench.py --kind secret``: the congress votes in a secret poll (kept apart from the open
cast's code so that both can change without touching each other).

The congress is built as for the open poll; then a committee of three trustees (played by the
crypto library: the delegates 1-3) runs its ceremony, a secret yes/no/abstain poll opens, and every
delegate's ballot is encrypted and proved beforehand in worker processes (as the booth does in the
browser). wrk posts each ballot with the delegate's token and key; an answer counts when its
tracker is the one sent. Then the database is read (lost, doubled), and the poll is closed and
decrypted by two trustees in a child process, timing the last trustee's factors until the result
(the issue's "the result within 2 s of the last trustee's factors").
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")

CHOICES = ([1, 0, 0], [0, 1, 0], [0, 0, 1])


def _encrypt(args: tuple[str, str, int, int]) -> list[tuple[str, str]]:
    """Ballots ``start``..``stop`` (canonical JSON and tracker), in a worker process."""
    fingerprint, key_hex, start, stop = args
    from councils.voting.crypto.ballot import Question, ballot_encrypt

    key = bytes.fromhex(key_hex)
    out = []
    for i in range(start, stop):
        ballot = ballot_encrypt(
            question=Question.yes_no_abstain(), fingerprint=fingerprint, key=key, choices=CHOICES[i % 5 % 3]
        ).ballot
        out.append((ballot.canonical().decode(), ballot.tracker))
    return out


def build_secret(fixtures_path: Path, keys_path: Path) -> None:
    """After ``build``: the committee, the secret poll, the encrypted ballots (fixtures rewritten)."""
    from django.db import connection

    from councils.accounts.actors import SYSTEM
    from councils.federation.models import Council, Member
    from councils.voting import services
    from councils.voting.crypto.trustees import trustee_confirm, trustee_deal, trustee_keygen

    fixtures = json.loads(fixtures_path.read_text())
    council = Council.objects.get(slug="congress")
    trustees = list(Member.objects.filter(organization=council.organization).order_by("pk")[:3])
    committee = services.committee_create(
        actor=SYSTEM, organization=council.organization, name="Tellers", members=trustees
    )
    keys: dict[int, Any] = {}
    for i, member in enumerate(trustees, start=1):
        keys[i], message = trustee_keygen(services.ceremony_document(committee), i)
        committee = services.ceremony_post(actor=member.user, committee=committee, index=i, message=message)
    for i, member in enumerate(trustees, start=1):
        message = trustee_deal(services.ceremony_document(committee), keys[i])
        committee = services.ceremony_post(actor=member.user, committee=committee, index=i, message=message)
    for i, member in enumerate(trustees, start=1):
        keys[i], message = trustee_confirm(services.ceremony_document(committee), keys[i])
        committee = services.ceremony_post(actor=member.user, committee=committee, index=i, message=message)
    poll = services.poll_create(
        actor=SYSTEM,
        organization=council.organization,
        title="On the decree on land (secret)",
        kind="motion",
        electorate_council=council,
        secrecy="secret",
        committee=committee,
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll)
    pairs = fixtures["pairs"]
    size = max(50, len(pairs) // 16)
    started, cpu = time.perf_counter(), time.process_time()
    with ProcessPoolExecutor(max_workers=2) as pool:
        chunks = pool.map(
            _encrypt,
            [
                (poll.fingerprint, committee.election_key, a, min(a + size, len(pairs)))
                for a in range(0, len(pairs), size)
            ],
        )
        ballots = [b for chunk in chunks for b in chunk]
    print(
        f"[encrypted {len(ballots):,} ballots beforehand in {time.perf_counter() - started:.1f} s on 2 "
        f"processes (not part of the figure)]",
        file=sys.stderr,
    )
    del cpu
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    fixtures.update(
        poll=poll.pk,
        path=f"/api/organizations/{council.organization.slug}/polls/{poll.pk}/ballots",
        lines=[
            [token, key, tracker, text] for (token, key), (text, tracker) in zip(pairs, ballots, strict=True)
        ],
    )
    fixtures_path.write_text(json.dumps(fixtures))
    keys_path.write_text(json.dumps({str(i): k for i, k in keys.items()}))


def count_secret(poll_id: int, keys_path: Path) -> dict[str, float]:
    """Close the poll, let trustees 1 and 2 decrypt (verifying the board as trustees do), and time
    the last trustee's factors until the result is declared (counted)."""
    from councils.accounts.actors import SYSTEM
    from councils.federation.models import Member
    from councils.voting import services
    from councils.voting.crypto.board import trustee_decrypt
    from councils.voting.models import Poll, Trustee

    keys = {int(i): k for i, k in json.loads(keys_path.read_text()).items()}
    poll = Poll.objects.get(pk=poll_id)
    started = time.perf_counter()
    poll = services.poll_close(actor=SYSTEM, poll=poll)
    closed = time.perf_counter() - started
    document = services.board_document(poll)
    factors = {i: trustee_decrypt(document, keys[i], processes=2) for i in (1, 2)}
    users = {
        t.index: Member.objects.get(pk=t.member_id).user
        for t in Trustee.objects.filter(committee=poll.committee)
    }
    services.trustee_factors_post(actor=users[1], poll=poll, index=1, factors=factors[1])
    wall, cpu = time.perf_counter(), time.process_time()
    poll = services.trustee_factors_post(actor=users[2], poll=poll, index=2, factors=factors[2])
    result = time.perf_counter() - wall
    assert poll.state == Poll.State.COUNTED
    return {
        "close_s": closed,
        "result_s": result,
        "result_cpu_s": time.process_time() - cpu,
        "counts": poll.result["stages"][0]["votes"],
    }


def main_secret(args: Any) -> int:
    """The secret run: build, encrypt, serve, cast with wrk, check, then close and decrypt."""
    import shutil
    import subprocess

    import voting_bench as vb

    if shutil.which("wrk") is None:
        print("wrk is missing: install it (Debian: apt-get install -y wrk).")
        return 2
    setup = vb.prepare(args)  # the congress, in a fresh database, as the open run builds it
    if isinstance(setup, str):
        print(setup)
        return 2
    data_dir, env, database_url = setup.data_dir, setup.env, setup.database_url
    fixtures_path, keys_path = data_dir / "fixtures.json", data_dir / "trustee-keys.json"
    vb.log("a committee of three trustees and a secret poll; every ballot encrypted beforehand")
    here = str(Path(__file__).resolve())
    subprocess.run(
        [sys.executable, here, "build", str(fixtures_path), str(keys_path)], env=env, cwd=vb.ROOT, check=True
    )
    fixtures = json.loads(fixtures_path.read_text())
    lines = fixtures["lines"]
    lines_file, script = vb.cast_files(
        data_dir, [(token, key, tracker, '{"ballot":' + body + "}") for token, key, tracker, body in lines]
    )
    workers = args.workers or (2 if args.backend == "postgres" else 1)
    server = vb.start_server(setup, args)
    try:
        top = vb.ceiling(server, data_dir, args.ceiling_seconds)
        cpu_before, pg_before = server.cpu_seconds(), vb.pg_backends_cpu(database_url)
        seconds = max(10, args.delegates // 20)
        result = vb.run_wrk(server.url, script, lines_file, fixtures["path"], seconds, vb.ACK_SECRET)
        server_cpu = server.cpu_seconds() - cpu_before
        pg_cpu = vb.pg_backends_cpu(database_url) - pg_before
        # Only when asked, after the casts, as in voting_bench.run_open.
        hello = vb.ceiling(server, data_dir, args.ceiling_seconds, hello=True) if args.hello else None
    finally:
        server.stop()
    acknowledged = int(result["acknowledged"])
    rows, window = vb._rows(database_url, data_dir / "councils.sqlite3", fixtures["poll"])
    lost, doubled = vb.check(rows, [[token, key] for token, key, _t, _b in lines], acknowledged)
    rate = len(rows) / window if window > 0 else 0.0
    p99 = result["p99_us"] / 1000
    print(
        f"\nSecret voting benchmark: {args.delegates:,} delegates, {args.backend} with {workers} "
        "server process(es)"
    )
    vb.print_ceilings(top, hello)
    print(
        f"answers {result['codes']}; {acknowledged:,} acknowledged; {len(rows):,} participations, "
        "the first to "
        f"the last in {window:.2f} s; p50 {result['p50_us'] / 1000:.1f} ms; socket errors {result['errors']}"
        + (f"; first refusal {result['refused'][0][:200]}" if result["refused"] else "")
    )
    if rows:
        print(
            f"server CPU: {server_cpu:.1f} s, {server_cpu / len(rows) * 1000:.2f} ms per ballot; "
            f"PostgreSQL's {pg_cpu / len(rows) * 1000:.2f} ms each; load average now {os.getloadavg()[0]:.1f}"
        )
        vb.print_against(rate, top, hello)
    counted = subprocess.run(
        [sys.executable, here, "count", str(fixtures["poll"]), str(keys_path)],
        env=env,
        cwd=vb.ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if counted.returncode != 0:
        print(f"the close and the count failed:\n{counted.stdout}{counted.stderr}")
        return 1
    figures = json.loads(counted.stdout.strip().splitlines()[-1])
    print(
        f"close (the board's ballots added up): {figures['close_s']:.2f} s; the result "
        f"{figures['result_s']:.3f} s (CPU {figures['result_cpu_s']:.3f} s) after the last trustee's "
        f"factors (target <= 2 s); counts {figures['counts']}"
    )
    missed = []
    if args.backend == "postgres" and rate < 400:
        missed.append("rate (target >= 400/s)")
    if args.backend == "postgres" and p99 > 300:
        missed.append("p99 (target <= 300 ms)")
    if lost or doubled:
        missed.append("lost or doubled")
    print("targets: " + ("met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"ballots/s: {rate:.0f}, p99 ms: {p99:.0f}, lost: {lost}, doubled: {doubled}")
    return 0 if not (lost or doubled) and acknowledged == args.delegates else 1


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "build":
        build_secret(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        print(json.dumps(count_secret(int(sys.argv[2]), Path(sys.argv[3]))))
