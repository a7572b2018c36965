"""The web benchmark still runs: at its small size it builds the demonstration on SQLite, starts
``councils serve`` as an operator does, drives it with wrk, and prints its table and summary.
Its figures are printed for people, never asserted (the machine may be busy)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench_env, on_ci

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "web_bench.py"


@pytest.mark.slow
def test_small_web_benchmark_serves_measures_and_prints_its_summary(tmp_path) -> None:
    if shutil.which("wrk") is None:
        if on_ci():
            pytest.fail("wrk is missing: .ci/run installs it (apt-get install -y wrk)")
        pytest.skip("web benchmark smoke test: wrk is missing (apt-get install -y wrk)")
    # The benchmark chooses its own database (a file under bench/out/): the test run's must not leak.
    env = bench_env(tmp_path)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--size", "small", "--backend", "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Web benchmark, size small" in out
    for request in ("static", "api organizations", "api composition", "council page", "openapi.json"):
        assert f"| {request} " in out, request
    assert "petition sign" in out
    # Every acknowledged signature was written once, with its audit event.
    assert "none lost or doubled" in out
    assert out.strip().splitlines()[-1].startswith("Summary (web, size small):")
