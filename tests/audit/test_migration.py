"""Moving the chain heads into streams (audit 0002, federation 0002): events written before keep
verifying, with the hash they were written with, and new events chain on after them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from councils.accounts.actors import SYSTEM
from councils.audit.models import HASH_LEGACY, HASH_STREAMS, Event
from councils.audit.services import chain_verify, event_record, stream_for
from councils.federation.models import Organization

BEFORE = [("audit", "0001_initial"), ("federation", "0001_initial")]


def _old_event_hash(event) -> str:
    """The hash function as it was before streams (councils.audit.services.event_hash), verbatim."""
    payload = {
        "organization": event.organization_id,
        "sequence": event.sequence,
        "kind": event.kind,
        "actor": event.actor_id,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "data": event.data,
        "previous": event.previous_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_old_events_move_into_their_organizations_stream_and_still_verify():
    _migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldOrganization = old.get_model("federation", "Organization")
        OldEvent = old.get_model("audit", "Event")
        organization = OldOrganization.objects.create(name="Petrograd Soviet", slug="petrograd")
        OldOrganization.objects.create(name="Quiet", slug="quiet")  # no event: no stream yet
        previous = "0" * 64
        moment = datetime(1917, 3, 1, 12, tzinfo=UTC)
        for sequence, name in enumerate(["Bolsheviks", "Mensheviks", "SRs"], start=1):
            event = OldEvent(
                organization=organization,
                sequence=sequence,
                kind="faction.created",
                occurred_at=moment + timedelta(days=sequence),
                object_type="federation.faction",
                object_id=str(sequence),
                summary=f"Faction {name} created",
                data={"name": name, "colour": "#aa0000"},
                previous_hash=previous,
            )
            event.hash = previous = _old_event_hash(event)
            event.save()
        OldOrganization.objects.filter(pk=organization.pk).update(chain_length=3, chain_head=previous)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    petrograd = Organization.objects.get(slug="petrograd")
    stream = stream_for(organization=petrograd)
    assert (stream.length, stream.head) == (3, previous)
    assert (
        list(Event.objects.filter(organization=petrograd).values_list("stream_id", "hash_version"))
        == [(stream.pk, HASH_LEGACY)] * 3
    )
    assert Event.objects.get(organization=petrograd, sequence=2).summary == "Faction Mensheviks created"
    assert chain_verify(organization=petrograd).ok
    assert not chain_verify(organization=Organization.objects.get(slug="quiet")).streams

    # New events chain on after the legacy ones, with the new hash.
    with transaction.atomic():
        new = event_record(
            organization=petrograd,
            kind="faction.created",
            actor=SYSTEM,
            data={"name": "Cadets", "colour": "#00f"},
        )
    assert (new.sequence, new.previous_hash, new.hash_version) == (4, previous, HASH_STREAMS)
    report = chain_verify(organization=petrograd)
    assert report.ok and report.checked == 4
