"""Many connections casting secret ballots for one deputy at once store one ballot (PostgreSQL as
well as SQLite); the board stays a chain with every ballot once."""

from __future__ import annotations

import pytest

from councils.voting import services
from councils.voting.crypto.board import verify_board
from councils.voting.errors import AlreadyVoted
from councils.voting.models import BoardEvent, Participation
from tests.federation.test_concurrency import run_at_once
from tests.voting.conftest import make_body
from tests.voting.secret_helpers import YES, encrypt, make_committee

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_connections_casting_for_one_deputy_store_one_secret_ballot():
    body = make_body(deputies=4)
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    deputy = body.deputies[0]
    ballots = [encrypt(poll, YES) for _ in range(8)]
    outcomes = run_at_once(
        [
            lambda i=i: services.secret_ballot_cast(
                actor=deputy.user, poll=poll, ballot=ballots[i], idempotency_key=f"k{i}"
            )
            for i in range(8)
        ]
    )
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, AlreadyVoted) for o in outcomes if isinstance(o, Exception)), outcomes
    assert Participation.objects.get(poll=poll).tracker == won[0].tracker
    assert BoardEvent.objects.filter(poll=poll, type="ballot").count() == 1


def test_many_deputies_casting_at_once_each_get_one_ballot_on_one_chain():
    body = make_body(deputies=8)
    made = make_committee(body)
    poll = body.poll(secrecy="secret", committee=made.committee)
    ballots = {d.pk: encrypt(poll, YES) for d in body.deputies}
    outcomes = run_at_once(
        [
            lambda d=d: services.secret_ballot_cast(
                actor=d.user, poll=poll, ballot=ballots[d.pk], idempotency_key=f"k{d.pk}"
            )
            for d in body.deputies
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    checked = verify_board(services.board_document(poll), processes=1)
    assert checked.ballots == 8 and {o.board_length for o in outcomes} == set(range(5, 13))
    # The close adds up the ballots the casts wrote and appends that encrypted sum, which the
    # board's check recomputes from the ballots.
    closed = services.poll_close(actor=body.officer, poll=poll)
    assert verify_board(services.board_document(closed), processes=1).ballots == 8
