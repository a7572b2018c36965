"""Heads kept outside the database: ``councils audit head`` writes them, ``councils audit verify
--expect`` catches a cut tail, a forged append and a chain rehashed from some event on, and names
the first event that differs, even when the database's own chain is consistent again."""

from __future__ import annotations

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from councils.audit.anchor import DIGEST_BYTES, StreamHead, heads_parse
from councils.audit.models import HASH_STREAMS, Event, Stream
from councils.audit.services import GENESIS_HASH, chain_verify, event_hash, stream_for
from councils.federation import services
from tests.factories import OfficerFactory, OrganizationFactory, UserFactory

EVENTS = 12


@pytest.fixture
def organizer(db):
    return UserFactory(username="organizer")


@pytest.fixture
def org(organizer):
    organization = OrganizationFactory(slug="soviets")
    OfficerFactory(organization=organization, user=organizer)
    for i in range(EVENTS):
        services.faction_create(actor=organizer, organization=organization, name=f"Group {i:02d}")
    return organization


@pytest.fixture
def head_file(org, tmp_path) -> Path:
    """The heads as an operator's cron job exports them."""
    out = StringIO()
    call_command("audit", "head", "soviets", "--json", stdout=out)
    path = tmp_path / "soviets-heads.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", "soviets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _broken(*args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", "soviets", *args, stdout=StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    return err.getvalue()


# --- what an attacker with write access to the database does ------------------------------------


def _rehash_from(stream: Stream, sequence: int) -> None:
    """Alter event ``sequence`` and rehash it and every later event, then move the stream's head:
    the chain in the database is consistent again."""
    events = list(Event.objects.filter(stream=stream, sequence__gte=sequence).order_by("sequence"))
    previous = Event.objects.get(stream=stream, sequence=sequence - 1).hash if sequence > 1 else GENESIS_HASH
    events[0].data = {**events[0].data, "name": "Cadets"}
    for event in events:
        event.previous_hash = previous
        event.hash = event_hash(event, stream=stream)
        Event.objects.filter(pk=event.pk).update(data=event.data, previous_hash=previous, hash=event.hash)
        previous = event.hash
    Stream.objects.filter(pk=stream.pk).update(head=previous)


def _truncate(stream: Stream, keep: int) -> None:
    """Delete every event after ``keep`` and roll the recorded head back to event ``keep``."""
    Event.objects.filter(stream=stream, sequence__gt=keep).delete()
    head = Event.objects.get(stream=stream, sequence=keep).hash
    Stream.objects.filter(pk=stream.pk).update(length=keep, head=head)


def _forge_append(stream: Stream) -> None:
    """Append a well-formed event with a correct link and hash, and move the head to it."""
    last = Event.objects.get(stream=stream, sequence=stream.length)
    forged = Event(
        organization_id=stream.organization_id,
        stream=stream,
        sequence=stream.length + 1,
        hash_version=HASH_STREAMS,
        kind="faction.created",
        occurred_at=last.occurred_at,
        object_type="federation.faction",
        object_id="9999",
        data={"name": "Okhrana", "colour": "#000000"},
        previous_hash=last.hash,
    )
    forged.hash = event_hash(forged, stream=stream)
    forged.save()
    Stream.objects.filter(pk=stream.pk).update(length=forged.sequence, head=forged.hash)


# --- the tests -----------------------------------------------------------------------------------


def test_a_clean_chain_verifies_against_its_head_file(org, head_file):
    out, _err = _verify("--expect", str(head_file))
    assert out.strip() == f"OK: {EVENTS} events, chain intact; matches the head file"


def test_the_head_file_holds_two_bytes_an_event(org, head_file):
    document = json.loads(head_file.read_text())
    [entry] = document["streams"]
    stream = stream_for(organization=org)
    assert document["organization"] == "soviets"
    assert (entry["stream"], entry["length"], entry["head"]) == ("organization", EVENTS, stream.head)
    assert len(base64.b64decode(entry["digests"])) == EVENTS * DIGEST_BYTES
    assert entry["checkpoints"] == []  # fewer events than one checkpoint interval


def test_head_prints_each_streams_length_and_hash(org):
    out = StringIO()
    call_command("audit", "head", "soviets", stdout=out)
    assert out.getvalue().split() == ["organization", str(EVENTS), stream_for(organization=org).head]


def test_a_truncated_tail_with_its_head_rolled_back_is_named(org, head_file):
    _truncate(stream_for(organization=org), keep=9)
    assert chain_verify(organization=org).ok  # the database alone cannot tell
    err = _broken("--expect", str(head_file))
    assert "event #10 of stream organization" in err
    assert "missing: the head file has 12 events" in err


def test_a_forged_append_with_its_head_updated_is_named(org, head_file):
    _forge_append(stream_for(organization=org))
    assert chain_verify(organization=org).ok
    err = _broken("--expect", str(head_file))
    assert "event #13 of stream organization" in err
    assert "not in the head file" in err


def test_a_chain_rehashed_from_an_event_on_is_named(org, head_file):
    _rehash_from(stream_for(organization=org), 5)
    assert chain_verify(organization=org).ok
    err = _broken("--expect", str(head_file))
    assert "event #5 of stream organization" in err
    assert "differs from the head file" in err
    assert "(4 events before it are intact)" in err


def test_events_appended_since_are_reported_unless_allowed(org, organizer, head_file):
    services.faction_create(actor=organizer, organization=org, name="Anarchists")
    assert "event #13" in _broken("--expect", str(head_file))
    out, _err = _verify("--expect", str(head_file), "--allow-newer")
    assert out.startswith("OK: 13 events")
    # Growth does not hide a rewrite of what the file covers.
    _rehash_from(stream_for(organization=org), 7)
    assert "event #7" in _broken("--expect", str(head_file), "--allow-newer")


def test_a_stream_missing_from_the_database_is_named(org, tmp_path):
    path = tmp_path / "heads.json"
    path.write_text(
        json.dumps(
            {
                "organization": "soviets",
                "streams": [{"stream": "voting.poll:1", "length": 3, "head": "a" * 64}],
            }
        )
    )
    err = _broken("--expect", str(path), "--allow-newer")
    assert "voting.poll:1" in err and "missing" in err


def test_a_head_written_down_by_hand_detects_and_bounds_the_difference(org, tmp_path):
    """Only length and head, as copied from the audit page: the rewrite is found, not pinpointed."""
    stream = stream_for(organization=org)
    path = tmp_path / "by-hand.json"
    path.write_text(json.dumps({"streams": [{"stream": "organization", "length": 12, "head": stream.head}]}))
    _rehash_from(stream, 5)
    err = _broken("--expect", str(path))
    assert "event #12" in err and "between event #1 and this one" in err


def test_checkpoints_bound_the_difference_without_digests():
    hashes = [f"{i:064x}" for i in range(1, 11)]
    head = StreamHead(
        stream="organization",
        length=10,
        head=hashes[-1],
        checkpoint_every=4,
        checkpoints=tuple(hashes[3:8:4]),
    )
    assert [head.mismatch(i + 1, h) for i, h in enumerate(hashes)] == [None] * 10
    # Event 6 altered and everything after rehashed: checkpoint #8 differs, #4 holds.
    assert head.mismatch(8, "f" * 64) == (
        "differs from the head file; the first difference is between event #5 and this one"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"streams": [{"stream": "organization", "length": 2, "head": "xyz"}]}', "/streams/0/head"),
        ('{"streams": [{"stream": "organization", "length": -1, "head": ""}]}', "/streams/0/length"),
        (
            '{"streams": [{"stream": "organization", "length": 2, "head": "'
            + "a" * 64
            + '", "digests": "AAAA"}]}',
            "/streams/0/digests: 3 bytes for 2 events",
        ),
    ],
)
def test_a_bad_head_file_is_refused_naming_the_part(text, message):
    with pytest.raises(ValueError, match=message):
        heads_parse(text)


def test_a_head_file_of_another_organization_is_refused(org, head_file, db):
    OrganizationFactory(slug="other")
    with pytest.raises(CommandError, match="not of other") as excinfo:
        call_command(
            "audit", "verify", "other", "--expect", str(head_file), stdout=StringIO(), stderr=StringIO()
        )
    assert excinfo.value.returncode == 2
