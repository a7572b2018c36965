"""Appends on PostgreSQL: two streams of one organization do not wait for each other's lock, and
appends to one stream are serialized, with no gap and no repeat in its sequence."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections, transaction

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event, Stream
from councils.audit.services import chain_verify, event_record, stream_for
from tests.factories import CouncilFactory, OrganizationFactory

WAIT = 10  # seconds: far more than any step needs; a step that takes it has hung.

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: the test database is not PostgreSQL (set DATABASE_URL)")


def _append(organization, stream: Stream, *, lock_timeout: str | None = None) -> Event:
    with transaction.atomic():
        if lock_timeout:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
        return event_record(
            organization=organization, kind="organization.created", actor=SYSTEM, stream=stream
        )


def _closing(work: Callable[[], object]) -> Callable[[], object]:
    """Run ``work`` as another client's request would: on its own connection, closed after."""

    def run() -> object:
        try:
            return work()
        finally:
            connections.close_all()

    return run


def test_two_streams_of_one_organization_append_without_waiting(postgres):
    organization = OrganizationFactory()
    poll = stream_for(organization=organization, owner=CouncilFactory(organization=organization))
    own = stream_for(organization=organization)
    holding, release = threading.Event(), threading.Event()

    def busy_poll() -> None:
        # A transaction that has appended to the poll's stream and not committed yet.
        with transaction.atomic():
            event_record(organization=organization, kind="organization.created", actor=SYSTEM, stream=poll)
            holding.set()
            release.wait(WAIT)

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_closing(busy_poll))
        try:
            assert holding.wait(WAIT)
            # Another write of the organization goes on while the poll's stream is locked ...
            event = _append(organization, own, lock_timeout="2s")
            assert event.sequence == 1
            # ... but a second append to the poll's stream waits for the first (here: gives up).
            with pytest.raises(OperationalError, match="lock timeout"):
                _append(organization, poll, lock_timeout="200ms")
        finally:
            release.set()
        first.result(WAIT)
    assert [s.length for s in Stream.objects.filter(organization=organization).order_by("id")] == [1, 1]
    assert chain_verify(organization=organization).ok


def test_appends_to_one_stream_are_serialized_without_gap_or_repeat(postgres):
    organization = OrganizationFactory()
    stream = stream_for(organization=organization)
    writers, each = 4, 10

    def write() -> None:
        for _ in range(each):
            _append(organization, stream)

    with ThreadPoolExecutor(writers) as pool:
        for future in [pool.submit(_closing(write)) for _ in range(writers)]:
            future.result(WAIT * 3)
    sequences = list(
        Event.objects.filter(stream=stream).order_by("sequence").values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, writers * each + 1))
    stream.refresh_from_db()
    assert stream.length == writers * each
    report = chain_verify(organization=organization)
    assert report.ok and report.checked == writers * each
