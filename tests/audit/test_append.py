"""Appending an event in one statement (PostgreSQL): the same chain as appending it in three."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from councils.audit import append as one_statement
from councils.audit.models import Event
from councils.audit.services import chain_verify, event_hash
from councils.federation import services
from tests.factories import OfficerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _organization():
    organizer = UserFactory()
    org = OrganizationFactory()
    OfficerFactory(organization=org, user=organizer)
    return org, organizer


def test_events_appended_in_one_statement_carry_the_hash_of_their_content() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("one-statement appends are PostgreSQL's (needs DATABASE_URL to PostgreSQL)")
    org, organizer = _organization()
    for name in ("Bolsheviks", "Mensheviks", "SRs — левые", 'Quote "and" backslash \\'):
        services.faction_create(actor=organizer, organization=org, name=name)
    events = list(Event.objects.filter(organization=org).order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    for before, event in itertools.pairwise(events):
        assert event.previous_hash == before.hash
    assert all(event_hash(e) == e.hash for e in events)
    assert chain_verify(organization=org).ok


def test_a_payload_holding_the_stand_in_is_appended_and_verifies() -> None:
    org, organizer = _organization()
    services.faction_create(actor=organizer, organization=org, name="First")
    services.faction_create(actor=organizer, organization=org, name=one_statement._PREVIOUS[:60])
    services.faction_create(actor=organizer, organization=org, name=str(one_statement._SEQUENCE))
    report = chain_verify(organization=org)
    assert report.ok and report.checked == 3
