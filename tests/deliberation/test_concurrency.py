"""Deputies asking to speak at the same moment: everyone gets one place, nobody two, and the audit
chain of the sitting holds. Real transactions in threads, on whichever database the suite uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from councils.audit.services import chain_verify
from councils.deliberation import services
from councils.deliberation.models import Speech
from tests.deliberation.conftest import build_hall, open_sitting
from tests.federation.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def debate():
    hall = build_hall(deputies=6)
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    return hall, item


def test_six_deputies_asking_at_once_get_six_places(debate):
    hall, item = debate
    results = run_at_once(
        [lambda i=i: services.speech_request(actor=hall.user(i), item=item) for i in range(6)]
    )
    assert all(isinstance(r, Speech) for r in results), results
    positions = sorted(Speech.objects.filter(item=item).values_list("position", flat=True))
    assert len(set(positions)) == 6
    assert chain_verify(organization=hall.organization).ok


def test_one_deputy_asking_twice_at_once_gets_one_place(debate):
    hall, item = debate
    results = run_at_once([lambda: services.speech_request(actor=hall.user(0), item=item) for _ in range(3)])
    assert sum(isinstance(r, Speech) for r in results) == 1
    assert all(isinstance(r, ValidationError | Speech) for r in results), results
    assert Speech.objects.filter(item=item).count() == 1
