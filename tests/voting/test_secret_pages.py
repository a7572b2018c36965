"""A secret poll's pages: the booth's data and its cast endpoint with the refusals a voter meets,
the tracker check, the board's download, the statement of what the secrecy protects against, the
trustees' wizard step by step, their decryption step, and the poll form's committee choice."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from councils.voting import services
from councils.voting.crypto.board import verify_board
from councils.voting.crypto.trustees import trustee_keygen
from councils.voting.models import Participation, Poll, TrusteeCommittee
from tests.voting.conftest import make_body
from tests.voting.secret_setup import decrypt, encrypted, ready_committee

pytestmark = pytest.mark.django_db

YES, NO = [1, 0, 0], [0, 1, 0]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup(db):
    body = make_body(deputies=5)
    committee, keys = ready_committee(body)
    poll = body.poll(secrecy="secret", committee=committee, title="Peace without annexations")
    return body, poll, keys


def url(body, poll, name="poll"):
    return reverse(name, args=[body.organization.slug, poll.pk])


def cast(client, body, poll, ballot, key="k-1"):
    return client.post(
        url(body, poll, "poll_secret_ballot"),
        data=json.dumps({"ballot": ballot, "principal": None}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_the_booth_carries_the_polls_question_key_and_fingerprint_for_the_browser(setup):
    body, poll, _keys = setup
    html = client_of(body.deputies[3].user).get(url(body, poll)).content.decode()
    assert 'id="booth-data" type="application/json"' in html
    start = html.index('id="booth-data" type="application/json">') + len(
        'id="booth-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["fingerprint"] == poll.fingerprint
    assert data["electionKey"] == poll.committee.election_key
    assert data["question"] == {"answers": 3, "max": 1, "min": 1}
    assert data["castUrl"] == url(body, poll, "poll_secret_ballot")
    assert data["may_vote"] is True
    # The scripts come with their integrity hashes; no inline script (the CSP refuses them).
    for name in ("noble-ristretto255.js", "booth-crypto.js", "booth.js"):
        assert f"web/{name}" in html or f"vendor/{name}" in html
    assert html.count('integrity="sha384-') >= 3
    assert "<script>" not in html
    # The statement of what the secrecy protects against, before anyone votes.
    assert "What the secrecy protects against" in html
    assert "Decrypting the sum takes 2 of the 3 trustees together" in html


def test_a_cast_is_taken_once_and_a_retry_with_its_key_gets_the_first_receipt(setup):
    body, poll, _keys = setup
    client = client_of(body.deputies[3].user)
    ballot = encrypted(poll, YES)
    first = cast(client, body, poll, ballot)
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert set(receipt) == {"tracker", "board_head", "replayed"} and receipt["replayed"] is False
    again = cast(client, body, poll, ballot)
    assert again.status_code == 200 and again.json() == receipt | {"replayed": True}
    other = cast(client, body, poll, encrypted(poll, NO), key="k-2")
    assert other.status_code == 409 and other.json()["error"]
    assert Participation.objects.filter(poll=poll).count() == 1
    # The voter's page says they voted; the booth stays (to re-check remembered trackers).
    html = client.get(url(body, poll)).content.decode()
    assert "You have voted." in html and '"may_vote": false' in html


@pytest.mark.parametrize(
    "payload, status",
    [("not json", 400), ("[]", 400), ('{"ballot": "x"}', 400)],
)
def test_a_request_that_is_no_ballot_is_refused_with_a_reason(setup, payload, status):
    body, poll, _keys = setup
    response = client_of(body.deputies[3].user).post(
        url(body, poll, "poll_secret_ballot"),
        data=payload,
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == status and response.json()["error"]
    assert not Participation.objects.filter(poll=poll).exists()


def test_a_tampered_ballot_a_copied_one_and_a_closed_poll_are_refused_and_change_nothing(setup):
    body, poll, _keys = setup
    voter, other = client_of(body.deputies[3].user), client_of(body.deputies[4].user)
    ballot = encrypted(poll, YES)
    tampered = json.loads(json.dumps(ballot))
    tampered["answers"][0]["proof"][0]["c"], tampered["answers"][0]["proof"][1]["c"] = (
        tampered["answers"][0]["proof"][1]["c"],
        tampered["answers"][0]["proof"][0]["c"],
    )
    refused = cast(voter, body, poll, tampered)
    assert refused.status_code == 400 and refused.json()["error"]
    assert cast(voter, body, poll, ballot).status_code == 201
    copied = cast(other, body, poll, ballot, key="k-other")
    assert copied.status_code in (400, 409) and copied.json()["error"]
    services.poll_close(actor=body.officer, poll=poll)
    late = cast(other, body, poll, encrypted(poll, NO), key="k-late")
    assert late.status_code == 400 and late.json()["error"]
    assert Participation.objects.filter(poll=poll).count() == 1


def test_someone_outside_the_electorate_gets_no_booth_and_is_refused(setup):
    body, poll, _keys = setup
    non_elector = next(m for m in body.constituency.members.all() if m not in body.deputies)
    client = client_of(non_elector.user)
    assert "You are not in this poll's electorate." in client.get(url(body, poll)).content.decode()
    refused = cast(client, body, poll, encrypted(poll, YES))
    assert refused.status_code in (400, 403) and refused.json()["error"]
    assert not Participation.objects.filter(poll=poll).exists()


def test_a_voter_checks_their_tracker_on_the_board(setup):
    body, poll, _keys = setup
    client = client_of(body.deputies[3].user)
    tracker = cast(client, body, poll, encrypted(poll, YES)).json()["tracker"]
    page = client.get(url(body, poll, "poll_tracker"), {"tracker": tracker}).content.decode()
    assert "This ballot is on the board" in page and f"--tracker {tracker}" in page
    answer = client.get(
        url(body, poll, "poll_tracker"), {"tracker": tracker}, headers={"Accept": "application/json"}
    ).json()
    assert answer["found"] is True and answer["event"]["body"]["tracker"] == tracker
    missing = client.get(url(body, poll, "poll_tracker"), {"tracker": "0" * 64}).content.decode()
    assert "No ballot with this tracker is on the board" in missing
    typo = client.get(url(body, poll, "poll_tracker"), {"tracker": "xyz"}).content.decode()
    assert "A tracker is 64 hexadecimal digits" in typo


def test_the_board_downloads_and_verifies(setup):
    body, poll, _keys = setup
    cast(client_of(body.deputies[3].user), body, poll, encrypted(poll, YES))
    response = client_of(body.deputies[0].user).get(url(body, poll, "poll_board"))
    assert response.status_code == 200
    checked = verify_board(json.loads(b"".join(response.streaming_content)), processes=1)
    assert checked.fingerprint == poll.fingerprint


def test_trustees_decrypt_on_their_step_page_and_the_result_is_declared(setup):
    body, poll, keys = setup
    for n, choice in enumerate([YES, YES, NO]):
        cast(client_of(body.deputies[n].user), body, poll, encrypted(poll, choice), key=f"k{n}")
    poll = services.poll_close(actor=body.officer, poll=poll)
    trustee = client_of(body.deputies[0].user)
    page = trustee.get(url(body, poll)).content.decode()
    assert "0 of the 2 trustees needed have decrypted the sum" in page
    step = trustee.get(url(body, poll, "poll_decrypt")).content.decode()
    assert "councils trustee decrypt board.json --key trustee-1.key --out factors.json" in step
    bad = trustee.post(url(body, poll, "poll_decrypt"), {"index": 1, "text": "{}"}, follow=True)
    assert bad.status_code == 200 and "Post my decryption factors" in bad.content.decode()
    from councils.voting.crypto.board import trustee_decrypt

    factors = trustee_decrypt(services.board_document(poll), keys[1], processes=1)
    done = trustee.post(
        url(body, poll, "poll_decrypt"), {"index": 1, "text": json.dumps(factors)}, follow=True
    )
    assert "Your decryption factors are on the board." in done.content.decode()
    assert "1 of the 2 trustees needed" in done.content.decode()
    # Trustee 1 may not decrypt for trustee 2; a non-trustee has no step page.
    assert client_of(body.deputies[4].user).get(url(body, poll, "poll_decrypt")).status_code == 403
    poll = decrypt(poll, keys, [2], {2: body.deputies[1].user})
    poll.refresh_from_db()
    assert poll.current_state in (Poll.State.COUNTED, Poll.State.PUBLISHED)
    html = client_of(body.officer).get(url(body, poll)).content.decode()
    assert "The result is decrypted." in html


def test_the_wizard_walks_each_trustee_through_register_deal_and_confirm(db):
    body = make_body(deputies=3)
    officer = client_of(body.officer)
    created = officer.post(
        reverse("committees", args=[body.organization.slug]),
        {
            "name": "Tellers of the soviet",
            "threshold": 2,
            **{f"trustee_{i + 1}": str(m.pk) for i, m in enumerate(body.deputies)},
        },
        follow=True,
    )
    assert "each trustee now registers" in created.content.decode()
    committee = TrusteeCommittee.objects.get(organization=body.organization)
    assert committee.size == 3 and committee.threshold == 2
    page_url = reverse("committee", args=[body.organization.slug, committee.pk])
    post_url = reverse("committee_message", args=[body.organization.slug, committee.pk])
    first = client_of(body.deputies[0].user)
    html = first.get(page_url).content.decode()
    assert "Step 1 of 3, register" in html
    assert "councils trustee keygen ceremony.json --index 1 --key trustee-1.key --out message.json" in html
    assert "Your step as trustee 2" not in html  # each trustee sees their own step only
    # A message that is not JSON, or not a registration of this trustee, is refused; nothing changes.
    refused = first.post(post_url, {"index": 1, "text": "register me"}, follow=True).content.decode()
    assert "This is not JSON" in refused
    ceremony = json.loads(
        first.get(reverse("committee_ceremony", args=[body.organization.slug, committee.pk])).content
    )
    _key, message = trustee_keygen(ceremony, 1)
    done = first.post(post_url, {"index": 1, "text": json.dumps(message)}, follow=True).content.decode()
    assert "Your message is in the ceremony." in done
    assert "waiting for the others" in done
    committee.refresh_from_db()
    assert set(committee.ceremony["registrations"]) == {"1"}
    # Trustee 2 cannot post trustee 1's step.
    _key2, message2 = trustee_keygen(ceremony, 2)
    client_of(body.deputies[1].user).post(post_url, {"index": 1, "text": json.dumps(message2)})
    committee.refresh_from_db()
    assert set(committee.ceremony["registrations"]) == {"1"}


def test_the_poll_form_offers_ready_committees_for_a_secret_poll(db):
    body = make_body(deputies=3)
    client = client_of(body.officer)
    form = {
        "title": "Peace",
        "kind": "motion",
        "seats": 1,
        "electorate": f"council:{body.council.pk}",
        "secrecy": "secret",
        "majority": "simple",
        "abstentions": "exclude",
        "quorum": "none",
        "weighting": "equal",
    }
    new = reverse("poll_new", args=[body.organization.slug])
    refused = client.post(new, form)
    assert refused.status_code == 200 and "ready trustee committee" in refused.content.decode()
    assert not Poll.objects.filter(title="Peace").exists()
    committee, _keys = ready_committee(body)
    page = client.get(new).content.decode()
    assert "Trustee committee (secret polls)" in page and "Tellers" in page
    client.post(new, form | {"committee": committee.pk})
    assert Poll.objects.get(title="Peace").committee == committee
