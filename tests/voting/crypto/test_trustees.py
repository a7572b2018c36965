"""Trustees: the key ceremony, key files, decryption factors, Lagrange combination, bounded logs."""

from __future__ import annotations

import copy
import json

import pytest

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_encrypt, ciphertext_sum
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.trustees import (
    ceremony_add,
    ceremony_new,
    combine,
    decryption_factors,
    decryption_factors_verify,
    dlog_bounded,
    lagrange_at_zero,
    public_trustees_verify,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)

from .conftest import make_committee


def test_the_election_key_is_the_secret_that_any_threshold_of_shares_rebuilds(committee):
    shares = {i: group.scalar_from_hex(k["share"], "share") for i, k in committee.keys.items()}
    for pair in [(1, 2), (1, 3), (2, 3)]:
        lam = lagrange_at_zero(pair)
        secret = sum(lam[i] * shares[i] for i in pair) % group.L
        assert group.base_mul(secret) == committee.election_key


def test_a_key_file_is_a_few_hundred_bytes(committee):
    assert 200 < len(json.dumps(committee.keys[1])) < 400


def test_decryption_needs_the_threshold_and_any_two_trustees_agree(committee):
    question = Question.approval(2)
    fp = "ab" * 32
    ballots = [
        ballot_encrypt(question=question, fingerprint=fp, key=committee.election_key, choices=c).ballot
        for c in ([1, 0], [1, 1], [0, 1], [1, 1], [1, 0])
    ]
    sums = [ciphertext_sum([b.ciphertexts[a] for b in ballots]) for a in range(2)]
    _, verification = public_trustees_verify(committee.public, [t.to_json() for t in committee.trustees])
    factors = {}
    for i in (1, 2, 3):
        partial = decryption_factors(
            key=committee.keys[i],
            committee_fingerprint=committee.public["fingerprint"],
            fingerprint=fp,
            election_key=committee.election_key,
            sums=sums,
        )
        factors[i] = decryption_factors_verify(
            partial=partial,
            fingerprint=fp,
            election_key=committee.election_key,
            verification_keys=verification,
            sums=sums,
            where="p",
        )
    for pair in [(1, 2), (2, 3), (1, 3)]:
        assert combine(sums=sums, factors={i: factors[i] for i in pair}, threshold=2, bound=5) == [4, 3]
    with pytest.raises(MalformedError, match="2 are needed"):
        combine(sums=sums, factors={2: factors[2]}, threshold=2, bound=5)


def test_a_factor_checked_against_another_trustees_key_fails(committee):
    sums = [
        ballot_encrypt(
            question=Question(1, 0, 1), fingerprint="ab" * 32, key=committee.election_key, choices=[1]
        ).ballot.ciphertexts[0]
    ]
    _, verification = public_trustees_verify(committee.public, [t.to_json() for t in committee.trustees])
    partial = decryption_factors(
        key=committee.keys[1],
        committee_fingerprint=committee.public["fingerprint"],
        fingerprint="ab" * 32,
        election_key=committee.election_key,
        sums=sums,
    )
    partial["index"] = 2
    with pytest.raises(InvalidProofError, match="trustee 2's factor"):
        decryption_factors_verify(
            partial=partial,
            fingerprint="ab" * 32,
            election_key=committee.election_key,
            verification_keys=verification,
            sums=sums,
            where="p",
        )


def test_a_dealer_whose_share_does_not_match_its_commitments_is_named():
    ceremony = ceremony_new(label="x", threshold=2, size=3)
    keys = {}
    for i in (1, 2, 3):
        keys[i], message = trustee_keygen(ceremony, i)
        ceremony_add(ceremony, message)
    for i in (1, 2, 3):
        ceremony_add(ceremony, trustee_deal(ceremony, keys[i]))
    # Trustee 2 deals again behind the others' backs: its sealed shares come from another polynomial.
    ceremony["deals"]["2"]["shares"] = trustee_deal(ceremony, keys[2])["shares"]
    with pytest.raises(InvalidProofError, match="trustee 2: the share for trustee 1 does not match"):
        trustee_confirm(ceremony, keys[1])


def test_a_commitment_without_a_valid_proof_is_refused():
    ceremony = ceremony_new(label="x", threshold=2, size=2)
    keys = {}
    for i in (1, 2):
        keys[i], message = trustee_keygen(ceremony, i)
        ceremony_add(ceremony, message)
    deal = trustee_deal(ceremony, keys[1])
    forged = copy.deepcopy(deal)
    forged["commitments"][1] = group.base_mul(12345).hex()
    with pytest.raises(InvalidProofError, match="trustee 1: the proof of coefficient 1"):
        ceremony_add(ceremony, forged)
    # The same deal presented as trustee 2's fails too: proofs are bound to the dealer.
    stolen = dict(deal, index=2)
    with pytest.raises(InvalidProofError, match="trustee 2"):
        ceremony_add(ceremony, stolen)


def test_the_ceremony_refuses_steps_out_of_order_and_twice():
    ceremony = ceremony_new(label="x", threshold=2, size=3)
    key, message = trustee_keygen(ceremony, 1)
    ceremony_add(ceremony, message)
    with pytest.raises(MalformedError, match="already sent"):
        ceremony_add(ceremony, message)
    with pytest.raises(MalformedError, match="1 of 3 trustees have registered"):
        trustee_deal(ceremony, key)
    with pytest.raises(MalformedError, match="threshold"):
        ceremony_new(label="x", threshold=4, size=3)


def test_another_committee_size():
    committee = make_committee(threshold=3, size=5)
    shares = {i: group.scalar_from_hex(k["share"], "share") for i, k in committee.keys.items()}
    lam = lagrange_at_zero([2, 4, 5])
    assert group.base_mul(sum(lam[i] * shares[i] for i in (2, 4, 5)) % group.L) == committee.election_key


@pytest.mark.parametrize("m", [0, 1, 2, 99, 100, 1000, 12345])
def test_the_bounded_logarithm_finds_every_value_up_to_the_bound(m):
    assert dlog_bounded(group.base_mul(m), 12345) == m


def test_the_bounded_logarithm_refuses_a_value_beyond_the_bound():
    with pytest.raises(InvalidProofError, match="between 0 and 100"):
        dlog_bounded(group.base_mul(101), 100)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "registration", "index": 1},
        {"type": "registration", "index": 1, "exchange_key": "zz"},
        {"type": "registration", "index": "1", "exchange_key": "00" * 32},
        {"type": "registration", "index": 1, "exchange_key": "00" * 32, "extra": 1},
        {"type": "vote", "index": 1},
    ],
)
def test_a_malformed_message_is_refused_and_changes_nothing(message):
    ceremony = ceremony_new(label="x", threshold=2, size=3)
    before = copy.deepcopy(ceremony)
    with pytest.raises(MalformedError):
        ceremony_add(ceremony, message)
    assert ceremony == before


def test_a_deal_without_a_share_for_everyone_is_refused():
    ceremony = ceremony_new(label="x", threshold=2, size=3)
    keys = {}
    for i in (1, 2, 3):
        keys[i], message = trustee_keygen(ceremony, i)
        ceremony_add(ceremony, message)
    deal = trustee_deal(ceremony, keys[1])
    del deal["shares"]["3"]
    with pytest.raises(MalformedError, match="one sealed share for each of the 3 trustees"):
        ceremony_add(ceremony, deal)
