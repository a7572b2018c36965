"""A poll's live updates: every change of its state and every vote tell its open pages, after
commit; a burst of votes sends a few messages, not one each."""

from __future__ import annotations

import json
import time

import pytest

from councils.live import publish
from councils.voting import live, services
from tests.voting.conftest import make_body

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(monkeypatch):
    # The in-process backend on every database: what is under test is which messages are sent,
    # not how they travel (tests/live covers the backends).
    monkeypatch.setattr(publish, "backend", lambda using="default": publish.LOCAL)
    messages: list[dict] = []
    unsubscribe = publish.local_subscribe(lambda org, payload: messages.append(json.loads(payload)))
    yield messages
    unsubscribe()


def topics(messages, poll):
    return [m for m in messages if f"poll.{poll.pk}" in m["topics"]]


def test_opening_closing_and_a_vote_each_reach_the_polls_pages(heard):
    body = make_body(deputies=3)
    poll = body.poll()
    assert len(topics(heard, poll)) == 2  # created, opened
    live._last.clear()
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"answer": "yes"})
    assert len(topics(heard, poll)) == 3
    services.poll_close(actor=body.officer, poll=poll)
    assert len(topics(heard, poll)) == 4
    # Only this poll's messages: a burst's trailing message from an earlier test in the same
    # process (sent by its timer thread) may arrive meanwhile.
    assert all(m["organization"] == body.organization.pk for m in topics(heard, poll))


def test_a_burst_of_votes_sends_one_message_now_and_one_at_the_end_of_the_window(heard):
    body = make_body(deputies=6)
    poll = body.poll()
    before = len(topics(heard, poll))
    live._last.clear()
    for deputy in body.deputies:
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"answer": "no"})
    assert len(topics(heard, poll)) == before + 1
    time.sleep(live.TURNOUT_INTERVAL * 3)
    # The last vote's turnout is sent within the window: pages never miss the final figure.
    assert len(topics(heard, poll)) == before + 2
