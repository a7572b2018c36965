"""Secret polls through the API: the encrypted cast with its receipt, the board, the trustees'
committee and factors, and `councils verify-poll` / `councils trustee decrypt` against them."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from councils.accounts.services import token_create
from councils.voting.crypto.trustees import trustee_keygen
from councils.voting.models import BoardEvent, Participation, Poll
from tests.voting.conftest import make_body
from tests.voting.secret_helpers import NO, YES, encrypt, make_committee

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings, tmp_path):
    settings.COUNCILS_TRUSTEE_KEY_DIR = tmp_path / "trustee-keys"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def url(body, tail=""):
    return f"/api/organizations/{body.organization.slug}{tail}"


@pytest.fixture
def secret(db):
    body = make_body()
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    return body, made, poll


def test_an_encrypted_ballot_is_cast_with_its_key_and_a_retry_gets_the_same_receipt(secret):
    body, _made, poll = secret
    deputy = client_of(body.deputies[0].user)
    ballot = encrypt(poll, YES)
    done = post(deputy, url(body, f"/polls/{poll.pk}/ballots"), {"ballot": ballot}, HTTP_IDEMPOTENCY_KEY="k1")
    assert done.status_code == 201, done.content
    receipt = done.json()
    assert set(receipt) == {"tracker", "board_head", "board_length", "replayed"} and not receipt["replayed"]
    again = post(
        deputy, url(body, f"/polls/{poll.pk}/ballots"), {"ballot": ballot}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.status_code == 200 and again.json() == {**receipt, "replayed": True}
    other = post(
        deputy,
        url(body, f"/polls/{poll.pk}/ballots"),
        {"ballot": encrypt(poll, NO)},
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert other.status_code == 409 and receipt["tracker"] in other.json()["detail"]
    board = deputy.get(url(body, f"/polls/{poll.pk}/board"))
    document = json.loads(b"".join(board.streaming_content))
    assert document["events"][-1]["hash"] == receipt["board_head"]


@pytest.mark.parametrize(
    ("case", "status", "field", "words"),
    [
        ("malformed", 400, "ballot", "expected"),
        ("wrong proof", 400, "ballot", "proof"),
        ("replayed ciphertext", 400, "ballot", "repeats a ciphertext"),
        ("plain choice", 400, "ballot", "encrypted"),
        ("no key", 400, "idempotency_key", "Idempotency-Key"),
        ("outsider", 403, None, ""),
        ("closed", 400, "poll", "closed"),
    ],
)
def test_bad_secret_ballots_get_a_clear_4xx_and_change_nothing(secret, case, status, field, words):
    body, _made, poll = secret
    first = encrypt(poll, YES)
    post(
        client_of(body.deputies[0].user),
        url(body, f"/polls/{poll.pk}/ballots"),
        {"ballot": first},
        HTTP_IDEMPOTENCY_KEY="a",
    )
    user, payload, key = body.deputies[1].user, {"ballot": encrypt(poll, NO)}, "b"
    if case == "malformed":
        payload = {"ballot": {"answers": "yes"}}
    elif case == "wrong proof":
        payload["ballot"]["answers"][1]["proof"][1]["s"] = first["answers"][1]["proof"][1]["s"]
    elif case == "replayed ciphertext":
        payload = {"ballot": {**first, "answers": first["answers"][::-1]}}
    elif case == "plain choice":
        payload = {"answer": "yes"}
    elif case == "no key":
        key = ""
    elif case == "outsider":
        user = body.outsider
    elif case == "closed":
        post(client_of(body.officer), url(body, f"/polls/{poll.pk}/close"))
    events = BoardEvent.objects.filter(poll=poll).count()
    done = post(client_of(user), url(body, f"/polls/{poll.pk}/ballots"), payload, HTTP_IDEMPOTENCY_KEY=key)
    assert done.status_code == status, done.content
    if field:
        assert words in " ".join(done.json()["errors"][field]), done.json()
    assert Participation.objects.filter(poll=poll).count() == 1
    assert BoardEvent.objects.filter(poll=poll).count() == events


def test_trustees_decrypt_a_downloaded_board_with_the_command_and_the_api_takes_their_factors(
    secret, tmp_path
):
    body, made, poll = secret
    for deputy, choice in zip(body.deputies[:3], [YES, YES, NO], strict=True):
        post(
            client_of(deputy.user),
            url(body, f"/polls/{poll.pk}/ballots"),
            {"ballot": encrypt(poll, choice)},
            HTTP_IDEMPOTENCY_KEY=f"k{deputy.pk}",
        )
    assert post(client_of(body.officer), url(body, f"/polls/{poll.pk}/close")).status_code == 200
    for index in (2, 3):
        trustee = client_of(made.trustees[index].user)
        board = tmp_path / f"board-{index}.json"
        board.write_bytes(b"".join(trustee.get(url(body, f"/polls/{poll.pk}/board")).streaming_content))
        key = tmp_path / f"key-{index}.json"
        key.write_text(json.dumps(made.keys[index]))
        out = tmp_path / f"factors-{index}.json"
        call_command(
            "trustee", "decrypt", str(board), "--key", str(key), "--out", str(out), "--processes", "1"
        )
        done = post(trustee, url(body, f"/polls/{poll.pk}/factors"), json.loads(out.read_text()))
        assert done.status_code == 200, done.content
    assert done.json()["state"] == "counted"
    assert Poll.objects.get(pk=poll.pk).result["decision"]["yes"] == 2
    board.write_bytes(
        b"".join(client_of(body.deputies[0].user).get(url(body, f"/polls/{poll.pk}/board")).streaming_content)
    )
    call_command("verify_poll", str(board), "--processes", "1")


def test_a_committee_is_made_and_its_ceremony_relayed_through_the_api(body):
    officer = client_of(body.officer)
    members = [body.deputies[0].pk, body.deputies[1].pk, None]
    made = post(officer, url(body, "/committees"), {"name": "Tellers", "members": members})
    assert made.status_code == 201, made.content
    committee = made.json()
    assert committee["state"] == "keygen" and [t["member"] for t in committee["trustees"]] == members
    ceremony = (
        client_of(body.deputies[0].user).get(url(body, f"/committees/{committee['id']}/ceremony")).json()
    )
    assert set(ceremony["registrations"]) == {"3"}  # the server's trustee registered at once
    _key, message = trustee_keygen(ceremony, 1)
    wrong = post(
        client_of(body.deputies[1].user),
        url(body, f"/committees/{committee['id']}/messages"),
        {"index": 1, "message": message},
    )
    assert wrong.status_code == 403
    done = post(
        client_of(body.deputies[0].user),
        url(body, f"/committees/{committee['id']}/messages"),
        {"index": 1, "message": message},
    )
    assert done.status_code == 200, done.content
    twice = post(
        client_of(body.deputies[0].user),
        url(body, f"/committees/{committee['id']}/messages"),
        {"index": 1, "message": message},
    )
    assert twice.status_code == 400 and "already" in twice.json()["errors"]["message"][0]


@pytest.mark.django_db(transaction=True)
def test_verify_poll_checks_the_served_board_and_names_a_missing_tracker(
    live_server, settings, tmp_path, monkeypatch
):
    settings.COUNCILS_TRUSTEE_KEY_DIR = tmp_path / "keys"
    body = make_body()
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    deputy = client_of(body.deputies[0].user)
    receipt = post(
        deputy,
        url(body, f"/polls/{poll.pk}/ballots"),
        {"ballot": encrypt(poll, YES)},
        HTTP_IDEMPOTENCY_KEY="x",
    ).json()
    _token, secret_token = token_create(actor=body.deputies[0].user, name="verify")
    monkeypatch.setenv("COUNCILS_API_TOKEN", secret_token)
    address = live_server.url + url(body, f"/polls/{poll.pk}/board")
    call_command("verify_poll", address, "--tracker", receipt["tracker"], "--processes", "1")
    with pytest.raises(CommandError, match="not on the board"):
        call_command("verify_poll", address, "--tracker", "0" * 64, "--processes", "1")
