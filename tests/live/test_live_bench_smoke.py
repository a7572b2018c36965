"""The live-update benchmark still runs: at its small size (50 streams, SQLite, the real server in a
subprocess) it opens the streams, recalls a deputy, restarts the server and prints its summary.
Its timings are printed for people, never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench_env

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "live_bench.py"

pytestmark = pytest.mark.slow


def test_the_live_benchmark_runs_at_its_small_size(tmp_path) -> None:
    # The benchmark chooses its own database and data directory: the test run's must not leak in.
    env = bench_env(tmp_path, "REDIS_URL")
    done = subprocess.run(
        [sys.executable, str(BENCH), "--size", "small", "--port", str(19500 + os.getpid() % 400)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("Live-update benchmark, size small, sqlite")
    assert "new composition" in done.stdout and "on all 50 pages" in done.stdout
    assert "50 of 50 streams back" in done.stdout
    assert lines[-1].startswith("live_bench size=small backend=sqlite streams=50: update on all pages")
