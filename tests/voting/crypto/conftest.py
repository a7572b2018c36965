"""A 2-of-3 committee and a small closed poll, made once per session (they cost milliseconds)."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any

import pytest

from councils.voting.crypto.ballot import Question, ballot_encrypt
from councils.voting.crypto.board import BoardWriter, event_hash, trustee_decrypt
from councils.voting.crypto.trustees import (
    ceremony_add,
    ceremony_new,
    ceremony_public,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)


@dataclass
class Committee:
    ceremony: dict[str, Any]
    keys: dict[int, dict[str, Any]]
    public: dict[str, Any]
    trustees: list[Any]
    election_key: bytes


def make_committee(threshold: int = 2, size: int = 3) -> Committee:
    """Run a whole key-generation ceremony, as the trustees' commands do."""
    ceremony = ceremony_new(label="Executive committee tellers", threshold=threshold, size=size)
    keys = {}
    for i in range(1, size + 1):
        keys[i], message = trustee_keygen(ceremony, i)
        ceremony_add(ceremony, message)
    for i in range(1, size + 1):
        ceremony_add(ceremony, trustee_deal(ceremony, keys[i]))
    for i in range(1, size + 1):
        keys[i], message = trustee_confirm(ceremony, keys[i])
        ceremony_add(ceremony, message)
    public, trustees, election_key = ceremony_public(ceremony)
    return Committee(ceremony, keys, public, trustees, election_key)


@pytest.fixture(scope="session")
def committee() -> Committee:
    return make_committee()


POLL = {"id": 7, "organization": "petrograd-soviet", "title": "All power to the soviets?"}


def closed_board(
    committee: Committee, ballots: list[tuple[list[int], int]], question: Question | None = None
) -> BoardWriter:
    """A board with these (choices, weight) ballots, closed and decrypted by trustees 1 and 3."""
    question = question or Question.yes_no_abstain()
    writer = BoardWriter()
    fingerprint = writer.setup(
        poll=POLL,
        question=question,
        committee=committee.public,
        trustees=committee.trustees,
        election_key=committee.election_key,
    )
    for choices, weight in ballots:
        encrypted = ballot_encrypt(
            question=question, fingerprint=fingerprint, key=committee.election_key, choices=choices
        )
        writer.cast(encrypted.ballot.to_json(), weight)
    writer.close()
    for i in (1, 3):
        writer.add_partial(trustee_decrypt(writer.to_json(), committee.keys[i], processes=1))
    writer.publish_result()
    return writer


@pytest.fixture(scope="session")
def published(committee: Committee) -> dict[str, Any]:
    rng = random.Random(1917)
    ballots = []
    for _ in range(12):
        choices = [0, 0, 0]
        choices[rng.randrange(3)] = 1
        ballots.append((choices, rng.choice([1, 1, 3, 40])))
    return closed_board(committee, ballots).to_json()


def rehash(document: dict[str, Any]) -> dict[str, Any]:
    """Re-link the chain after a change, as a forger would, so that what fails is the content."""
    prev = "0" * 64
    for event in document["events"]:
        event["prev"] = prev
        event["hash"] = prev = event_hash(
            seq=event["seq"], type_=event["type"], prev=prev, body=event["body"]
        )
    return document


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)
