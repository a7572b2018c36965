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
    live.TURNOUT.forget()
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
    live.TURNOUT.forget()
    for deputy in body.deputies:
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"answer": "no"})
    assert len(topics(heard, poll)) == before + 1
    time.sleep(live.TURNOUT_INTERVAL * 3)
    # The last vote's turnout is sent within the window: pages never miss the final figure.
    assert len(topics(heard, poll)) == before + 2


def test_a_page_read_just_before_a_quick_publish_still_gets_the_published_version(heard, monkeypatch):
    """Counted, then published a few milliseconds later while a poll page is being rendered: the
    page (read while counted) must follow from a version older than the publication's, or its
    stream never receives the declared result and stays at "counted"."""
    import re
    from urllib.parse import unquote

    from django.test import Client
    from django.urls import reverse

    from councils.voting import views

    body = make_body(deputies=3)
    poll = body.poll()
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"answer": "yes"})
    services.poll_close(actor=body.officer, poll=poll)
    services.poll_count(actor=body.officer, poll=poll)
    real_context = views.poll_context

    def read_then_published_elsewhere(request, organization, read_poll):
        context = real_context(request, organization, read_poll)
        # Another request publishes the result after this page read the poll, before it renders.
        services.poll_publish(actor=body.officer, poll=read_poll)
        time.sleep(0.002)
        return context

    monkeypatch.setattr(views, "poll_context", read_then_published_elsewhere)
    client = Client()
    client.force_login(body.officer)
    html = client.get(reverse("poll", args=[body.organization.slug, poll.pk])).content.decode()
    assert "The poll is counted." in html  # the page shows what it read
    since = int(re.search(r"since=(\d+)", unquote(html)).group(1))
    published = topics(heard, poll)[-1]["version"]
    # The hub sends a stream every fragment newer than its page's version (Hub._route).
    assert published > since, "the page's stream would never get the published result"
