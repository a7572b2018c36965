"""Secret polls in tests: a committee whose three trustees are played by the crypto library, and
ballots encrypted as the booth encrypts them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from councils.federation.models import Member
from councils.voting import services
from councils.voting.crypto.ballot import ballot_encrypt
from councils.voting.crypto.board import trustee_decrypt
from councils.voting.crypto.trustees import trustee_confirm, trustee_deal, trustee_keygen
from councils.voting.models import Poll, TrusteeCommittee
from tests.factories import MemberFactory


@dataclass
class Committee:
    """A ready committee and the key files its human trustees keep (index -> key)."""

    committee: TrusteeCommittee
    trustees: dict[int, Member]
    keys: dict[int, dict[str, Any]] = field(default_factory=dict)


def make_committee(body: Any, *, embedded: bool = False, threshold: int = 2, size: int = 3) -> Committee:
    """Create a committee of ``body``'s organization and run its ceremony to the end: each member
    trustee registers, deals and confirms through ``ceremony_post``; the server's trustee (trustee 1
    when ``embedded``) takes its own steps."""
    members: list[Member | None] = []
    for i in range(size):
        members.append(None if embedded and i == 0 else MemberFactory(constituency=body.constituency))
    committee = services.committee_create(
        actor=body.officer,
        organization=body.organization,
        name="Tellers of the Congress",
        threshold=threshold,
        size=size,
        members=members,
    )
    people = {i: m for i, m in enumerate(members, start=1) if m is not None}
    committee, keys = run_ceremony(committee, {i: m.user for i, m in people.items()})
    return Committee(committee=committee, trustees=people, keys=keys)


def run_ceremony(
    committee: TrusteeCommittee, users: dict[int, Any]
) -> tuple[TrusteeCommittee, dict[int, Any]]:
    """The human trustees (index -> user) register, deal and confirm through ``ceremony_post``, as
    the wizard's commands would; the committee after, and each trustee's key file."""
    keys: dict[int, dict[str, Any]] = {}
    for i, user in users.items():
        keys[i], message = trustee_keygen(services.ceremony_document(committee), i)
        committee = services.ceremony_post(actor=user, committee=committee, index=i, message=message)
    for i, user in users.items():
        message = trustee_deal(services.ceremony_document(committee), keys[i])
        committee = services.ceremony_post(actor=user, committee=committee, index=i, message=message)
    for i, user in users.items():
        keys[i], message = trustee_confirm(services.ceremony_document(committee), keys[i])
        committee = services.ceremony_post(actor=user, committee=committee, index=i, message=message)
    return committee, keys


def post_factors(poll: Poll, key: dict[str, Any], index: int, user: Any) -> Poll:
    """Trustee ``index`` downloads the board, decrypts its sum with its key file, posts the factors."""
    factors = trustee_decrypt(services.board_document(poll), key, processes=1)
    return services.trustee_factors_post(actor=user, poll=poll, index=index, factors=factors)


def encrypt(poll: Poll, choices: list[int]) -> dict[str, Any]:
    """A ballot for ``poll`` marking ``choices`` (one 0 or 1 per answer), as the booth sends it."""
    poll.refresh_from_db()
    key = bytes.fromhex(poll.committee.election_key)
    return ballot_encrypt(
        question=services.poll_question(poll), fingerprint=poll.fingerprint, key=key, choices=choices
    ).ballot.to_json()


def decrypt_as(committee: Committee, poll: Poll, index: int) -> Poll:
    """Trustee ``index`` downloads the board, decrypts its sum and posts the factors."""
    return post_factors(poll, committee.keys[index], index, committee.trustees[index].user)


YES, NO, ABSTAIN = [1, 0, 0], [0, 1, 0], [0, 0, 1]
