"""Secret polls for page and browser tests: a committee whose trustees run their ceremony (as the
wizard's commands would, in Python), ballots encrypted as a browser would, trustees decrypting."""

from __future__ import annotations

from typing import Any

from councils.federation.models import Member
from councils.voting import services
from councils.voting.crypto.ballot import Question, ballot_encrypt
from councils.voting.models import BoardEvent, Poll, TrusteeCommittee
from tests.voting.conftest import Body
from tests.voting.secret_helpers import post_factors, run_ceremony


def ready_committee(body: Body, trustees: list[Member | None] | None = None) -> tuple[TrusteeCommittee, dict]:
    """A committee of the body's first three deputies (or ``trustees``), 2 of 3, through its whole
    ceremony; returns it with each member trustee's key file (index -> key)."""
    people = trustees if trustees is not None else body.deputies[:3]
    committee = services.committee_create(
        actor=body.officer, organization=body.organization, name="Tellers", members=people
    )
    humans = {t.index: t.user for t in committee.trustees.order_by("index") if t.member_id is not None}
    committee, keys = run_ceremony(committee, humans)
    committee.refresh_from_db()
    assert committee.state == TrusteeCommittee.State.READY
    return committee, keys


def question_of(poll: Poll) -> Question:
    body = BoardEvent.objects.get(poll=poll, seq=0).body
    q = body["question"]
    return Question(q["answers"], q["min"], q["max"])


def encrypted(poll: Poll, choices: list[int]) -> dict[str, Any]:
    """A ballot for ``poll`` as the booth makes it."""
    made = ballot_encrypt(
        question=question_of(poll),
        fingerprint=poll.fingerprint,
        key=bytes.fromhex(poll.committee.election_key),
        choices=choices,
    )
    return made.ballot.to_json()


def decrypt(poll: Poll, keys: dict[int, dict], indices: list[int], users: dict[int, Any]) -> Poll:
    """Trustees ``indices`` decrypt the closed poll's sum and post their factors."""
    for index in indices:
        poll = post_factors(poll, keys[index], index, users[index])
    return poll
