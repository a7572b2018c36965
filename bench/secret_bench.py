#!/usr/bin/env python
"""Figures of secret polls' cryptography (VOTING-DESIGN.md, issue 10): not a timed test.

    .venv/bin/python bench/secret_bench.py [--ballots 100000] [--processes 2] [--no-chromium]
                                           [--keep-board board.json]

With a 2-of-3 committee and a yes/no/abstain poll (weights 1, 1, 1, 2 and 5), it measures:

- encrypt+prove and verify per ballot in Python (yes/no/abstain; approval of 5 with 0 to 3 marks);
- the tally of N ballots: the encrypted sum kept incrementally as ballots arrive (per ballot and in
  all) and from scratch, one trustee's decryption with proofs, the combination and the bounded
  discrete logarithm;
- the result after the last trustee's factors (checking them, combining, the logarithm);
- ``councils verify-poll`` of the N-ballot board (a subprocess, ``--processes``);
- one ballot encrypted by booth-crypto.js in this machine's Chromium (Playwright).

Building the board (encrypting N ballots) is not a figure; it runs on ``--processes`` processes.
CPU time is given beside wall time: the machine is shared. The last line is a summary.
``--ballots 60 --no-chromium`` is the suite's smoke test (tests/voting/test_secret_bench_smoke.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from councils.voting.crypto.ballot import (  # noqa: E402
    Question,
    ballot_encrypt,
    ballot_parse,
    ballot_verify,
    tracker_of,
)
from councils.voting.crypto.board import BoardWriter, Tally, board_append  # noqa: E402
from councils.voting.crypto.canonical import canonical_json  # noqa: E402
from councils.voting.crypto.trustees import (  # noqa: E402
    ceremony_add,
    ceremony_new,
    ceremony_public,
    combine,
    decryption_factors,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)

WEIGHTS = (1, 1, 1, 2, 5)
STATIC = ROOT / "src" / "councils" / "web" / "static" / "web"
TARGETS = {"result": 2.0, "verify-poll": 120.0, "chromium": 0.300}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def committee() -> tuple[dict[str, Any], list[Any], bytes, dict[int, dict[str, Any]]]:
    ceremony = ceremony_new(label="bench", threshold=2, size=3)
    keys = {}
    for i in (1, 2, 3):
        keys[i], message = trustee_keygen(ceremony, i)
        ceremony_add(ceremony, message)
    for i in (1, 2, 3):
        ceremony_add(ceremony, trustee_deal(ceremony, keys[i]))
    for i in (1, 2, 3):
        keys[i], message = trustee_confirm(ceremony, keys[i])
        ceremony_add(ceremony, message)
    public, trustees, key = ceremony_public(ceremony)
    return public, trustees, key, keys


def per_ballot(
    question: Question, fingerprint: str, key: bytes, choices: Any, n: int
) -> tuple[float, float, float, float, int]:
    """Milliseconds to encrypt+prove and to verify one ballot (median wall, mean CPU), and its size."""
    enc, ver, size = [], [], 0
    cpu_enc = cpu_ver = 0.0
    rng = random.Random(7)
    for _ in range(n):
        c = choices(rng)
        t, u = time.perf_counter(), time.process_time()
        made = ballot_encrypt(question=question, fingerprint=fingerprint, key=key, choices=c)
        enc.append(time.perf_counter() - t)
        cpu_enc += time.process_time() - u
        data = made.ballot.canonical()
        size = len(data)
        t, u = time.perf_counter(), time.process_time()
        ballot_verify(data, question=question, fingerprint=fingerprint, key=key)
        ver.append(time.perf_counter() - t)
        cpu_ver += time.process_time() - u
    return (
        statistics.median(enc) * 1000,
        statistics.median(ver) * 1000,
        cpu_enc / n * 1000,
        cpu_ver / n * 1000,
        size,
    )


def _yna(rng: random.Random) -> list[int]:
    c = [0, 0, 0]
    c[rng.randrange(3)] = 1
    return c


def _approval(rng: random.Random) -> list[int]:
    marks = rng.sample(range(5), rng.randint(0, 3))
    return [1 if i in marks else 0 for i in range(5)]


def _encrypt_chunk(args: tuple[str, str, int, int]) -> list[tuple[dict[str, Any], int, list[int]]]:
    fingerprint, key_hex, n, seed = args
    rng = random.Random(seed)
    question = Question.yes_no_abstain()
    out = []
    for _ in range(n):
        c = _yna(rng)
        made = ballot_encrypt(
            question=question, fingerprint=fingerprint, key=bytes.fromhex(key_hex), choices=c
        )
        out.append((made.ballot.to_json(), rng.choice(WEIGHTS), c))
    return out


def build_ballots(
    fingerprint: str, key: bytes, n: int, processes: int
) -> list[tuple[dict[str, Any], int, list[int]]]:
    chunk = 500
    jobs = [(fingerprint, key.hex(), min(chunk, n - i), i) for i in range(0, n, chunk)]
    if processes <= 1:
        return [b for job in jobs for b in _encrypt_chunk(job)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return [b for part in pool.map(_encrypt_chunk, jobs) for b in part]


def chromium_ms() -> tuple[float, float] | None:
    """First and median-of-5 milliseconds for one yes/no/abstain ballot in Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium).exists():
        return None
    from councils.voting.crypto import group

    key = group.base_mul(group.random_scalar()).hex()
    script = """([key]) => {
        const q = {answers: 3, min: 1, max: 1}, fp = "ab".repeat(32), times = [];
        for (let i = 0; i < 6; i++) {
            const t = performance.now();
            CouncilsBooth.encryptBallot(q, fp, key, [0, 1, 0]);
            times.push(performance.now() - t);
        }
        return times;
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><title>booth</title>")
        page.add_script_tag(path=str(STATIC / "vendor" / "noble-ristretto255.js"))
        page.add_script_tag(path=str(STATIC / "booth-crypto.js"))
        times = page.evaluate(script, [key])
        browser.close()
    return times[0], statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--per-ballot-samples", type=int, default=200)
    parser.add_argument("--no-chromium", action="store_true")
    parser.add_argument(
        "--keep-board", metavar="PATH", help="also write the N-ballot board there (to profile verify-poll)"
    )
    args = parser.parse_args()
    n = args.ballots
    rows: list[tuple[str, str]] = []

    public, trustees, key, keys = committee()
    question = Question.yes_no_abstain()
    writer = BoardWriter()
    fingerprint = writer.setup(
        poll={"id": 1, "title": "bench"},
        question=question,
        committee=public,
        trustees=trustees,
        election_key=key,
    )

    samples = max(5, min(args.per_ballot_samples, n))
    enc, ver, cenc, cver, size = per_ballot(question, fingerprint, key, _yna, samples)
    rows.append(
        (
            "yes/no/abstain: encrypt+prove / verify per ballot",
            f"{enc:.2f} ms / {ver:.2f} ms (CPU {cenc:.2f} / {cver:.2f} ms), {size} bytes",
        )
    )
    enc5, ver5, cenc5, cver5, size5 = per_ballot(
        Question.approval(5, most=3), fingerprint, key, _approval, samples
    )
    rows.append(
        (
            "approval 5, 0-3 marks: encrypt+prove / verify",
            f"{enc5:.2f} ms / {ver5:.2f} ms (CPU {cenc5:.2f} / {cver5:.2f} ms), {size5} bytes",
        )
    )

    log(f"encrypting {n:,} ballots on {args.processes} processes (not a figure)")
    ballots = build_ballots(fingerprint, key, n, args.processes)
    truth = [sum(c[a] * w for _, w, c in ballots) for a in range(3)]

    # The server keeps the sum as ballots arrive; the ballots were verified at cast (figure above).
    parsed = [(ballot_parse(b, question).ciphertexts, w) for b, w, _ in ballots]
    tally = Tally(3)
    _, wall, cpu = timed(lambda: [tally.add(cts, w) for cts, w in parsed])
    rows.append(
        (
            f"tally: incremental sum of {n:,} ballots",
            f"{wall:.2f} s ({cpu:.2f} s CPU), {wall / n * 1e6:.0f} µs/ballot",
        )
    )
    scratch = Tally(3)

    def from_scratch() -> list[Any]:
        for cts, w in parsed:
            scratch.add(cts, w)
        return scratch.weighted_sums()

    _, wall, cpu = timed(from_scratch)
    rows.append(
        (f"tally: from scratch ({len(set(WEIGHTS))} distinct weights)", f"{wall:.2f} s ({cpu:.2f} s CPU)")
    )

    # The board: the ballot events as the server appends them, then close.
    board = {"events": writer.events}  # the same list: board_append extends the writer's events
    for b, w, _ in ballots:
        board_append(board, "ballot", {"ballot": b, "tracker": tracker_of(canonical_json(b)), "weight": w})
    writer.tally = tally
    writer.close()

    partials = {}
    for i in (1, 2):
        partial, wall, cpu = timed(
            decryption_factors,
            key=keys[i],
            committee_fingerprint=public["fingerprint"],
            fingerprint=fingerprint,
            election_key=key,
            sums=writer.sums,
        )
        partials[i] = partial
    rows.append(("decryption: one trustee's factors with proofs", f"{wall * 1000:.1f} ms"))

    writer.add_partial(partials[1])

    def result_after_last() -> list[int]:
        writer.add_partial(partials[2])
        return writer.publish_result()

    counts, wall_result, cpu = timed(result_after_last)
    assert counts == truth, (counts, truth)
    factors = {i: writer.partials[i] for i in (1, 2)}
    _, wall, _ = timed(combine, sums=writer.sums, factors=factors, threshold=2, bound=tally.total_weight)
    rows.append((f"combination + discrete log (bound {tally.total_weight:,})", f"{wall * 1000:.1f} ms"))
    rows.append(
        ("result after the last trustee's factors", f"{wall_result:.3f} s ({cpu:.3f} s CPU) [target <= 2 s]")
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.json"
        path.write_text(json.dumps(writer.to_json()))
        if args.keep_board:
            Path(args.keep_board).write_bytes(path.read_bytes())
        mb = path.stat().st_size / 1e6
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "councils.cli",
                "verify-poll",
                str(path),
                "--processes",
                str(args.processes),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        verify_wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        verify_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
    rows.append(
        (
            f"verify-poll of {n:,} ballots ({mb:.0f} MB), {args.processes} processes",
            f"{verify_wall:.1f} s ({verify_cpu:.1f} s CPU in all processes) [target <= 120 s at 100,000]",
        )
    )

    chrome = None if args.no_chromium else chromium_ms()
    if chrome is not None:
        rows.append(
            (
                "Chromium: one yes/no/abstain ballot, first / median of 5",
                f"{chrome[0]:.0f} ms / {chrome[1]:.0f} ms [target <= 300 ms]",
            )
        )

    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    chrome_text = f", chromium ms: {chrome[0]:.0f}" if chrome else ""
    print(
        f"ballots: {n}, encrypt ms: {enc:.2f}, verify ms: {ver:.2f}, result s: {wall_result:.3f}, "
        f"verify-poll s: {verify_wall:.1f}{chrome_text}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
