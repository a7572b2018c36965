"""Concurrent requests lose and double nothing: signatures, recalls, audit events.

These run with real transactions in several threads, each with its own database connection, on
whichever database the suite runs against (CI runs the suite on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from councils.audit.models import Event
from councils.audit.services import chain_verify
from councils.federation import services
from councils.federation.models import Election, RecallPetition, Seat, Signature
from tests.factories import MemberFactory, OfficerFactory, SeatAllocationFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(functions):
    """Run each function in its own thread, released together; return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def petition_one_short():
    """A petition needing 3 signatures that has 1, in a constituency of 6 members."""
    seat = SeatFactory(start=timezone.now() - timedelta(days=30))
    SeatAllocationFactory(constituency=seat.constituency, seats=1, start=seat.start)
    OfficerFactory(organization=seat.organization, user=UserFactory())
    members = [MemberFactory(constituency=seat.constituency) for _ in range(5)]
    petition = services.petition_open(actor=members[0].user, seat=seat)
    assert petition.required == 3
    return petition, members[1:]


def test_two_signatures_reaching_the_threshold_at_once_end_the_seat_once(petition_one_short):
    petition, others = petition_one_short
    outcomes = run_at_once(
        [lambda m=m: services.petition_sign(actor=m.user, petition=petition) for m in others[:3]]
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    # Every signer either signed or was told the petition had already succeeded; none failed otherwise.
    for error in errors:
        assert isinstance(error, ValidationError), repr(error)
        assert "succeeded" in str(error)
    signed = [o for o in outcomes if not isinstance(o, Exception)]
    assert sum(o.recalled for o in signed) == 1
    seat = Seat.objects.get(pk=petition.seat_id)
    assert seat.end_reason == "recall"
    assert RecallPetition.objects.get(pk=petition.pk).status == "succeeded"
    assert Election.objects.filter(cause=seat).count() == 1
    assert Signature.objects.filter(petition=petition).count() == 1 + len(signed)
    assert Event.objects.filter(kind="petition.signed").count() == len(signed)
    assert chain_verify(organization=seat.organization).ok


def test_a_member_signing_twice_at_once_signs_once(petition_one_short):
    petition, others = petition_one_short
    member = others[0]
    outcomes = run_at_once([lambda: services.petition_sign(actor=member.user, petition=petition)] * 2)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert Signature.objects.filter(petition=petition, member=member).count() == 1


def test_tick_from_several_machines_expires_each_petition_once(petition_one_short):
    petition, _ = petition_one_short
    later = petition.expires_at + timedelta(minutes=1)
    reports = run_at_once([lambda: services.tick(at=later)] * 3)
    assert not any(isinstance(r, Exception) for r in reports), reports
    assert sum(r.petitions_expired for r in reports) == 1
    assert Event.objects.filter(kind="petition.expired").count() == 1
    assert chain_verify(organization=petition.organization).ok
