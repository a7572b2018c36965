"""The secrecy tests of VOTING-DESIGN.md: after a full secret poll nothing stored reveals a choice.

The scan is honest about what it can see: a plaintext choice would be stored as a named ballot
(``"answer":``, ``"ranking"``) or would be recoverable from a ballot's randomness, the trustees'
shares or their exchange secrets. After a poll (a committee, casts, close, decryption, result) the
database's bytes (SQLite's file and its -wal; PostgreSQL's pg_dump, and its data directory when
this user may read it) must hold none of these; and no column of a secret poll's rows holds
anything but ciphertexts, proofs, weights and the decrypted totals of the whole poll.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from councils.voting import services
from councils.voting.crypto.ballot import Question, ballot_encrypt, ballot_parse
from councils.voting.crypto.board import event_hash, trustee_decrypt
from councils.voting.crypto.errors import RefusedError
from councils.voting.models import BoardEvent, Participation, Poll
from tests.voting.conftest import make_body
from tests.voting.secret_helpers import decrypt_as, make_committee

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATES = ["Zinoviev-q7", "Kamenev-q7", "Trotsky-q7"]


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings, tmp_path):
    settings.COUNCILS_TRUSTEE_KEY_DIR = tmp_path / "trustee-keys"


def full_poll():
    """An approval poll through its whole life; the randomness of every ballot kept aside (what only
    the voters' browsers ever hold)."""
    body = make_body(deputies=4)
    made = make_committee(body)
    poll = body.poll(kind="election", method="approval", candidates=CANDIDATES, secrecy="secret")
    poll.refresh_from_db()
    secrets: list[str] = []
    for i, deputy in enumerate(body.deputies):
        encrypted = ballot_encrypt(
            question=services.poll_question(poll),
            fingerprint=poll.fingerprint,
            key=bytes.fromhex(made.committee.election_key),
            choices=[1, i % 2, 0],
        )
        secrets += [r.to_bytes(32, "little").hex() for r in encrypted.randomness]
        services.secret_ballot_cast(
            actor=deputy.user, poll=poll, ballot=encrypted.ballot.to_json(), idempotency_key=f"k{i}"
        )
    poll = services.poll_close(actor=body.officer, poll=poll)
    decrypt_as(made, poll, 1)
    poll = services.poll_publish(actor=body.officer, poll=decrypt_as(made, poll, 2))
    for key in made.keys.values():
        secrets += [key["share"], key["exchange_secret"]]
    return body, made, poll, secrets


PLAINTEXT_MARKERS = [b'"answer":', b'"answer": ', b'"ranking"', b'"choices"', b'"randomness"']


def _scan(data: bytes, secrets: list[str]) -> list[str]:
    found = [m.decode() for m in PLAINTEXT_MARKERS if m in data]
    found += [f"secret {s[:8]}..." for s in secrets if s.encode() in data]
    return found


def test_a_byte_scan_of_the_database_finds_no_plaintext_choice_nor_anything_that_decrypts_one():
    if connection.vendor == "sqlite" and Path(connection.settings_dict["NAME"]).exists():
        # The file is shared with the tests that ran before in this process, whose open polls'
        # named ballots ("ranking") stay in free pages after their rows are flushed: rewritten
        # without them, the file then holds only what this poll leaves.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
    _body, _made, poll, secrets = full_poll()
    assert poll.result["stages"][0]["votes"] == {"Zinoviev-q7": "4", "Kamenev-q7": "2", "Trotsky-q7": "0"}
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        if not name.exists():
            pytest.skip("the SQLite test database is in memory: nothing on disk to scan")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        data = b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
        assert _scan(data, secrets) == []
        return
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is missing: the PostgreSQL byte scan needs it")
    settings = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"],
            settings["NAME"],
        ],
        capture_output=True,
        check=True,
        env={**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""},
    ).stdout
    assert b"Zinoviev-q7" in dump  # the scan sees the poll's rows
    assert _scan(dump, secrets) == []
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        directory = Path(cursor.fetchone()[0])
    if not os.access(directory, os.R_OK):
        pytest.skip(
            f"the data directory {directory} (WAL, tables) is not readable by this user: pg_dump only"
        )
    data = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file() and os.access(p, os.R_OK))
    assert _scan(data, secrets) == []


def test_no_column_of_a_secret_polls_rows_holds_a_choice_and_only_t_times_answers_factors_exist():
    _body, made, poll, _secrets = full_poll()
    question = Question.approval(3)
    rows = Participation.objects.filter(poll=poll).values_list("ballot", "tracker")
    assert rows and all(ballot is None and len(tracker) == 64 for ballot, tracker in rows)
    for ballot in BoardEvent.objects.filter(poll=poll, type="ballot").values_list("body__ballot", flat=True):
        assert set(ballot) == {"answers", "overall", "poll", "version"}
        ballot_parse(ballot, question)  # ciphertexts and proofs, exactly that shape
    plain = {f.name for f in Participation._meta.get_fields() if f.concrete} - {
        "id",
        "poll",
        "principal",
        "cast_by",
        "weight",
        "idempotency_key",
        "cast_at",
        "source",
        "ballot",
        "tracker",
    }
    assert plain == set(), f"a new column may hold a choice: {plain}"
    partials = BoardEvent.objects.filter(poll=poll, type="partial_decryption").values_list("body", flat=True)
    assert len(partials) == made.committee.threshold
    assert all(len(body["factors"]) == 3 for body in partials)


def test_a_trustee_refuses_to_decrypt_anything_but_the_boards_sum():
    _body, made, poll, _secrets = full_poll()
    board = services.board_document(poll)
    closed = next(e for e in board["events"] if e["type"] == "close")
    board["events"] = board["events"][: closed["seq"] + 1]
    one_ballot = next(e for e in board["events"] if e["type"] == "ballot")["body"]["ballot"]
    closed["body"]["sum"] = [{"alpha": a["alpha"], "beta": a["beta"]} for a in one_ballot["answers"]]
    _rechain(board, closed["seq"])
    with pytest.raises(RefusedError, match="encrypted sum"):
        trustee_decrypt(board, made.keys[3], processes=1)


def _rechain(board, start):
    for event in board["events"][start:]:
        event["prev"] = board["events"][event["seq"] - 1]["hash"]
        event["hash"] = event_hash(
            seq=event["seq"], type_=event["type"], prev=event["prev"], body=event["body"]
        )


def test_tampering_with_a_ballot_a_weight_the_sum_a_factor_or_the_result_is_named_by_verify_poll(tmp_path):
    _body, _made, poll, _secrets = full_poll()
    original = services.board_document(poll)
    # What is changed, in which event, and the event verify-poll names (a weight shows at the close,
    # whose total weight and sum no longer match the ballots).
    cases = [
        ("ballot", "ballot", "ballot"),
        ("weight", "ballot", "close"),
        ("sum", "close", "close"),
        ("factor", "partial_decryption", "partial_decryption"),
        ("result", "result", "result"),
    ]
    for part, kind, named in cases:
        board = copy.deepcopy(original)
        event = next(e for e in board["events"] if e["type"] == kind)
        body = event["body"]
        if part == "ballot":
            answers = body["ballot"]["answers"]
            answers[0]["beta"], answers[1]["beta"] = answers[1]["beta"], answers[0]["beta"]
        elif part == "weight":
            body["weight"] = 2
        elif part == "sum":
            body["sum"][0], body["sum"][1] = body["sum"][1], body["sum"][0]
        elif part == "factor":
            body["factors"][0], body["factors"][1] = body["factors"][1], body["factors"][0]
        else:
            body["counts"] = [0, 4, 2]
        _rechain(board, event["seq"])
        path = tmp_path / f"{part}.json"
        path.write_text(json.dumps(board))
        seq = next(e["seq"] for e in board["events"] if e["type"] == named)
        with pytest.raises(CommandError, match=rf"FAILED: event {seq} \({named}\)"):
            call_command("verify_poll", str(path), "--processes", "1")
    assert Poll.objects.filter(pk=poll.pk, state="published").exists()
