"""Secret polls through the services: a committee's ceremony, the encrypted cast, the close, the
trustees' factors and the declared result."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from councils.audit.models import Event
from councils.federation.errors import NotAllowed
from councils.voting import services
from councils.voting.crypto.board import verify_board
from councils.voting.errors import AlreadyVoted
from councils.voting.models import BoardEvent, Participation, Poll, TrusteeCommittee
from tests.voting.secret_helpers import ABSTAIN, NO, YES, decrypt_as, encrypt, make_committee

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings, tmp_path):
    settings.COUNCILS_TRUSTEE_KEY_DIR = tmp_path / "trustee-keys"


def cast(poll, member, choices, key=None, principal=None):
    return services.secret_ballot_cast(
        actor=member.user,
        poll=poll,
        ballot=encrypt(poll, choices),
        idempotency_key=key or f"key-{member.pk}-{principal.pk if principal else ''}",
        principal=principal,
    )


def test_a_committee_of_three_members_becomes_ready_with_its_election_key(body):
    made = make_committee(body)
    committee = made.committee
    assert committee.state == TrusteeCommittee.State.READY and len(committee.election_key) == 64
    assert all(t.verification_key for t in committee.trustees.all())
    kinds = list(Event.objects.filter(kind__startswith="committee.").values_list("kind", flat=True))
    assert kinds.count("committee.created") == 1 and kinds.count("committee.ready") == 1
    # Nothing secret was stored: the ceremony holds public messages and sealed shares only.
    text = str(committee.ceremony)
    assert all(
        made.keys[i]["share"] not in text and made.keys[i]["exchange_secret"] not in text for i in made.keys
    )


def test_the_full_life_of_a_secret_motion_with_weights_and_a_proxy(body):
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    assert poll.board_length == 4 and poll.fingerprint  # setup + three trustees' keys
    d = body.deputies
    services.proxy_give(actor=d[4].user, poll=poll, holder=d[3])
    receipts = [cast(poll, d[0], YES), cast(poll, d[1], YES), cast(poll, d[2], NO), cast(poll, d[3], ABSTAIN)]
    receipts.append(cast(poll, d[3], YES, principal=d[4]))
    assert len({r.tracker for r in receipts}) == 5 and receipts[-1].board_length == 9
    proxied = Participation.objects.get(poll=poll, principal=d[4])
    assert proxied.cast_by_id == d[3].pk and proxied.tracker == receipts[-1].tracker
    poll = services.poll_close(actor=body.officer, poll=poll)
    assert poll.board_length == 10
    closed = Event.objects.filter(kind="poll.closed").get()
    assert closed.data["board_head"] == poll.board_head
    poll = decrypt_as(made, poll, 3)
    assert poll.state == Poll.State.CLOSED
    poll = decrypt_as(made, poll, 1)
    assert poll.state == Poll.State.COUNTED
    assert poll.result["decision"]["yes"] == 3 and poll.result["outcome"] == "adopted"
    poll = services.poll_publish(actor=body.officer, poll=poll)
    checked = verify_board(services.board_document(poll), tracker=receipts[0].tracker, processes=1)
    assert checked.counts == (3, 1, 1) and checked.head == poll.board_head


def test_a_poll_whose_first_ballots_were_cast_before_the_points_column_closes_and_counts(body, monkeypatch):
    # Ballot events written before migration 0005 have no points: the close reads their bodies.
    from councils.voting.services.secret_append import SecretBallot

    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    d = body.deputies
    services.proxy_give(actor=d[4].user, poll=poll, holder=d[3])
    with monkeypatch.context() as patched:
        patched.setattr(SecretBallot, "points", lambda self: None)
        cast(poll, d[0], YES)
        cast(poll, d[3], NO, principal=d[4])  # a proxy's ballot, also without points
    cast(poll, d[1], YES)
    cast(poll, d[3], YES)
    stored = dict(BoardEvent.objects.filter(poll=poll, type="ballot").values_list("seq", "points"))
    assert sorted(p is None for p in stored.values()) == [False, False, True, True]
    weights = dict(Participation.objects.filter(poll=poll).values_list("principal_id", "weight"))
    poll = services.poll_close(actor=body.officer, poll=poll)
    close = BoardEvent.objects.get(poll=poll, type="close").body
    assert close["count"] == 4 and close["total_weight"] == sum(weights.values())
    poll = decrypt_as(made, decrypt_as(made, poll, 1), 2)
    yes, no = weights[d[0].pk] + weights[d[1].pk] + weights[d[3].pk], weights[d[4].pk]
    assert poll.result["decision"]["yes"] == yes and poll.result["decision"]["no"] == no
    assert verify_board(services.board_document(poll), processes=1).counts == (yes, no, 0)


def test_a_retry_with_the_same_key_gets_the_first_receipt_and_another_key_409(body):
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    deputy = body.deputies[0]
    ballot = encrypt(poll, YES)
    first = services.secret_ballot_cast(actor=deputy.user, poll=poll, ballot=ballot, idempotency_key="k1")
    again = services.secret_ballot_cast(actor=deputy.user, poll=poll, ballot=ballot, idempotency_key="k1")
    assert again.replayed and (again.tracker, again.board_head) == (first.tracker, first.board_head)
    with pytest.raises(AlreadyVoted, match=first.tracker):
        cast(poll, deputy, NO, key="k2")
    assert Participation.objects.filter(poll=poll).count() == 1
    assert BoardEvent.objects.filter(poll=poll, type="ballot").count() == 1


def test_bad_ballots_are_refused_naming_the_fault_and_change_nothing(body):
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    d = body.deputies
    good = encrypt(poll, YES)
    services.secret_ballot_cast(actor=d[0].user, poll=poll, ballot=good, idempotency_key="a")
    wrong_proof = encrypt(poll, NO)
    wrong_proof["answers"][0]["proof"][0]["c"] = good["answers"][0]["proof"][0]["c"]
    # The same ciphertexts in another order: every proof still holds (the sum is the same).
    copied = {**good, "answers": [good["answers"][1], good["answers"][0], good["answers"][2]]}
    cases = [
        ({"answers": []}, "expected"),
        (wrong_proof, "answers/0/proof"),
        (copied, "repeats a ciphertext"),
        (good, "repeats a ciphertext"),
    ]
    for ballot, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.secret_ballot_cast(actor=d[1].user, poll=poll, ballot=ballot, idempotency_key="b")
    with pytest.raises(NotAllowed):
        services.secret_ballot_cast(
            actor=body.outsider, poll=poll, ballot=encrypt(poll, NO), idempotency_key="c"
        )
    assert Participation.objects.filter(poll=poll).count() == 1
    assert BoardEvent.objects.filter(poll=poll).count() == 5
    services.poll_close(actor=body.officer, poll=poll)
    with pytest.raises(ValidationError, match="closed"):
        cast(poll, d[2], NO)


def test_a_trustee_posting_wrong_or_extra_factors_is_refused(body):
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    cast(poll, body.deputies[0], YES)
    poll = services.poll_close(actor=body.officer, poll=poll)
    from councils.voting.crypto.board import trustee_decrypt

    factors = trustee_decrypt(services.board_document(poll), made.keys[2], processes=1)
    with pytest.raises(NotAllowed):
        services.trustee_factors_post(actor=made.trustees[1].user, poll=poll, index=2, factors=factors)
    with pytest.raises(ValidationError, match="index"):
        services.trustee_factors_post(actor=made.trustees[1].user, poll=poll, index=1, factors=factors)
    forged = {
        **factors,
        "index": 2,
        "factors": [factors["factors"][1], factors["factors"][0], factors["factors"][2]],
    }
    with pytest.raises(ValidationError, match="does not verify"):
        services.trustee_factors_post(actor=made.trustees[2].user, poll=poll, index=2, factors=forged)
    decrypt_as(made, poll, 2)
    with pytest.raises(ValidationError, match="already"):
        decrypt_as(made, poll, 2)
    poll = decrypt_as(made, poll, 3)
    assert poll.state == Poll.State.COUNTED
    with pytest.raises(ValidationError):
        decrypt_as(made, poll, 1)
    assert BoardEvent.objects.filter(poll=poll, type="partial_decryption").count() == 2


def test_the_embedded_trustee_decrypts_from_its_key_file_with_one_human_teller(body, settings):
    made = make_committee(body, embedded=True)
    assert made.committee.state == TrusteeCommittee.State.READY
    assert services.embedded_key_path(made.committee, 1).exists()
    poll = body.poll(
        kind="election", method="approval", candidates=["Lenin", "Martov", "Spiridonova"], secrecy="secret"
    )
    assert poll.committee_id == made.committee.pk  # the organization's ready committee by default
    cast(poll, body.deputies[0], [1, 0, 1])
    cast(poll, body.deputies[1], [1, 1, 0])
    poll = services.poll_close(actor=body.officer, poll=poll)
    poll = services.embedded_trustee_decrypt(actor=body.officer, poll=poll)
    poll = decrypt_as(made, poll, 2)
    assert poll.state == Poll.State.COUNTED
    assert poll.result["stages"][0]["votes"] == {"Lenin": "2", "Martov": "1", "Spiridonova": "1"}


def test_a_secret_poll_needs_a_ready_committee(body):
    with pytest.raises(ValidationError, match="trustee committee"):
        body.poll(secrecy="secret")
    assert not Poll.objects.exists()


def test_a_secret_ballot_is_stored_once_on_the_board_and_the_close_seals_it_from_there(body):
    # Migration 0006 moves the ballots of earlier casts off the participations and back: the
    # close's digest is the same either way (it is the one computed when both held the ballot).
    import importlib

    from django.apps import apps

    migration = importlib.import_module("councils.voting.migrations.0006_secret_ballot_once")
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    d = body.deputies
    receipts = [cast(poll, d[0], YES), cast(poll, d[1], NO), cast(poll, d[2], ABSTAIN)]
    rows = Participation.objects.filter(poll=poll)
    assert sorted(rows.values_list("tracker", flat=True)) == sorted(r.tracker for r in receipts)
    assert set(rows.values_list("ballot", flat=True)) == {None}
    on_board = dict(
        BoardEvent.objects.filter(poll=poll, type="ballot").values_list("tracker", "body__ballot")
    )
    once = services.participation_digest(poll)
    migration.backward(apps, None)
    assert {p.tracker: p.ballot for p in rows.all()} == on_board
    assert services.participation_digest(poll) == once
    Participation.objects.filter(poll=poll, principal=d[2]).update(ballot=None)  # a row moved
    assert services.participation_digest(poll) == once
    migration.forward(apps, None)
    assert set(rows.values_list("ballot", flat=True)) == {None}
    poll = services.poll_close(actor=body.officer, poll=poll)
    assert Event.objects.get(kind="poll.closed").data["digest"] == once[2]
    assert once[:2] == (3, sum(rows.values_list("weight", flat=True)))
