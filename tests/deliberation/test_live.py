"""Live updates of a sitting: each change publishes the sitting's topic after commit, and the shared
fragment the projector and the sitting page swap in shows the new state."""

from __future__ import annotations

import json

import pytest

from councils.deliberation import services
from councils.live import publish
from councils.live.topics import parse, sitting_topic
from councils.web.fragments import FRAGMENTS
from tests.deliberation.conftest import open_sitting


@pytest.fixture
def heard(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(publish, "backend", lambda using="default": publish.LOCAL)
    messages: list[dict] = []
    unsubscribe = publish.local_subscribe(lambda org_id, payload: messages.append(json.loads(payload)))
    yield messages
    unsubscribe()


def test_asking_to_speak_publishes_the_sitting(hall, heard, django_capture_on_commit_callbacks):
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.speech_request(actor=hall.user(0), item=item)
    assert any(f"sitting.{sitting.pk}" in m["topics"] for m in heard)


def test_a_page_may_follow_a_sitting(hall):
    assert parse(hall.organization.pk, f"sitting.{hall.sitting.pk}") == sitting_topic(hall.sitting)


def test_the_shared_fragment_shows_the_speaker(hall):
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    services.speech_request(actor=hall.user(0), item=item)
    services.speech_start(actor=hall.chair, item=item)
    html = FRAGMENTS["sitting"].render(sitting_topic(sitting))
    assert html is not None
    assert 'sse-swap="sitting"' in html and hall.seats[0].holder.name in html and "data-ends-at" in html
