"""The secret-poll benchmark still runs end to end at a small size (its figures are printed for
people, never asserted: the machine is shared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "secret_bench.py"


@pytest.mark.slow
def test_small_secret_benchmark_tallies_verifies_and_prints_its_summary():
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--ballots",
            "60",
            "--per-ballot-samples",
            "5",
            "--processes",
            "1",
            "--no-chromium",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("ballots: 60, encrypt ms: ") and "verify-poll s: " in last
