"""The voting benchmark still runs: at a small size on SQLite it builds a congress, starts
``councils serve`` as an operator does, casts every delegate's ballot through HTTP with wrk, checks
the database and prints its last line. Its figures are printed for people, never asserted (the
machine may be busy); that nothing was lost or doubled is asserted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bench_env, on_ci

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "voting_bench.py"


@pytest.mark.slow
def test_small_voting_benchmark_casts_every_ballot_once_and_prints_its_line(tmp_path) -> None:
    if shutil.which("wrk") is None:
        if on_ci():
            pytest.fail("wrk is missing: .ci/run installs it (apt-get install -y wrk)")
        pytest.skip("voting benchmark smoke test: wrk is missing (apt-get install -y wrk)")
    env = bench_env(tmp_path)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--delegates", "120", "--kind", "open", "--backend", "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"ballots/s: \d+, p99 ms: \d+, lost: 0, doubled: 0", last), last


@pytest.mark.slow
def test_small_secret_benchmark_casts_every_encrypted_ballot_once_and_declares_the_result(
    tmp_path,
) -> None:
    if shutil.which("wrk") is None:
        if on_ci():
            pytest.fail("wrk is missing: .ci/run installs it (apt-get install -y wrk)")
        pytest.skip("voting benchmark smoke test: wrk is missing (apt-get install -y wrk)")
    env = bench_env(tmp_path)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--delegates", "30", "--kind", "secret", "--backend", "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    declared = [line for line in lines if "after the last trustee's factors" in line]
    assert declared and "counts {" in declared[0], done.stdout
    assert re.fullmatch(r"ballots/s: \d+, p99 ms: \d+, lost: 0, doubled: 0", lines[-1]), lines[-1]
