"""``councils trustee ...`` and ``councils verify-poll``: a whole secret poll run from files."""

from __future__ import annotations

import http.server
import json
import os
import stat
import threading
from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from councils.voting.crypto.ballot import Question, ballot_encrypt
from councils.voting.crypto.board import BoardWriter, board_publish_result
from councils.voting.crypto.trustees import ceremony_public


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def ceremony_files(tmp_path):
    ceremony = tmp_path / "ceremony.json"
    run("trustee", "init", str(ceremony), "--threshold", "2", "--size", "3", "--label", "Tellers 1917")
    keys = [tmp_path / f"teller{i}.key" for i in (1, 2, 3)]
    for i, key in enumerate(keys, start=1):
        run("trustee", "keygen", str(ceremony), "--key", str(key), "--index", str(i))
    for key in keys:
        run("trustee", "deal", str(ceremony), "--key", str(key))
    for key in keys:
        assert "matches" in run("trustee", "confirm", str(ceremony), "--key", str(key))
    return ceremony, keys


def closed_board_file(tmp_path, ceremony_path, votes):
    committee, trustees, key = ceremony_public(json.loads(ceremony_path.read_text()))
    writer = BoardWriter()
    question = Question.yes_no_abstain()
    fp = writer.setup(
        poll={"id": 1, "title": "Peace"},
        question=question,
        committee=committee,
        trustees=trustees,
        election_key=key,
    )
    trackers = [
        writer.cast(ballot_encrypt(question=question, fingerprint=fp, key=key, choices=c).ballot.to_json(), w)
        for c, w in votes
    ]
    writer.close()
    board = tmp_path / "board.json"
    board.write_text(json.dumps(writer.to_json()))
    return board, trackers


def test_a_secret_poll_from_key_ceremony_to_verified_result(tmp_path, ceremony_files):
    ceremony, keys = ceremony_files
    assert stat.S_IMODE(os.stat(keys[0]).st_mode) == 0o600
    assert len(keys[0].read_bytes()) < 400
    board, trackers = closed_board_file(tmp_path, ceremony, [([1, 0, 0], 2), ([0, 1, 0], 1), ([1, 0, 0], 1)])
    run("trustee", "decrypt", str(board), "--key", str(keys[2]), "--processes", "1")
    run("trustee", "decrypt", str(board), "--key", str(keys[0]), "--processes", "1")
    document = json.loads(board.read_text())
    assert board_publish_result(document, processes=1) == [3, 1, 0]
    board.write_text(json.dumps(document))
    out = run("verify_poll", str(board), "--tracker", trackers[1], "--processes", "1")
    assert "Result verified: [3, 1, 0]" in out
    assert f"Tracker {trackers[1]} is on the board and counted" in out


def test_a_trustee_decrypts_once_and_never_an_open_board(tmp_path, ceremony_files):
    ceremony, keys = ceremony_files
    board, _ = closed_board_file(tmp_path, ceremony, [([0, 0, 1], 1)])
    run("trustee", "decrypt", str(board), "--key", str(keys[0]), "--processes", "1")
    with pytest.raises(CommandError, match="trustee 1 has already decrypted"):
        run("trustee", "decrypt", str(board), "--key", str(keys[0]), "--processes", "1")
    document = json.loads(board.read_text())
    document["events"] = [e for e in document["events"] if e["type"] in {"setup", "trustee_key", "ballot"}]
    board.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="refusing to decrypt: the poll is not closed"):
        run("trustee", "decrypt", str(board), "--key", str(keys[1]), "--processes", "1")


def test_verify_poll_names_the_first_failure_and_exits_1(tmp_path, ceremony_files):
    ceremony, _ = ceremony_files
    board, _ = closed_board_file(tmp_path, ceremony, [([0, 0, 1], 1), ([1, 0, 0], 1)])
    document = json.loads(board.read_text())
    document["events"][5]["body"]["weight"] = 3
    board.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"FAILED: event 5 \(ballot\): its hash does not match") as info:
        run("verify_poll", str(board))
    assert info.value.returncode == 1
    with pytest.raises(CommandError, match="cannot be read") as info:
        run("verify_poll", str(tmp_path / "missing.json"))
    assert info.value.returncode == 2


def test_verify_poll_reads_a_board_from_an_address(tmp_path, ceremony_files):
    ceremony, _ = ceremony_files
    closed_board_file(tmp_path, ceremony, [([0, 1, 0], 4)])
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = run("verify_poll", f"http://127.0.0.1:{server.server_address[1]}/board.json")
    finally:
        server.shutdown()
    assert "1 ballots (0 withdrawn), total weight 4" in out and "Closed; not decrypted yet." in out


def test_a_key_file_is_never_overwritten(tmp_path, ceremony_files):
    ceremony, keys = ceremony_files
    with pytest.raises(CommandError, match="never overwritten"):
        run("trustee", "keygen", str(ceremony), "--key", str(keys[0]), "--index", "1")


def test_verify_poll_checks_an_audited_ballot(tmp_path, ceremony_files):
    ceremony, _ = ceremony_files
    board, _ = closed_board_file(tmp_path, ceremony, [([0, 1, 0], 1)])
    setup = json.loads(board.read_text())["events"][0]["body"]
    made = ballot_encrypt(
        question=Question.yes_no_abstain(),
        fingerprint=setup["fingerprint"],
        key=bytes.fromhex(setup["election_key"]),
        choices=[0, 0, 1],
    )
    audited = {
        "audit": {
            "choices": [0, 0, 1],
            "randomness": [r.to_bytes(32, "little").hex() for r in made.randomness],
        },
        "ballot": made.ballot.to_json(),
    }
    path = tmp_path / "audited.json"
    path.write_text(json.dumps(audited))
    assert "encrypts exactly the choices [0, 0, 1]" in run("verify_poll", str(board), "--audit", str(path))
    audited["audit"]["choices"] = [1, 0, 0]
    path.write_text(json.dumps(audited))
    with pytest.raises(CommandError, match="audited ballot: audit: answer 0 does not encrypt 1"):
        run("verify_poll", str(board), "--audit", str(path))


def test_a_trustee_working_against_an_address_prints_only_its_message(tmp_path):
    ceremony = tmp_path / "ceremony.json"
    run("trustee", "init", str(ceremony), "--threshold", "1", "--size", "1")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ceremony.json"
        printed = run("trustee", "keygen", url, "--key", str(tmp_path / "me.key"), "--index", "1")
    finally:
        server.shutdown()
    message = json.loads(printed)
    assert message["type"] == "registration" and message["index"] == 1 and len(message["exchange_key"]) == 64
    assert json.loads(ceremony.read_text())["registrations"] == {}  # the server, not the trustee, adds it
