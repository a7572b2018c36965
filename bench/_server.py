"""What the HTTP benchmarks share: the server started as an operator starts it, and its database.

``Server`` runs ``councils serve --workers N --port P --no-migrate`` in a subprocess (its own
process group), waits until it serves a static file, can say how much CPU its processes have used,
and stops it (SIGTERM, then SIGKILL of its group). ``bench_env`` is the environment the benchmarks
give it; ``pg_recreate`` drops and creates a benchmark's PostgreSQL database.

Ports: a benchmark names its range; ``BENCH_PORTS=LOW-HIGH`` in the environment overrides it (so
that several people on one machine keep to their own ports). The first free one is taken.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where benchmarks keep their databases and files: BENCH_OUT if set (the smoke tests give each run
# its own, so two test runs at once do not wipe each other's), else bench/out.
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
STATIC = "/static/web/councils.css"
# A JSON hello, served only by the benchmarks' own settings (hello_settings.py, hello_urls.py).
HELLO = "/api/bench-hello"
# The floor of a cast in this stack, a measuring instrument for the benchmarks' server only (hello_urls.py).
FLOOR = "/api/bench-floor/polls/{poll}/ballots"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ports(default: range) -> range:
    """The ports a benchmark may use: ``BENCH_PORTS`` (``8130-8139``) if set, else ``default``."""
    given = os.environ.get("BENCH_PORTS", "").strip()
    if not given:
        return default
    low, _sep, high = given.partition("-")
    return range(int(low), int(high or low) + 1)


def free_port(candidates: range) -> int:
    """The first port of ``candidates`` nothing listens on."""
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates.start}-{candidates.stop - 1}")


def councils_command() -> list[str]:
    """How to run ``councils``: the installed script beside this Python, else its module."""
    script = Path(sys.executable).parent / "councils"
    return [str(script)] if script.exists() else [sys.executable, "-m", "councils.cli"]


def bench_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment for the server and the build: the Councils settings, the data
    directory, ``DATABASE_URL`` only when given (else the embedded SQLite), this tree's ``src``."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="councils.settings",
        COUNCILS_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def pg_recreate(url: str) -> str | None:
    """Drop and create the database of ``url``; the reason it cannot be done, or None."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return "psycopg is not installed"
    base, _sep, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


class Server:
    """``councils serve --workers N --port P --no-migrate`` in a subprocess (its own process group),
    answering once its constructor returns. ``port`` is taken as given, else the first free one
    of ``candidates``."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        log_path: Path,
        *,
        port: int | None = None,
        candidates: range = range(18300, 18999),
        grace: int | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.port = port if port is not None else free_port(ports(candidates))
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("a")
        command = [*councils_command(), "serve", "--workers", str(workers), "--port", str(self.port)]
        command.append("--no-migrate")
        if grace is not None:
            command += ["--timeout-graceful-shutdown", str(grace)]
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                raise RuntimeError(f"councils serve exited with {self.process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + STATIC, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"councils serve did not answer within {start_timeout:.0f} s; see {log_path}")

    def settle(self) -> None:
        """Wait until the requests a load tool left queued in the server have been answered: a
        static file answers only after them."""
        with urllib.request.urlopen(self.url + STATIC, timeout=120) as response:
            response.read()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (its process group)."""
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # After the command: state, ppid, pgrp, ..., utime (12th), stime (13th).
            if int(fields[2]) == self.process.pid:
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self) -> None:
        """SIGTERM to the server, SIGKILL to its process group if it has not exited in 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if not self.log.closed:
            self.log.close()
