"""The counting benchmark's small size runs to the end and prints its tables (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "counting_bench.py"


def test_the_small_benchmark_runs_and_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--size", "small"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "councils count" in done.stdout
    assert "(c) counting alone" in done.stdout
    assert "10,000" in done.stdout
    assert done.stdout.rstrip().endswith("done")
