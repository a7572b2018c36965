"""Secret polls: the board written at opening, the encrypted cast, the close, the trustees' factors.

A secret poll's ballots are encrypted in the voter's browser (``booth-crypto.js``); the server
checks their proofs, appends them to the poll's public board (:class:`BoardEvent`, a hash chain,
append-only) and moves the board's head (:class:`SecretTally`) in the same transaction. Only the
sum of the ballots, added up at the close, is ever decrypted, by the committee's trustees
(``VOTING-DESIGN.md``).

The cast (:func:`secret_ballot_cast`) verifies the proofs before its transaction (about 1.7 ms),
then: inserts the participation (``ON CONFLICT DO NOTHING``: the same key gets the first receipt,
another key 409), inserts the ballot's ciphertexts (unique per poll: a copied ciphertext is
refused), moves the tally's head (the one place casts of a poll wait for each other), appends the
ballot event, commits (``secret_append``: one statement on PostgreSQL).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.federation.errors import NotAllowed
from councils.federation.models import Member
from councils.federation.services._common import moment_of
from councils.voting.crypto.ballot import Question, ballot_verify
from councils.voting.crypto.board import BoardWriter
from councils.voting.crypto.canonical import canonical_json_trusted
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.trustees import (
    ceremony_public,
)
from councils.voting.errors import AlreadyVoted
from councils.voting.live import turnout_changed
from councils.voting.models import (
    ANSWERS,
    BoardEvent,
    Participation,
    Poll,
    SecretTally,
    TrusteeCommittee,
)
from councils.voting.services.casting import _poll_and_elector, _proxy_for, _state_label, candidate_ids
from councils.voting.services.common import (
    ALREADY_VOTED,
    KEY_REUSED,
    NOT_ELECTOR,
    NOT_OPEN,
)
from councils.voting.services.secret_append import COPIED, SecretBallot, append_ballot

NOT_SECRET = "This poll is open (named): cast a plain ballot."
KEY_NEEDED = (
    "A secret ballot is cast with an Idempotency-Key (the booth sends one and resends it on a retry)."
)


@dataclass(frozen=True)
class SecretReceipt:
    """What a voter keeps: the ballot's tracker and the board's head and length after it."""

    tracker: str
    board_head: str
    board_length: int
    replayed: bool = False


# --- the question and the board's setup ---------------------------------------------------------


def poll_answers(poll: Poll) -> list[str]:
    """The answers in ballot order: yes, no, abstain for a motion; candidate ids for an election."""
    if poll.kind == Poll.Kind.MOTION:
        return list(ANSWERS)
    return [str(pk) for pk in candidate_ids(poll)]


def poll_question(poll: Poll) -> Question:
    """The poll's question: yes/no/abstain exactly one; plurality one candidate; approval any."""
    if poll.kind == Poll.Kind.MOTION:
        return Question.yes_no_abstain()
    n = len(candidate_ids(poll))
    if poll.method == Poll.Method.PLURALITY:
        return Question.plurality(n)
    return Question.approval(n)


def _poll_json(poll: Poll) -> dict[str, Any]:
    names = dict(poll.candidates.values_list("pk", "name"))
    answers = poll_answers(poll)
    return {
        "answers": answers if poll.kind == Poll.Kind.MOTION else [names[int(a)] for a in answers],
        "id": poll.pk,
        "kind": str(poll.kind),
        "method": str(poll.method),
        "opened_at": poll.opened_at.isoformat() if poll.opened_at else "",
        "organization": poll.organization.slug,
        "title": poll.title,
    }


def _event_rows(poll: Poll, events: list[dict[str, Any]]) -> list[BoardEvent]:
    return [
        BoardEvent(
            poll=poll,
            seq=e["seq"],
            type=e["type"],
            body=e["body"],
            prev=e["prev"],
            hash=e["hash"],
            tracker=e["body"].get("tracker", "") if e["type"] == "ballot" else "",
        )
        for e in events
    ]


def secret_open(poll: Poll) -> None:
    """Inside ``poll_open``'s transaction: write the board's setup and trustee keys, the poll's
    fingerprint and the tally's head. The committee must be ready."""
    committee = poll.committee
    if committee is None or committee.state != TrusteeCommittee.State.READY:
        raise ValidationError(
            {"committee": _("The poll's trustee committee has not finished its key generation.")}
        )
    public, trustees, election_key = ceremony_public(committee.ceremony)
    writer = BoardWriter()
    poll.fingerprint = writer.setup(
        poll=_poll_json(poll),
        question=poll_question(poll),
        committee=public,
        trustees=trustees,
        election_key=election_key,
    )
    BoardEvent.objects.bulk_create(_event_rows(poll, writer.events))
    poll.board_head, poll.board_length = writer.head, len(writer.events)
    SecretTally.objects.create(poll=poll, head=poll.board_head, length=poll.board_length)


# --- casting ------------------------------------------------------------------------------------

# Per process: a poll's question, fingerprint and election key never change once it is open. Keyed
# by the poll's id and creation time, as casting's candidate cache is (an id may be given again).
_params: dict[tuple[int, datetime], tuple[Question, str, bytes]] = {}


def secret_params(poll: Poll) -> tuple[Question, str, bytes]:
    found = _params.get((poll.pk, poll.created_at))
    if found is None:
        fingerprint, key = Poll.objects.filter(pk=poll.pk).values_list(
            "fingerprint", "committee__election_key"
        )[0]
        if not fingerprint:
            raise ValidationError({"poll": _(NOT_OPEN) % {"state": _state_label(Poll.State.DRAFT)}})
        found = (poll_question(poll), fingerprint, bytes.fromhex(key))
        if len(_params) > 1000:
            _params.clear()
        _params[(poll.pk, poll.created_at)] = found
    return found


def _receipt_for(poll: Poll, participation: Participation, replayed: bool) -> SecretReceipt:
    event = BoardEvent.objects.filter(poll_id=poll.pk, tracker=participation.tracker).values_list(
        "hash", "seq"
    )
    head, seq = event[0]
    return SecretReceipt(participation.tracker, head, seq + 1, replayed)


def secret_ballot_cast(
    *,
    actor: Actor,
    poll: Poll,
    ballot: str | Mapping[str, Any],
    idempotency_key: str,
    principal: Member | None = None,
    at: datetime | None = None,
) -> SecretReceipt:
    """Cast an encrypted ballot in an open secret poll, for oneself or as ``principal``'s proxy.

    Refused with nothing stored: a poll that is not open, a voter outside the electorate, a
    ballot that is malformed or whose proofs fail (field ``ballot``, naming the part), a ballot
    repeating another's ciphertext. A retry with the same key gets the first receipt
    (``replayed``); a voter who has voted under another key gets :class:`AlreadyVoted` naming
    the stored tracker.
    """
    if actor is None:
        raise TypeError("A service needs an actor: a user, or councils.accounts.actors.SYSTEM.")
    if not is_person(actor) or not actor.is_active:
        raise NotAllowed(_(NOT_ELECTOR))
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationError({"idempotency_key": _(KEY_NEEDED)})
    if len(key) > 100:
        raise ValidationError({"idempotency_key": _("An idempotency key has at most 100 characters.")})
    if not poll.is_secret:
        raise ValidationError({"poll": _(NOT_SECRET)})
    moment = moment_of(at)
    state, closes_at, member_id, weight, name = _poll_and_elector(poll, actor.pk)
    if state != Poll.State.OPEN or (closes_at is not None and closes_at <= moment):
        return _not_open(poll, key, state)
    if member_id is None or weight is None:
        raise NotAllowed(_(NOT_ELECTOR))
    principal_id, principal_name, cast_weight = member_id, name, weight
    if principal is not None and principal.pk != member_id:
        principal_id, principal_name, cast_weight = _proxy_for(poll, principal, member_id, actor)
    question, fingerprint, election_key = secret_params(poll)
    try:
        parsed = ballot_verify(ballot, question=question, fingerprint=fingerprint, key=election_key)
    except CryptoError as exc:
        raise ValidationError({"ballot": str(exc)}) from exc
    ballot_json = parsed.to_json()
    canonical = canonical_json_trusted(ballot_json)  # what Ballot.canonical() writes
    tracker = hashlib.sha256(canonical).hexdigest()
    appended = append_ballot(
        SecretBallot(
            poll_id=poll.pk,
            principal_id=principal_id,
            cast_by_id=member_id,
            weight=cast_weight,
            key=key,
            moment=moment,
            ballot=ballot_json,
            canonical=canonical,
            tracker=tracker,
        )
    )
    if appended is not None:
        transaction.on_commit(lambda: turnout_changed(poll))
        return SecretReceipt(tracker, *appended)
    # A conflict: the key or the voter has a participation, the ballot is a copy, or the poll closed.
    first = Participation.objects.filter(poll_id=poll.pk, idempotency_key=key).first()
    if first is not None:
        if first.principal_id != principal_id:
            raise AlreadyVoted(_(KEY_REUSED))
        return _receipt_for(poll, first, replayed=True)
    stored = Participation.objects.filter(poll_id=poll.pk, principal_id=principal_id).first()
    if stored is not None:
        raise AlreadyVoted(
            _(ALREADY_VOTED) % {"name": principal_name}
            + " "
            + _("The ballot that counts has the tracker %(t)s.") % {"t": stored.tracker}
        )
    if Participation.objects.filter(poll_id=poll.pk, tracker=tracker).exists():
        raise ValidationError({"ballot": _(COPIED)})
    state, *_rest = _poll_and_elector(poll, actor.pk)
    return _not_open(poll, key, state if state != Poll.State.OPEN else Poll.State.CLOSED)


def _not_open(poll: Poll, key: str, state: str) -> SecretReceipt:
    """A retry of a ballot taken before the close gets its first receipt; anything else is refused."""
    first = Participation.objects.filter(poll_id=poll.pk, idempotency_key=key).first()
    if first is not None and first.tracker:
        return _receipt_for(poll, first, replayed=True)
    shown = state if state != Poll.State.OPEN else Poll.State.CLOSED
    raise ValidationError({"poll": _(NOT_OPEN) % {"state": _state_label(shown)}})
