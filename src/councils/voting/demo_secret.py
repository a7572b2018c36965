"""The demonstration's secret poll (called by :func:`councils.voting.demo.load_polls`).

25 November 1917: the Kronstadt Soviet's deputies vote by secret ballot on a motion. Three of its
deputies are the demonstration's trustees (two of three decrypt): their key ceremony is run here as
each would run ``councils trustee keygen|deal|confirm`` on their own computer, and their key files
are written to the data directory (``demo-secret-poll/``, readable by their owner only) so that
anyone can play a trustee's part. The ballots are encrypted with the Python library as a browser
would encrypt them; the poll is closed, two trustees decrypt its sum, the result is published, and
the board is written beside the keys for ``councils verify-poll`` (README: "The demonstration").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from councils.accounts.actors import SYSTEM, Actor
from councils.federation import selectors
from councils.federation.models import Council, Member
from councils.voting import services
from councils.voting.crypto.ballot import Question, ballot_encrypt
from councils.voting.crypto.board import trustee_decrypt, verify_board
from councils.voting.crypto.files import write_json
from councils.voting.crypto.trustees import trustee_confirm, trustee_deal, trustee_keygen
from councils.voting.models import BoardEvent, Poll, TrusteeCommittee

Moment = Callable[..., datetime]

TITLE = "Kronstadt Soviet: that all power pass to the Soviets (secret ballot)"
DESCRIPTION = (
    "That the Kronstadt Soviet recognize no power but the Soviets' and the Council of People's "
    "Commissars they formed. Voted by secret ballot: only the sum is decrypted, by two of the "
    "soviet's three tellers."
)
#: Where the demonstration's trustees' key files and the poll's board go, in the data directory.
DIRECTORY = "demo-secret-poll"
#: How the deputies vote, in turn: mostly yes, some no, a few abstain (illustrative).
PATTERN = ("yes", "yes", "no", "yes", "abstain", "yes", "no", "yes")
ANSWERS = {"yes": [1, 0, 0], "no": [0, 1, 0], "abstain": [0, 0, 1]}


def directory() -> Path:
    """The data directory's folder for the demonstration's trustee keys and board."""
    return Path(settings.DATA_DIR) / DIRECTORY


def _tellers(committee: TrusteeCommittee) -> dict[int, Actor]:
    """Each trustee's account by index (each posts their own steps)."""
    return {t.index: t.user or SYSTEM for t in committee.trustees.order_by("index")}


def _ceremony(committee: TrusteeCommittee) -> dict[int, dict[str, Any]]:
    """Each teller's three steps, as their own computer would run them; returns their key files."""
    keys: dict[int, dict[str, Any]] = {}
    users = _tellers(committee)
    for index in users:
        key, message = trustee_keygen(services.ceremony_document(committee), index)
        keys[index] = key
        committee = services.ceremony_post(
            actor=users[index], committee=committee, index=index, message=message
        )
    for index in users:
        message = trustee_deal(services.ceremony_document(committee), keys[index])
        committee = services.ceremony_post(
            actor=users[index], committee=committee, index=index, message=message
        )
    for index in users:
        keys[index], message = trustee_confirm(services.ceremony_document(committee), keys[index])
        committee = services.ceremony_post(
            actor=users[index], committee=committee, index=index, message=message
        )
    return keys


def _key_file(index: int) -> Path:
    return directory() / f"trustee-{index}.key"


def secret_poll(*, kronstadt: Council, on: Moment, tick: Callable[[], datetime]) -> Poll:
    """Play the secret poll through the services and leave its keys and board in the data directory."""
    at = on(date(1917, 11, 25), 10)
    deputies: list[Member] = []
    for seat in selectors.seats(council=kronstadt, at=at):
        if seat.holder.user is not None and seat.holder not in deputies:
            deputies.append(seat.holder)
    tellers = deputies[:3]
    committee = services.committee_create(
        actor=SYSTEM,
        organization=kronstadt.organization,
        name="Tellers of the Kronstadt Soviet",
        members=list(tellers),
        at=at,
    )
    keys = _ceremony(committee)
    directory().mkdir(parents=True, exist_ok=True)
    for index, key in keys.items():
        write_json(
            _key_file(index), (json.dumps(key, indent=1, sort_keys=True) + "\n").encode(), private=True
        )
    committee.refresh_from_db()
    poll = services.poll_create(
        actor=SYSTEM,
        organization=kronstadt.organization,
        title=TITLE,
        description=DESCRIPTION,
        kind=Poll.Kind.MOTION,
        electorate_council=kronstadt,
        secrecy=Poll.Secrecy.SECRET,
        committee=committee,
        at=tick(),
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll, at=tick())
    setup = BoardEvent.objects.get(poll=poll, seq=0).body
    question = Question(setup["question"]["answers"], setup["question"]["min"], setup["question"]["max"])
    election_key = bytes.fromhex(committee.election_key)
    for n, deputy in enumerate(deputies):
        made = ballot_encrypt(
            question=question,
            fingerprint=poll.fingerprint,
            key=election_key,
            choices=ANSWERS[PATTERN[n % len(PATTERN)]],
        )
        services.secret_ballot_cast(
            actor=deputy.user, poll=poll, ballot=made.ballot.to_json(), idempotency_key=f"demo-{n}", at=tick()
        )
    poll = services.poll_close(actor=SYSTEM, poll=poll, at=tick())
    users = _tellers(committee)
    for index in (1, 2):
        factors = trustee_decrypt(services.board_document(poll), keys[index], processes=1)
        poll = services.trustee_factors_post(
            actor=users[index], poll=poll, index=index, factors=factors, at=tick()
        )
    poll.refresh_from_db()
    if poll.state == Poll.State.COUNTED:
        poll = services.poll_publish(actor=SYSTEM, poll=poll, at=tick())
    board = services.board_document(poll)
    verify_board(board, processes=1)  # what `councils verify-poll` will find
    write_json(directory() / "board.json", (json.dumps(board, ensure_ascii=False) + "\n").encode())
    return poll
