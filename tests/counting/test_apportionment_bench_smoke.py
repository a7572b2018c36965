"""The apportionment benchmark runs at its small size (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "apportionment_bench.py"


def test_the_small_benchmark_runs_and_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--size", "small", "--runs", "2", "--peer-timeout", "60"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "apportion ms" in done.stdout and "peer/arrays" in done.stdout
    for method in ("dhondt", "sainte-lague", "modified-sainte-lague", "hare", "droop", "huntington-hill"):
        assert method in done.stdout
    assert " NO" not in done.stdout  # seats disagreeing with the peer would print NO
