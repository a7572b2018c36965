"""The audit chain: one event per change, hash-chained; verification names the first bad event."""

from __future__ import annotations

import pytest

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.audit.services import chain_verify
from councils.federation import services
from tests.factories import OfficerFactory, OrganizationFactory, UserFactory


@pytest.fixture
def org_with_events(db):
    organizer = UserFactory()
    org = OrganizationFactory()
    OfficerFactory(organization=org, user=organizer)
    for name in ("Bolsheviks", "Mensheviks", "SRs", "Left SRs"):
        services.faction_create(actor=organizer, organization=org, name=name)
    return org, organizer


def test_each_service_writes_one_event_with_actor_and_target(org_with_events):
    org, organizer = org_with_events
    assert Event.objects.filter(organization=org).count() == 4
    event = Event.objects.filter(organization=org).order_by("sequence").first()
    assert (event.sequence, event.kind, event.actor, event.object_type) == (
        1,
        "faction.created",
        organizer,
        "federation.faction",
    )


def test_an_intact_chain_verifies(org_with_events):
    org, _ = org_with_events
    report = chain_verify(organization=org)
    assert report.ok and report.checked == 4


def test_an_altered_event_is_named(org_with_events):
    org, _ = org_with_events
    Event.objects.filter(organization=org, sequence=2).update(summary="Faction Cadets created")
    report = chain_verify(organization=org)
    assert not report.ok
    assert report.problem.sequence == 2 and "altered" in report.problem.problem


def test_a_missing_event_is_named(org_with_events):
    org, _ = org_with_events
    Event.objects.filter(organization=org, sequence=3).delete()
    report = chain_verify(organization=org)
    assert report.problem.sequence == 3 and "missing" in report.problem.problem


def test_a_removed_last_event_is_named(org_with_events):
    org, _ = org_with_events
    Event.objects.filter(organization=org, sequence=4).delete()
    report = chain_verify(organization=org)
    assert report.problem.sequence == 4 and "missing" in report.problem.problem


def test_a_rewritten_chain_breaks_at_the_first_rewritten_link(org_with_events):
    org, _ = org_with_events
    # Replacing an event's hash (to hide an alteration) breaks the next event's link.
    Event.objects.filter(organization=org, sequence=2).update(hash="f" * 64)
    report = chain_verify(organization=org)
    assert report.problem.sequence == 2


def test_chains_are_per_organization(org_with_events):
    org, _ = org_with_events
    other = OrganizationFactory()
    services.faction_create(actor=SYSTEM, organization=other, name="Anarchists")
    assert Event.objects.get(organization=other).sequence == 1
    assert chain_verify(organization=org).ok and chain_verify(organization=other).ok


def test_a_long_summary_is_stored_as_hashed(org_with_events):
    org, organizer = org_with_events
    services.faction_create(actor=organizer, organization=org, name="X" * 120)  # summary > 120 chars
    from django.db import transaction

    from councils.audit.services import event_record

    with transaction.atomic():
        event_record(organization=org, kind="test.long", actor=organizer, summary="y" * 500)
    assert len(Event.objects.get(organization=org, kind="test.long").summary) == 300
    assert chain_verify(organization=org).ok
