"""The verifier's C fast path (``_ristretto``) against libsodium: the same points, byte for byte.

``_ristretto`` only speeds up verification: every point it returns must be the one libsodium
computes, it must refuse exactly the encodings ``group.point_from_hex`` refuses, and a board
must verify (or fail, naming the same event) with it and without it.
"""

from __future__ import annotations

import hashlib
import random

import pytest
import rbcl

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_encrypt, ballot_verify
from councils.voting.crypto.board import BoardError, verify_board
from councils.voting.crypto.canonical import canonical_json
from councils.voting.crypto.errors import InvalidProofError, MalformedError
from tests.conftest import on_ci

from .conftest import closed_board, rehash, tampered

C = group._ristretto
needs_c = pytest.mark.skipif(
    C is None and not on_ci(),
    reason="councils.voting.crypto._ristretto was not built (no C compiler at install time)",
)
L = group.L


def test_ci_builds_the_c_module() -> None:
    """Without it verify-poll silently gets about twice slower: CI must notice."""
    if C is None and not on_ci():
        pytest.skip("the C module was not built (no C compiler at install time)")
    assert C is not None


def _point(rng: random.Random) -> bytes:
    return group.base_mul(rng.randrange(1, L))


def _scalar(x: int) -> bytes:
    return (x % L).to_bytes(32, "little")


@needs_c
def test_sums_and_linear_combinations_equal_libsodiums() -> None:
    assert C is not None
    rng = random.Random(10)
    assert C.point_sum([]) == group.IDENTITY
    assert C.point_sum([group.IDENTITY, group.BASE]) == group.BASE
    for _ in range(50):
        p, q, r = _point(rng), _point(rng), _point(rng)
        assert C.point_sum([p]) == p
        assert C.point_sum([p, q, r]) == group.add(group.add(p, q), r)
        a, b = rng.randrange(L), rng.randrange(L)
        assert C.linear_combination([_scalar(a), _scalar(b)], [p, None]) == group.add(
            group.mul(a, p), group.base_mul(b)
        )
    for s in (0, 1, 2, L - 1, 2**252):
        assert C.linear_combination([_scalar(s)], [None]) == group.base_mul(s)


@needs_c
def test_range_commitments_equal_libsodiums() -> None:
    rng = random.Random(11)
    key = _point(rng)
    for _ in range(40):
        alpha, beta = _point(rng), rng.choice([_point(rng), group.IDENTITY])
        branches = [(v, rng.randrange(L), rng.randrange(L)) for v in (0, 1, 2, 7)]
        branches.append((1, 0, 0))
        fast = group.range_commitments(key, alpha, beta, branches)
        slow = group.range_commitments(key, alpha, beta, branches, variable_time=False)
        assert fast == slow


@needs_c
def test_the_decoder_refuses_what_point_from_hex_refuses() -> None:
    assert C is not None
    rng = random.Random(12)
    encodings = [rng.randbytes(32) for _ in range(1500)]
    valid = [_point(rng) for _ in range(50)]
    encodings += valid + [bytes([v[0]]) + v[1:31] + bytes([v[31] | 0x80]) for v in valid]
    for raw in encodings:
        try:
            group.point_from_hex(raw.hex(), "p")
            accepted = True
        except MalformedError:
            accepted = False
        try:
            C.point_sum([raw])
            decoded = True
        except ValueError:
            decoded = False
        assert accepted == decoded, raw.hex()


def test_a_point_with_the_top_bit_set_is_refused_as_rfc_9496_requires() -> None:
    """libsodium 1.0.18 ignores bit 255; a second encoding of a ciphertext must not pass."""
    p = group.base_mul(5)
    flipped = p[:31] + bytes([p[31] | 0x80])
    assert rbcl.crypto_core_ristretto255_is_valid_point(flipped)  # the reason for the check
    with pytest.raises(MalformedError, match="not a valid ristretto255 point"):
        group.point_from_hex(flipped.hex(), "alpha")


def test_a_board_verifies_the_same_with_and_without_the_c_module(committee, monkeypatch) -> None:
    writer = closed_board(committee, [([1, 0, 0], 1), ([0, 1, 0], 3), ([0, 0, 1], 2)] * 3)
    document = writer.to_json()
    with_c = verify_board(document, processes=1)
    monkeypatch.setattr(group, "_ristretto", None)
    without_c = verify_board(document, processes=1)
    assert with_c == without_c and with_c.counts == (3, 9, 6)


@pytest.mark.parametrize("use_c", [True, False])
def test_a_wrong_proof_is_refused_with_and_without_the_c_module(committee, monkeypatch, use_c) -> None:
    if not use_c:
        monkeypatch.setattr(group, "_ristretto", None)
    question = Question.yes_no_abstain()
    fingerprint = "ab" * 32
    made = ballot_encrypt(
        question=question, fingerprint=fingerprint, key=committee.election_key, choices=[0, 0, 1]
    ).ballot.to_json()
    ballot_verify(made, question=question, fingerprint=fingerprint, key=committee.election_key)
    made["answers"][1]["proof"][0]["s"] = group.scalar_hex(
        (group.scalar_from_hex(made["answers"][1]["proof"][0]["s"], "s") + 1) % L
    )
    with pytest.raises(InvalidProofError, match="answers/1/proof"):
        ballot_verify(made, question=question, fingerprint=fingerprint, key=committee.election_key)


@pytest.fixture(scope="module")
def many(committee) -> dict:
    """260 ballots: the parallel check splits them into chunks over two processes."""
    return closed_board(committee, [([1, 0, 0], 1), ([0, 1, 0], 2)] * 130).to_json()


def _break_proof(document: dict, index: int) -> int:
    """Swap two challenges of a ballot's proof (their sum still matches) and fix its tracker."""
    event = [e for e in document["events"] if e["type"] == "ballot"][index]
    body = event["body"]
    proof = body["ballot"]["answers"][2]["proof"]
    proof[0]["c"], proof[1]["c"] = proof[1]["c"], proof[0]["c"]
    body["tracker"] = hashlib.sha256(canonical_json(body["ballot"])).hexdigest()
    return int(event["seq"])


def test_one_bad_proof_among_many_is_found_and_named(many) -> None:
    document = tampered(many)
    seq = _break_proof(document, 201)
    rehash(document)
    with pytest.raises(BoardError) as caught:
        verify_board(document, processes=2)
    assert caught.value.seq == seq
    assert "ballot/answers/2/proof: the challenges do not add up" in str(caught.value)


def test_of_two_bad_proofs_the_first_on_the_board_is_named(many) -> None:
    document = tampered(many)
    later = _break_proof(document, 230)
    first = _break_proof(document, 40)
    rehash(document)
    with pytest.raises(BoardError) as caught:
        verify_board(document, processes=2)
    assert caught.value.seq == first < later


def test_a_changed_ballot_without_a_new_chain_breaks_the_chain_at_its_event(many) -> None:
    """The workers hash the ballot events; the chain's failure is still named first."""
    document = tampered(many)
    seq = _break_proof(document, 201)
    document["events"][-1]["body"]["counts"] = [0, 0, 0]
    with pytest.raises(BoardError) as caught:
        verify_board(document, processes=2)
    assert caught.value.seq == seq
    assert str(caught.value).endswith("its hash does not match its content (chain broken)")


def test_many_ballots_verify_the_same_in_one_process_and_in_two(many) -> None:
    one, two = verify_board(many, processes=1), verify_board(many, processes=2)
    assert one == two and one.counts == (130, 260, 0)
