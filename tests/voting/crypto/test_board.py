"""The bulletin board: built, verified, and every kind of tampering named by its event."""

from __future__ import annotations

import pytest

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_encrypt
from councils.voting.crypto.board import (
    BoardError,
    BoardWriter,
    board_add_partial,
    board_append,
    trustee_decrypt,
    verify_board,
)
from councils.voting.crypto.errors import MalformedError, RefusedError

from .conftest import POLL, closed_board, rehash, tampered


def events_of(document, type_):
    return [e for e in document["events"] if e["type"] == type_]


def test_a_published_board_verifies_and_gives_the_weighted_counts(committee):
    ballots = [([1, 0, 0], 1), ([1, 0, 0], 40), ([0, 1, 0], 3), ([0, 0, 1], 1), ([0, 1, 0], 1)]
    writer = closed_board(committee, ballots)
    checked = verify_board(writer.to_json(), processes=1)
    assert checked.counts == (41, 4, 1)
    assert checked.ballots == 5 and checked.total_weight == 46
    assert checked.head == writer.head == writer.to_json()["events"][-1]["hash"]


def test_ballot_events_carry_no_voter_and_no_time(published):
    for event in events_of(published, "ballot"):
        assert set(event["body"]) == {"ballot", "tracker", "weight"}
        assert set(event) == {"body", "hash", "prev", "seq", "type"}


def test_a_voter_finds_their_tracker_and_a_missing_one_is_named(published):
    tracker = events_of(published, "ballot")[3]["body"]["tracker"]
    verify_board(published, tracker=tracker, processes=1)
    with pytest.raises(BoardError, match="is not on the board"):
        verify_board(published, tracker="00" * 32, processes=1)


def test_verification_in_two_processes_gives_the_same_answer(committee):
    writer = closed_board(committee, [([1, 0, 0], 1)] * 120 + [([0, 0, 1], 2)] * 90)
    assert verify_board(writer.to_json(), processes=2).counts == (120, 0, 180)


def test_a_withdrawn_ballot_is_not_counted(committee):
    question = Question.yes_no_abstain()
    writer = BoardWriter()
    fp = writer.setup(
        poll=POLL,
        question=question,
        committee=committee.public,
        trustees=committee.trustees,
        election_key=committee.election_key,
    )
    first = writer.cast(
        ballot_encrypt(
            question=question, fingerprint=fp, key=committee.election_key, choices=[1, 0, 0]
        ).ballot.to_json(),
        5,
    )
    writer.withdraw(first)
    writer.cast(
        ballot_encrypt(
            question=question, fingerprint=fp, key=committee.election_key, choices=[0, 1, 0]
        ).ballot.to_json(),
        5,
    )
    writer.close()
    writer.add_partial(trustee_decrypt(writer.to_json(), committee.keys[2], processes=1))
    writer.add_partial(trustee_decrypt(writer.to_json(), committee.keys[3], processes=1))
    assert writer.publish_result() == [0, 5, 0]
    checked = verify_board(writer.to_json(), processes=1)
    assert (checked.ballots, checked.withdrawn, checked.counts) == (1, 1, (0, 5, 0))
    with pytest.raises(BoardError, match="was withdrawn"):
        verify_board(writer.to_json(), tracker=first, processes=1)


def test_the_board_refuses_a_replayed_ballot_and_a_copied_ciphertext(committee):
    question = Question.yes_no_abstain()
    writer = BoardWriter()
    fp = writer.setup(
        poll=POLL,
        question=question,
        committee=committee.public,
        trustees=committee.trustees,
        election_key=committee.election_key,
    )
    ballot = ballot_encrypt(
        question=question, fingerprint=fp, key=committee.election_key, choices=[1, 0, 0]
    ).ballot.to_json()
    writer.cast(ballot, 1)
    with pytest.raises(MalformedError, match="already on the board"):
        writer.cast(ballot, 1)
    # A replay in disguise: the same ciphertexts and proofs in another order still verify (the
    # overall sum is unchanged), make a new tracker, and would copy someone's vote. Refused.
    approval = BoardWriter()
    question3 = Question.approval(3)
    fp3 = approval.setup(
        poll=POLL,
        question=question3,
        committee=committee.public,
        trustees=committee.trustees,
        election_key=committee.election_key,
    )
    original = ballot_encrypt(
        question=question3, fingerprint=fp3, key=committee.election_key, choices=[1, 0, 1]
    )
    approval.cast(original.ballot.to_json(), 1)
    shuffled = original.ballot.to_json()
    shuffled["answers"] = [shuffled["answers"][1], shuffled["answers"][0], shuffled["answers"][2]]
    with pytest.raises(MalformedError, match="copied from another ballot"):
        approval.cast(shuffled, 1)
    with pytest.raises(MalformedError, match="weight"):
        writer.cast(
            ballot_encrypt(
                question=question, fingerprint=fp, key=committee.election_key, choices=[1, 0, 0]
            ).ballot.to_json(),
            0,
        )


def test_tampering_with_a_ballot_is_named(published):
    doc = tampered(published)
    target = events_of(doc, "ballot")[2]
    answer = target["body"]["ballot"]["answers"][0]
    answer["beta"] = group.add(bytes.fromhex(answer["beta"]), group.BASE).hex()
    with pytest.raises(BoardError, match=rf"event {target['seq']} \(ballot\): .*tracker is not the hash"):
        verify_board(rehash(doc), processes=1)
    # A forger who also fixes the tracker is caught by the proof.
    from councils.voting.crypto.ballot import tracker_of
    from councils.voting.crypto.canonical import canonical_json

    target["body"]["tracker"] = tracker_of(canonical_json(target["body"]["ballot"]))
    with pytest.raises(BoardError, match=rf"event {target['seq']} \(ballot\): ballot/answers/0/proof"):
        verify_board(rehash(doc), processes=1)


def test_tampering_with_a_weight_is_named(published):
    doc = tampered(published)
    target = events_of(doc, "ballot")[0]
    target["body"]["weight"] += 1
    close = events_of(doc, "close")[0]
    with pytest.raises(BoardError, match=rf"event {close['seq']} \(close\): declares a total weight"):
        verify_board(rehash(doc), processes=1)
    close["body"]["total_weight"] += 1
    with pytest.raises(
        BoardError, match=rf"event {close['seq']} \(close\): the encrypted sum is not the weighted sum"
    ):
        verify_board(rehash(doc), processes=1)
    target["body"]["weight"] = 0
    with pytest.raises(BoardError, match=rf"event {target['seq']} \(ballot\): weight 0"):
        verify_board(rehash(doc), processes=1)


def test_tampering_with_the_sum_is_named(published):
    doc = tampered(published)
    close = events_of(doc, "close")[0]
    first = events_of(doc, "ballot")[0]["body"]["ballot"]["answers"]
    close["body"]["sum"] = [{"alpha": a["alpha"], "beta": a["beta"]} for a in first]
    with pytest.raises(BoardError, match=rf"event {close['seq']} \(close\): the encrypted sum"):
        verify_board(rehash(doc), processes=1)


def test_a_trustee_refuses_to_decrypt_anything_but_the_boards_sum(committee, published):
    """A server that swaps the sum for one voter's ballot gets no factor from any trustee."""
    doc = tampered(published)
    doc["events"] = [e for e in doc["events"] if e["type"] not in {"partial_decryption", "result"}]
    close = events_of(doc, "close")[0]
    victim = events_of(doc, "ballot")[0]["body"]["ballot"]["answers"]
    close["body"]["sum"] = [{"alpha": a["alpha"], "beta": a["beta"]} for a in victim]
    with pytest.raises(RefusedError, match=r"refusing to decrypt.*encrypted sum"):
        trustee_decrypt(rehash(doc), committee.keys[1], processes=1)
    open_board = tampered(published)
    open_board["events"] = [
        e for e in open_board["events"] if e["type"] in {"setup", "trustee_key", "ballot"}
    ]
    with pytest.raises(RefusedError, match="not closed"):
        trustee_decrypt(open_board, committee.keys[1], processes=1)


def test_tampering_with_a_factor_is_named(published):
    doc = tampered(published)
    partial = events_of(doc, "partial_decryption")[1]
    factor = partial["body"]["factors"][2]
    factor["factor"] = group.add(bytes.fromhex(factor["factor"]), group.BASE).hex()
    with pytest.raises(
        BoardError, match=rf"event {partial['seq']} \(partial_decryption\): .*factors/2: the proof"
    ):
        verify_board(rehash(doc), processes=1)


def test_tampering_with_the_result_is_named(published):
    doc = tampered(published)
    result = events_of(doc, "result")[0]
    result["body"]["counts"][0] += 1
    with pytest.raises(
        BoardError, match=rf"event {result['seq']} \(result\): declares .* the decryption gives"
    ):
        verify_board(rehash(doc), processes=1)


def test_a_result_without_enough_trustees_is_named(published):
    doc = tampered(published)
    doc["events"] = [
        e for e in doc["events"] if not (e["type"] == "partial_decryption" and e["body"]["index"] == 3)
    ]
    for seq, event in enumerate(doc["events"]):
        event["seq"] = seq
    with pytest.raises(BoardError, match=r"\(result\): 1 trustees have decrypted, 2 are needed"):
        verify_board(rehash(doc), processes=1)


def test_a_broken_chain_is_named(published):
    doc = tampered(published)
    doc["events"][4]["body"]["weight"] = 2  # changed without re-linking
    with pytest.raises(BoardError, match=r"event 4 \(ballot\): its hash does not match"):
        verify_board(doc, processes=1)
    doc = tampered(published)
    del doc["events"][5]
    with pytest.raises(BoardError, match=r"event 5 .*numbered 6"):
        verify_board(doc, processes=1)


def test_a_changed_election_key_or_fingerprint_is_named(published):
    doc = tampered(published)
    doc["events"][0]["body"]["poll"]["title"] = "All power to the Constituent Assembly?"
    with pytest.raises(BoardError, match=r"event 0 \(setup\): the poll's fingerprint"):
        verify_board(rehash(doc), processes=1)
    doc = tampered(published)
    doc["events"][1]["body"]["commitments"][0] = group.base_mul(7).hex()
    with pytest.raises(BoardError, match=r"event 1 \(trustee_key\): trustee 1: the proof of coefficient 0"):
        verify_board(rehash(doc), processes=1)


def test_a_decryption_before_the_close_is_named(published):
    doc = tampered(published)
    doc["events"] = [e for e in doc["events"] if e["type"] != "close"]
    for seq, event in enumerate(doc["events"]):
        event["seq"] = seq
    first = events_of(doc, "partial_decryption")[0]
    with pytest.raises(BoardError, match=rf"event {first['seq']} \(partial_decryption\): out of order"):
        verify_board(rehash(doc), processes=1)


@pytest.mark.parametrize(
    "body", [[], {"index": 1}, {"factors": "x", "index": 1}, {"factors": [], "index": 9}]
)
def test_a_malformed_decryption_is_named_not_a_crash(published, body):
    doc = tampered(published)
    partial = events_of(doc, "partial_decryption")[0]
    partial["body"] = body
    with pytest.raises(BoardError, match=rf"event {partial['seq']} \(partial_decryption\)"):
        verify_board(rehash(doc), processes=1)


def _paths(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))
    if path:
        yield path


def test_any_change_to_a_board_is_named_never_a_crash(committee):
    """Random values of the wrong type anywhere: verify-poll reports a BoardError, it does not crash."""
    import copy
    import random

    document = closed_board(committee, [([1, 0, 0], 1), ([0, 0, 1], 2)]).to_json()
    paths = [p for p in _paths(document) if p[-1] not in {"hash", "prev"}]
    rng = random.Random(1917)
    for _ in range(80):
        doc = copy.deepcopy(document)
        path = rng.choice(paths)
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = rng.choice([None, 0, -1, 2**60, "x", "00" * 32, [], {}, True])
        for relinked in (False, True):
            candidate = copy.deepcopy(doc)
            if relinked:
                try:
                    rehash(candidate)
                except Exception:
                    continue
            try:
                verify_board(candidate, processes=1)
            except BoardError:
                continue
            # Accepted only if the "change" put back the value that was there.
            assert candidate == document, path


def test_only_the_threshold_of_trustees_decrypts(committee, published):
    """Only t x answers factors exist: a third trustee's factors are refused and named."""
    writer_doc = tampered(published)
    assert len(events_of(writer_doc, "partial_decryption")) == 2
    assert all(len(e["body"]["factors"]) == 3 for e in events_of(writer_doc, "partial_decryption"))
    without_result = tampered(published)
    without_result["events"] = [e for e in without_result["events"] if e["type"] != "result"]
    with pytest.raises(MalformedError, match="threshold of trustees has already decrypted"):
        board_add_partial(
            without_result, trustee_decrypt(without_result, committee.keys[2], processes=1), processes=1
        )
    extra = trustee_decrypt(without_result, committee.keys[2], processes=1)
    board_append(without_result, "partial_decryption", extra)
    with pytest.raises(BoardError, match="more trustees decrypted than the threshold"):
        verify_board(without_result, processes=1)
