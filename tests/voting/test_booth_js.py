"""The booth page's logic (web/static/web/booth.js) under node: a ballot is kept in the browser
until the server acknowledges it, a lost answer or a 5xx sends the SAME ballot with the SAME key
again (also after a reload), a refusal is shown and forgotten, an audited ballot reveals its
randomness and can never be cast, and remembered trackers are re-checked against board events."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_audit_check, ballot_verify
from councils.voting.crypto.board import event_hash
from tests.voting.test_booth_crypto import STATIC, node

HARNESS = Path(__file__).with_name("booth_harness.js")
SECRET = group.random_scalar()
KEY = group.base_mul(SECRET)
FINGERPRINT = hashlib.sha256(b"booth poll").hexdigest()
QUESTION = Question.yes_no_abstain()
CONFIG = {
    "scope": "7",
    "fingerprint": FINGERPRINT,
    "electionKey": KEY.hex(),
    "question": QUESTION.to_json(),
}
YES = [1, 0, 0]


def run(steps: list[dict], *, answers: list[dict] | None = None, **extra: Any) -> dict:
    scenario = {"config": CONFIG | extra.pop("config", {}), "steps": steps, "answers": answers or []}
    scenario.update(extra)
    out = subprocess.run(
        [node(), str(HARNESS), str(STATIC), json.dumps(scenario)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


def receipt(*, replayed: bool = False) -> dict:
    """The server's receipt for the ballot sent (the harness fills in its tracker)."""
    return {"status": 201, "echo": True, "body": {"replayed": replayed}}


def pending_keys(storage: dict) -> list[str]:
    return [k for k in storage if "/pending/" in k]


def test_a_lost_answer_and_a_5xx_resend_the_same_ballot_with_the_same_key():
    answers = [{"network": True}, {"status": 502}, receipt()]
    record = run([{"do": "encrypt", "choices": YES}, {"do": "cast"}, {"do": "remembered"}], answers=answers)
    tracker = record["encrypted"]["tracker"]
    answers_sent = record["requests"]
    assert len(answers_sent) == 3
    bodies = {r["body"] for r in answers_sent}
    keys = {r["headers"]["Idempotency-Key"] for r in answers_sent}
    assert len(bodies) == 1 and len(keys) == 1, "every attempt sends the same ballot and key"
    # The ballot was in storage before the first request left.
    assert pending_keys(answers_sent[0]["stored"]), "the ballot is stored before it is sent"
    assert answers_sent[0]["headers"]["X-CSRFToken"] == "tok"
    assert [attempt for attempt, _ in record["retries"]] == [1, 2]
    sent = json.loads(bodies.pop())
    made = ballot_verify(sent["ballot"], question=QUESTION, fingerprint=FINGERPRINT, key=KEY)
    assert made.tracker == tracker
    outcome = record["outcomes"][0]
    assert outcome["status"] == "acknowledged" and outcome["tracker"] == tracker
    # Acknowledged: the ballot is forgotten, its tracker remembered (never the choice).
    assert not pending_keys(record["storage"])
    assert [r["tracker"] for r in record["remembered"]] == [tracker]
    assert "audit" not in json.dumps(record["storage"]) and "randomness" not in json.dumps(record["storage"])


def test_a_ballot_still_unanswered_after_every_retry_is_kept_and_sent_again_after_a_reload():
    lost = run(
        [{"do": "encrypt", "choices": [0, 1, 0]}, {"do": "cast"}],
        answers=[{"network": True}, {"network": True}],
        delays=[1],
    )
    assert lost["outcomes"][0]["status"] == "kept"
    assert pending_keys(lost["storage"])
    first_key = lost["requests"][0]["headers"]["Idempotency-Key"]
    first_body = lost["requests"][0]["body"]
    tracker = json.loads(next(v for k, v in lost["storage"].items() if "/pending/" in k))["tracker"]

    # The page opens again on the same browser storage: the same ballot goes with the same key;
    # the server had stored it, so it answers with the first receipt (replayed).
    again = run(
        [{"do": "pending"}, {"do": "resend"}, {"do": "remembered"}],
        answers=[receipt(replayed=True)],
        storage=lost["storage"],
    )
    assert [p["tracker"] for p in again["pending"]] == [tracker]
    assert again["requests"][0]["headers"]["Idempotency-Key"] == first_key
    assert again["requests"][0]["body"] == first_body
    assert again["outcomes"][0]["replayed"] is True
    assert not pending_keys(again["storage"])


def test_another_user_of_the_same_browser_never_resends_someone_elses_ballot():
    lost = run([{"do": "encrypt", "choices": YES}, {"do": "cast"}], answers=[{"network": True}], delays=[])
    other = run([{"do": "pending"}, {"do": "resend"}], storage=lost["storage"], config={"scope": "8"})
    assert other["pending"] == [] and other["requests"] == []


def test_a_refusal_is_shown_and_the_ballot_forgotten():
    refusal = {"status": 409, "body": {"error": "You have voted already.", "tracker": "ff" * 32}}
    record = run([{"do": "encrypt", "choices": YES}, {"do": "cast"}], answers=[refusal])
    outcome = record["outcomes"][0]
    assert outcome == {
        "status": "refused",
        "code": 409,
        "message": "You have voted already.",
        "tracker": "ff" * 32,
        "label": "",
    }
    assert len(record["requests"]) == 1
    assert not pending_keys(record["storage"])


def test_an_audited_ballot_reveals_its_randomness_and_cannot_be_cast():
    record = run([{"do": "encrypt", "choices": [0, 0, 1]}, {"do": "audit"}, {"do": "cast"}])
    audited = record["audited"]
    ballot = ballot_verify(audited["ballot"], question=QUESTION, fingerprint=FINGERPRINT, key=KEY)
    randomness = [group.scalar_from_hex(r, "r") for r in audited["audit"]["randomness"]]
    ballot_audit_check(ballot=ballot, key=KEY, choices=audited["audit"]["choices"], randomness=randomness)
    assert audited["audit"]["choices"] == [0, 0, 1]
    assert record["outcomes"] == [{"error": "encrypt a ballot first"}]
    assert record["requests"] == []


def test_a_receipt_naming_another_tracker_is_not_taken_for_an_acknowledgment():
    wrong = {"status": 201, "body": {"tracker": "ee" * 32, "board_head": "ab" * 32, "replayed": True}}
    record = run([{"do": "encrypt", "choices": YES}, {"do": "cast"}, {"do": "remembered"}], answers=[wrong])
    outcome = record["outcomes"][0]
    assert outcome["status"] == "mismatch" and outcome["tracker"] == "ee" * 32
    assert outcome["mine"] == record["encrypted"]["tracker"]
    assert record["remembered"] == []


def test_a_ballot_for_a_principal_is_kept_apart_and_labelled():
    record = run(
        [{"do": "encrypt", "choices": YES}, {"do": "cast", "principal": "41", "label": "Dybenko"}],
        answers=[{"network": True}],
        delays=[],
    )
    assert json.loads(record["requests"][0]["body"])["principal"] == "41"
    assert any(k.endswith("/pending/41") for k in record["storage"])


def _event(ballot_tracker: str, ballot: dict, *, seq: int = 4) -> dict:
    body = {"ballot": ballot, "tracker": ballot_tracker, "weight": 1}
    prev = "00" * 32
    return {
        "body": body,
        "prev": prev,
        "seq": seq,
        "type": "ballot",
        "hash": event_hash(seq=seq, type_="ballot", prev=prev, body=body),
    }


def test_remembered_trackers_are_checked_against_the_boards_events():
    made = run([{"do": "encrypt", "choices": YES}])["encrypted"]
    tracker, ballot = made["tracker"], made["ballot"]
    event = _event(tracker, ballot)
    storage = {
        f"councils-booth/7/{FINGERPRINT}/trackers": json.dumps(
            [{"tracker": tracker, "board_head": "", "label": ""}]
        )
    }
    record = run(
        [{"do": "recheck"}],
        answers=[{"status": 200, "body": {"found": True, "event": event, "withdrawn": False}}],
        storage=storage,
    )
    assert record["rechecked"] == [{"tracker": tracker, "label": "", "state": "counted", "seq": 4}]
    assert record["requests"][0]["url"] == f"/tracker/?tracker={tracker}"

    forged = dict(event, hash="11" * 32)
    other = _event(tracker, dict(ballot, version=2))
    for answer, state in [
        ({"found": False}, "missing"),
        ({"found": True, "event": forged}, "missing"),
        ({"found": True, "event": other}, "missing"),
        ({"found": True, "event": event, "withdrawn": True}, "withdrawn"),
    ]:
        assert run([{"do": "judge", "tracker": tracker, "answer": answer}])["judged"] == state
