"""Encrypted ballots: what verifies, what is refused, and what the challenges hash."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councils.voting.crypto import group
from councils.voting.crypto.ballot import (
    Question,
    ballot_audit_check,
    ballot_encrypt,
    ballot_verify,
    ciphertext_sum,
)
from councils.voting.crypto.canonical import canonical_json
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from councils.voting.crypto.proofs import (
    DOMAIN_RANGE,
    _range_challenge,
    challenge,
    range_prove,
    range_verify,
)

FINGERPRINT = "f1" * 32
SECRET = group.random_scalar()
KEY = group.base_mul(SECRET)


def encrypt(question, choices, fingerprint=FINGERPRINT, key=KEY):
    return ballot_encrypt(question=question, fingerprint=fingerprint, key=key, choices=choices)


def decrypt(ct) -> int:
    point = group.sub(ct.beta, group.mul(SECRET, ct.alpha))
    return next(m for m in range(10) if group.base_mul(m) == point)


@pytest.mark.parametrize(
    ("question", "choices"),
    [
        (Question.yes_no_abstain(), [0, 0, 1]),
        (Question.plurality(4), [0, 1, 0, 0]),
        (Question.plurality(4, blank_allowed=True), [0, 0, 0, 0]),
        (Question.approval(5, most=3), [1, 0, 1, 1, 0]),
        (Question.approval(5, most=3), [0, 0, 0, 0, 0]),
    ],
)
def test_a_valid_ballot_verifies_and_decrypts_to_its_choices(question, choices):
    encrypted = encrypt(question, choices)
    ballot = ballot_verify(encrypted.ballot.canonical(), question=question, fingerprint=FINGERPRINT, key=KEY)
    assert [decrypt(ct) for ct in ballot.ciphertexts] == choices
    assert ballot.tracker == hashlib.sha256(encrypted.ballot.canonical()).hexdigest()


@pytest.mark.parametrize(
    ("question", "choices"),
    [
        (Question.yes_no_abstain(), [1, 1, 0]),
        (Question.yes_no_abstain(), [0, 0, 0]),
        (Question.plurality(3), [0, 0, 0]),
        (Question.approval(5, most=2), [1, 1, 1, 0, 0]),
        (Question.yes_no_abstain(), [2, 0, 0]),
    ],
)
def test_the_booth_refuses_to_encrypt_an_invalid_choice(question, choices):
    with pytest.raises(MalformedError, match="choices"):
        encrypt(question, choices)


def test_a_ballot_with_two_marks_where_one_is_allowed_fails_its_overall_proof():
    question = Question.yes_no_abstain()
    cheat = encrypt(Question(3, 2, 2), [1, 1, 0]).ballot
    # Same shape as a yes/no/abstain ballot (one overall branch), but it proves "the sum is 2".
    with pytest.raises(InvalidProofError, match="ballot/overall"):
        ballot_verify(cheat.to_json(), question=question, fingerprint=FINGERPRINT, key=KEY)


def test_an_answer_that_encrypts_two_fails_its_own_proof():
    question = Question.approval(3)
    data = encrypt(question, [1, 0, 0]).ballot.to_json()
    beta = bytes.fromhex(data["answers"][0]["beta"])
    data["answers"][0]["beta"] = group.add(beta, group.BASE).hex()
    with pytest.raises(InvalidProofError, match="ballot/answers/0/proof"):
        ballot_verify(data, question=question, fingerprint=FINGERPRINT, key=KEY)


def test_a_ballot_made_for_another_poll_or_key_is_refused():
    question = Question.yes_no_abstain()
    ballot = encrypt(question, [1, 0, 0]).ballot
    with pytest.raises(InvalidProofError, match="another poll"):
        ballot_verify(ballot.to_json(), question=question, fingerprint="f2" * 32, key=KEY)
    with pytest.raises(InvalidProofError, match="answers/0/proof"):
        ballot_verify(ballot.to_json(), question=question, fingerprint=FINGERPRINT, key=group.base_mul(5))


def test_the_proofs_are_bound_to_fingerprint_key_and_statement():
    """Weak Fiat-Shamir would let a proof survive a change of poll, key or statement: it must not."""
    r = group.random_scalar()
    alpha, beta = group.base_mul(r), group.add(group.BASE, group.mul(r, KEY))
    proof = range_prove(fingerprint=FINGERPRINT, key=KEY, alpha=alpha, beta=beta, values=[0, 1], m=1, r=r)
    range_verify(fingerprint=FINGERPRINT, key=KEY, alpha=alpha, beta=beta, values=[0, 1], branches=proof)
    for change in [
        {"fingerprint": "00" * 32},
        {"values": [1, 0]},
    ]:
        kwargs = {
            "fingerprint": FINGERPRINT,
            "key": KEY,
            "alpha": alpha,
            "beta": beta,
            "values": [0, 1],
        } | change
        with pytest.raises(InvalidProofError):
            range_verify(branches=proof, **kwargs)


def test_the_challenge_hashes_exactly_the_documented_bytes():
    commitments = [group.base_mul(2), group.base_mul(3)]
    statement = {"alpha": group.BASE.hex(), "beta": KEY.hex(), "values": [0, 1]}
    expected_bytes = (
        '{"commitments":["' + commitments[0].hex() + '","' + commitments[1].hex() + '"],'
        '"domain":"councils/range/1","fingerprint":"' + FINGERPRINT + '","key":"' + KEY.hex() + '",'
        '"statement":{"alpha":"' + group.BASE.hex() + '","beta":"' + KEY.hex() + '","values":[0,1]}}'
    ).encode()
    assert (
        canonical_json(
            {
                "commitments": [c.hex() for c in commitments],
                "domain": DOMAIN_RANGE,
                "fingerprint": FINGERPRINT,
                "key": KEY.hex(),
                "statement": statement,
            }
        )
        == expected_bytes
    )
    digest = int.from_bytes(hashlib.sha512(expected_bytes).digest(), "little") % group.L
    got = challenge(
        domain=DOMAIN_RANGE, fingerprint=FINGERPRINT, key=KEY, statement=statement, commitments=commitments
    )
    assert got == digest


def test_the_verifiers_direct_range_challenge_equals_the_general_one():
    """range_verify writes its challenge's JSON directly; the bytes must be the same."""
    rng = random.Random(5)
    for values in ([0, 1], [1], [0, 1, 2, 3], [2, 3]):
        points = [group.base_mul(rng.randrange(1, group.L)) for _ in range(2 + 2 * len(values))]
        fingerprint = f"{rng.getrandbits(256):064x}"
        alpha, beta, commitments = points[0], points[1], points[2:]
        general = challenge(
            domain=DOMAIN_RANGE,
            fingerprint=fingerprint,
            key=KEY,
            statement={"alpha": alpha.hex(), "beta": beta.hex(), "values": values},
            commitments=commitments,
        )
        assert _range_challenge(fingerprint, KEY, alpha, beta, values, commitments) == general
        # Another form of fingerprint takes the general path, with its escaping.
        assert _range_challenge('ab"\\n', KEY, alpha, beta, values, commitments) == challenge(
            domain=DOMAIN_RANGE,
            fingerprint='ab"\\n',
            key=KEY,
            statement={"alpha": alpha.hex(), "beta": beta.hex(), "values": values},
            commitments=commitments,
        )


@pytest.mark.parametrize("field", ["fingerprint", "key", "statement", "commitments", "domain"])
def test_every_part_of_the_challenge_input_changes_it(field):
    base = {
        "domain": DOMAIN_RANGE,
        "fingerprint": FINGERPRINT,
        "key": KEY,
        "statement": {"values": [0, 1]},
        "commitments": [group.BASE],
    }
    changed = dict(base)
    changed[field] = {
        "domain": "councils/range/2",
        "fingerprint": "00" * 32,
        "key": group.base_mul(9),
        "statement": {"values": [0, 2]},
        "commitments": [group.base_mul(2)],
    }[field]
    assert challenge(**base) != challenge(**changed)


def test_malformed_ballots_name_the_bad_part():
    question = Question.yes_no_abstain()
    data = encrypt(question, [1, 0, 0]).ballot.to_json()
    data["answers"][1]["alpha"] = "zz" * 32
    with pytest.raises(MalformedError, match="ballot/answers/1/alpha"):
        ballot_verify(data, question=question, fingerprint=FINGERPRINT, key=KEY)
    data = encrypt(question, [1, 0, 0]).ballot.to_json()
    data["overall"][0]["s"] = "ff" * 32  # not below the group order
    with pytest.raises(MalformedError, match="ballot/overall/0/s"):
        ballot_verify(data, question=question, fingerprint=FINGERPRINT, key=KEY)


def test_a_benaloh_audit_checks_the_revealed_randomness():
    question = Question.yes_no_abstain()
    encrypted = encrypt(question, [0, 1, 0])
    ballot_audit_check(ballot=encrypted.ballot, key=KEY, choices=[0, 1, 0], randomness=encrypted.randomness)
    with pytest.raises(InvalidProofError, match="answer 0"):
        ballot_audit_check(
            ballot=encrypted.ballot, key=KEY, choices=[1, 0, 0], randomness=encrypted.randomness
        )


def test_ciphertexts_add_up_homomorphically():
    question = Question.approval(2)
    ballots = [encrypt(question, c).ballot for c in ([1, 0], [1, 1], [0, 1], [1, 1])]
    totals = [ciphertext_sum([b.ciphertexts[a] for b in ballots]) for a in range(2)]
    assert [decrypt(t) for t in totals] == [3, 3]


def test_a_ballot_has_one_encoding_only():
    """Another spelling of the same ballot would be a new tracker for a copied vote."""
    question = Question.yes_no_abstain()
    data = encrypt(question, [1, 0, 0]).ballot.to_json()
    for field, value in [("version", True), ("answers", data["answers"] + [data["answers"][0]])]:
        with pytest.raises(MalformedError):
            ballot_verify(data | {field: value}, question=question, fingerprint=FINGERPRINT, key=KEY)
    data["answers"][0]["alpha"] = data["answers"][0]["alpha"].upper()
    with pytest.raises(MalformedError, match="lower-case"):
        ballot_verify(data, question=question, fingerprint=FINGERPRINT, key=KEY)


@st.composite
def questions_and_choices(draw):
    answers = draw(st.integers(1, 6))
    low = draw(st.integers(0, answers))
    high = draw(st.integers(low, answers))
    marks = draw(st.integers(low, high))
    chosen = draw(st.permutations(range(answers)))[:marks]
    return Question(answers, low, high), [1 if a in chosen else 0 for a in range(answers)]


@settings(max_examples=25, deadline=None)
@given(questions_and_choices())
def test_every_allowed_choice_of_every_question_shape_verifies_and_decrypts(case):
    question, choices = case
    ballot = encrypt(question, choices).ballot
    parsed = ballot_verify(ballot.canonical(), question=question, fingerprint=FINGERPRINT, key=KEY)
    assert [decrypt(ct) for ct in parsed.ciphertexts] == choices
