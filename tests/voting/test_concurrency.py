"""Many connections voting at once lose and double nothing (run on PostgreSQL as well as SQLite).

Each function runs in its own thread with its own database connection, released together.
"""

from __future__ import annotations

import pytest

from councils.audit.models import Event
from councils.voting import services
from councils.voting.errors import AlreadyVoted
from councils.voting.models import Participation
from tests.federation.test_concurrency import run_at_once
from tests.voting.conftest import make_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_connections_casting_for_one_deputy_store_one_ballot():
    body = make_body(deputies=3)
    poll = body.poll()
    deputy = body.deputies[0]
    outcomes = run_at_once(
        [
            lambda i=i: services.ballot_cast(
                actor=deputy.user,
                poll=poll,
                ballot={"answer": "yes" if i % 2 else "no"},
                idempotency_key=f"k{i}",
            )
            for i in range(8)
        ]
    )
    won = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert all(isinstance(e, AlreadyVoted) for e in refused), refused
    row = Participation.objects.get(poll=poll)
    assert row.pk == won[0].participation.pk


def test_many_retries_with_one_key_all_get_the_first_answer():
    body = make_body(deputies=3)
    poll = body.poll()
    deputy = body.deputies[0]
    outcomes = run_at_once(
        [
            lambda: services.ballot_cast(
                actor=deputy.user, poll=poll, ballot={"answer": "yes"}, idempotency_key="same"
            )
            for _ in range(8)
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.participation.pk for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert Participation.objects.filter(poll=poll).count() == 1


def test_a_close_during_casting_seals_exactly_the_votes_that_were_taken():
    body = make_body(deputies=8)
    poll = body.poll()
    casts = [
        lambda d=d: services.ballot_cast(actor=d.user, poll=poll, ballot={"answer": "yes"})
        for d in body.deputies
    ]
    outcomes = run_at_once([*casts, lambda: services.poll_close(actor=body.officer, poll=poll)])
    taken = [o for o in outcomes[:-1] if not isinstance(o, Exception)]
    sealed = Event.objects.get(kind="poll.closed").data
    assert sealed["participations"] == len(taken) == Participation.objects.filter(poll=poll).count()
