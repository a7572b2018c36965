#!/usr/bin/env python
"""Benchmark of ``councils.counting.apportionment`` against the ``apportionment`` package (PyPI).

    .venv/bin/python bench/apportionment_bench.py [--size full|small] [--runs N] [--peer-timeout S]

The full size apportions 30,000 seats among 3,000 parties (sizes drawn from a seeded generator,
1,000 to 1,000,000 each) by every method; ``--size small`` does 3,000 seats among 300 parties.
Ours is timed as the median of ``--runs`` calls, both through ``apportion`` (a mapping in, a result
with names out) and ``apportion_arrays`` (arrays in and out). The peer builds a seats x parties
matrix of priorities, so it is slow and memory-hungry at the full size: it runs once per method in
a child process, all of them together capped at ``--peer-timeout`` seconds (60 by default); a
method whose turn comes after the cap is reported as skipped. The peer has no Droop quota.

The table gives milliseconds (the peer: one run), the ratio peer / ours through arrays, and
whether the seats agree.
Times are wall-clock on this machine, for information: no test asserts any of them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from councils.counting.apportionment import METHODS, apportion, apportion_arrays

SIZES = {"full": (3_000, 30_000), "small": (300, 3_000)}
PEER_NAMES = {
    "dhondt": "dhondt",
    "sainte-lague": "saintelague",
    "modified-sainte-lague": "modified_saintelague",
    "hare": "largest_remainder",
    "huntington-hill": "huntington",
}
# Run in a child so a slow or memory-hungry peer can be stopped at the timeout.
PEER_SCRIPT = """
import json, sys, time
import numpy as np
import apportionment.methods as peer
sizes = np.load(sys.argv[1]).tolist()
names = [f"p{i}" for i in range(len(sizes))]
start = time.perf_counter()
seats = peer.compute(sys.argv[2], sizes, int(sys.argv[3]), parties=names)
print(json.dumps({"seconds": time.perf_counter() - start, "seats": list(map(int, seats))}))
"""


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up: imports, first allocations
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run_peer(
    path: Path, method: str, seats: int, timeout: float
) -> tuple[float | None, list[int] | None, str]:
    """Seconds and seats of the peer, or a note saying why there are none."""
    if timeout <= 0:
        return None, None, "skipped (time cap reached)"
    try:
        done = subprocess.run(
            [sys.executable, "-c", PEER_SCRIPT, str(path), PEER_NAMES[method], str(seats)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, None, f"timed out after {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, None, f"failed: {last}"
    out = json.loads(done.stdout)
    return out["seconds"], out["seats"], ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--runs", type=int, default=None, help="runs per timing (default 9 full, 5 small)")
    parser.add_argument("--peer-timeout", type=float, default=60.0, help="total seconds for the peer")
    parser.add_argument("--no-peer", action="store_true", help="time only ours")
    args = parser.parse_args(argv)
    parties, seats = SIZES[args.size]
    runs = args.runs or (9 if args.size == "full" else 5)

    rng = np.random.default_rng(1917)
    sizes = rng.integers(1_000, 1_000_000, parties)
    mapping = {f"p{i}": int(v) for i, v in enumerate(sizes)}
    print(f"{seats:,} seats among {parties:,} parties (seeded sizes), median of {runs} runs")
    print()
    header = (
        f"{'method':<22} {'apportion ms':>12} {'arrays ms':>10} {'peer ms':>10} {'peer/arrays':>11}  agree"
    )
    print(header)
    print("-" * len(header))

    deadline = time.monotonic() + args.peer_timeout
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sizes.npy"
        np.save(path, sizes)
        for method in METHODS:
            ours_ms = median_ms(lambda m=method: apportion(mapping, seats, m, seed=0), runs)  # type: ignore[misc]
            arrays_ms = median_ms(lambda m=method: apportion_arrays(sizes, seats, m, seed=0), runs)  # type: ignore[misc]
            result = apportion(mapping, seats, method, seed=0)
            assert sum(result.seats.values()) == seats
            peer_ms = ratio = agree = "-"
            if method not in PEER_NAMES:
                agree = "(peer has no Droop)"
            elif not args.no_peer:
                seconds, peer_seats, note = run_peer(path, method, seats, deadline - time.monotonic())
                if seconds is None or peer_seats is None:
                    notes.append(f"peer {method}: {note}")
                    agree = note
                else:
                    peer_ms = f"{seconds * 1000:.1f}"
                    ratio = f"{seconds * 1000 / arrays_ms:.0f}x"
                    same = peer_seats == list(result.seats.values())
                    agree = "yes" if same else ("ties" if result.ties else "NO")
            print(f"{method:<22} {ours_ms:>12.2f} {arrays_ms:>10.2f} {peer_ms:>10} {ratio:>11}  {agree}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
