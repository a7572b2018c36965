"""Faults: a server process killed while ballots are cast over HTTP loses no acknowledged ballot and
creates none that was not cast; clients retrying with their Idempotency-Key get their first answer.

``councils serve --workers 2`` runs against the test database (PostgreSQL: several processes share
it). Clients, one thread per share of the delegates, cast through the JSON API with a token and a
key each, and retry on any failure (connection refused or reset, a 5xx) with the same key until
they get an answer. Meanwhile one worker is killed with SIGKILL (its supervisor starts another),
and later the whole server is killed and started again. Afterwards: one participation per
delegate, each with the delegate's key and the first answer they sent, and every answer a client
received (first or replayed) names that same participation.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from councils.accounts.actors import SYSTEM
from councils.accounts.models import ApiToken
from councils.voting import services
from councils.voting.models import Participation
from tests.factories import ConstituencyFactory, CouncilFactory, SeatFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DELEGATES = 60
CLIENTS = 6
PORTS = range(8500, 8550)


def _councils() -> list[str]:
    script = Path(sys.executable).parent / "councils"
    return [str(script)] if script.exists() else [sys.executable, "-m", "councils.cli"]


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8500-8549")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*_councils(), "serve", "--port", str(self.port), "--workers", "2", "--no-migrate"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                assert self.process.poll() is None, "councils serve exited"
                assert time.monotonic() < deadline, "councils serve did not listen within 60 s"
                time.sleep(0.1)

    def workers(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def kill_all(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def congress(transactional_db):
    if connection.vendor != "postgresql":
        # CI runs the whole suite on PostgreSQL too: that pass runs this test.
        pytest.skip("a server process killed mid-vote: needs PostgreSQL (set DATABASE_URL)")
    council = CouncilFactory()
    constituency = ConstituencyFactory(council=council)
    seats = [SeatFactory(council=council, constituency=constituency) for _ in range(DELEGATES)]
    voters = []
    for seat in seats:
        secret = "cnc_" + secrets.token_urlsafe(32)
        ApiToken.objects.create(
            user=seat.holder.user,
            name="faults",
            key_prefix=secret[:12],
            key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        )
        voters.append((seat.holder.pk, secret, f"fault-{seat.holder.pk}-{secrets.token_hex(4)}"))
    poll = services.poll_create(
        actor=SYSTEM,
        organization=council.organization,
        title="On peace",
        kind="motion",
        electorate_council=council,
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll)
    return council.organization, poll, voters


def test_killing_server_processes_mid_vote_loses_and_doubles_nothing(congress, tmp_path) -> None:
    organization, poll, voters = congress
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=_database_url(),
        COUNCILS_DATA_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    server = Server(env, _free_port())
    server.start()
    path = f"/api/organizations/{organization.slug}/polls/{poll.pk}/ballots"
    answers: dict[int, list[dict]] = {pk: [] for pk, _s, _k in voters}
    sent: dict[int, str] = {}
    retries = [0]
    lock = threading.Lock()

    def cast(member_id: int, token: str, key: str, answer: str) -> None:
        body = json.dumps({"answer": answer})
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
            except (OSError, http.client.HTTPException):
                data, response = b"", None
            if response is not None and response.status in (200, 201):
                with lock:
                    answers[member_id].append(json.loads(data))
                return
            assert response is None or response.status >= 500, (response.status, data)
            with lock:
                retries[0] += 1
            time.sleep(0.05)
        raise AssertionError(f"member {member_id} got no answer in 120 s")

    def client(share: list[tuple[int, str, str]]) -> None:
        for n, (member_id, token, key) in enumerate(share):
            answer = "yes" if n % 3 else "no"
            sent[member_id] = answer
            cast(member_id, token, key, answer)
            # Each client sends its ballot again, as a client that lost the answer would: the
            # server must answer it from the first.
            if n % 2 == 0:
                cast(member_id, token, key, answer)
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(voters[i::CLIENTS],)) for i in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        # A third of the way in, one worker dies; its supervisor starts another.
        while Participation.objects.filter(poll=poll).count() < DELEGATES // 3:
            time.sleep(0.02)
        workers = server.workers()
        assert workers, "no worker processes found"
        os.kill(workers[0], signal.SIGKILL)
        # Two thirds in, the whole server dies and an operator starts it again.
        while Participation.objects.filter(poll=poll).count() < 2 * DELEGATES // 3:
            time.sleep(0.02)
        server.kill_all()
        time.sleep(0.5)
        server.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads)
    finally:
        server.kill_all()

    rows = {p.principal_id: p for p in Participation.objects.filter(poll=poll)}
    # Nothing lost, nothing doubled, nothing invented: one row per delegate, each acknowledged.
    assert len(rows) == Participation.objects.filter(poll=poll).count() == DELEGATES
    for member_id, _token, key in voters:
        row = rows[member_id]
        assert row.idempotency_key == key
        assert row.ballot == {"answers": {sent[member_id]: 1}}
        got = answers[member_id]
        assert got, f"member {member_id} was never answered"
        # The first answer and every replay name the same participation and choice.
        assert {a["participation"] for a in got} == {row.pk}
        assert all(a["ballot"] == row.ballot for a in got)
        assert [a["replayed"] for a in got][1:] == [True] * (len(got) - 1)
    print(f"\n{DELEGATES} ballots, {retries[0]} retries after failures, a worker and then the server killed")
