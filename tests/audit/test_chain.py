"""The audit chain: one event per change, hash-chained; verification names the first bad event."""

from __future__ import annotations

import pytest
from django.db import transaction

from councils.accounts.actors import SYSTEM
from councils.audit.models import HASH_LEGACY, HASH_STREAMS, Event
from councils.audit.services import chain_verify, event_hash, event_record, stream_for
from councils.federation import services
from tests.factories import CouncilFactory, OfficerFactory, OrganizationFactory, UserFactory


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
    # An attacker rewrites a payload in the database.
    Event.objects.filter(organization=org, sequence=2).update(data={"name": "Cadets", "colour": "#000000"})
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


def test_the_summary_is_rendered_from_the_payload_not_stored_or_hashed(org_with_events):
    org, organizer = org_with_events
    with transaction.atomic():
        event = event_record(
            organization=org,
            kind="faction.created",
            actor=organizer,
            data={"name": "Trudoviks", "colour": "#aa0000"},
        )
    event.refresh_from_db()
    assert event.legacy_summary == ""
    assert event.hash_version == HASH_STREAMS
    assert event.summary == "Faction Trudoviks created"
    assert chain_verify(organization=org).ok


def test_streams_of_one_organization_are_separate_chains(org_with_events):
    org, _ = org_with_events
    council = CouncilFactory(organization=org)
    sitting = stream_for(organization=org, owner=council)
    with transaction.atomic():
        first = event_record(
            organization=org, kind="organization.created", actor=SYSTEM, stream=sitting, data={}
        )
        second = event_record(
            organization=org, kind="organization.created", actor=SYSTEM, stream=sitting, data={}
        )
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash
    assert sitting.name == f"federation.council:{council.pk}"
    assert stream_for(organization=org).length == 4  # the factions, untouched by the sitting
    report = chain_verify(organization=org)
    assert report.ok and report.checked == 6 and len(report.streams) == 2

    # Tampering with one stream names that stream.
    Event.objects.filter(stream=sitting, sequence=2).update(data={"x": 1})
    problem = chain_verify(organization=org).problem
    assert (problem.stream, problem.sequence) == (sitting.name, 2)


def test_a_stream_belongs_to_its_organization(org_with_events):
    org, _ = org_with_events
    elsewhere = CouncilFactory()
    with pytest.raises(ValueError, match="another organization"):
        stream_for(organization=org, owner=elsewhere)
    other_stream = stream_for(organization=elsewhere.organization)
    with transaction.atomic(), pytest.raises(ValueError, match="another organization"):
        event_record(organization=org, kind="organization.created", actor=SYSTEM, stream=other_stream)


def test_a_legacy_event_after_a_versioned_one_is_named(org_with_events):
    org, _ = org_with_events
    # An attacker passes event 3 off as a legacy event (rehashing it the legacy way).
    event = Event.objects.get(organization=org, sequence=3)
    event.hash_version = HASH_LEGACY
    Event.objects.filter(pk=event.pk).update(hash_version=HASH_LEGACY, hash=event_hash(event))
    problem = chain_verify(organization=org).problem
    assert problem.sequence == 3 and "legacy" in problem.problem
