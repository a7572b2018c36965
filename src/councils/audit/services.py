"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from councils import requestmemo
from councils.accounts.actors import Actor, actor_user_id
from councils.audit.anchor import (
    MISSING_FROM_FILE,
    STREAM_MISSING,
    STREAM_NOT_IN_FILE,
    Heads,
    StreamHead,
)
from councils.audit.append import append
from councils.audit.kinds import kind_get, payload_clean
from councils.audit.models import HASH_LEGACY, HASH_STREAMS, ORGANIZATION_OWNER, Event, Stream

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """Turn values JSON cannot hold as they are (dates, decimals) into stable strings."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _digest(payload: Mapping[str, Any]) -> str:
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _occurred(event: Event) -> str:
    return event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")


def _hash_legacy(event: Event, stream: Stream) -> str:
    """Version 1, the chain before streams: per organization, the English summary hashed.

    Kept unchanged so that events written then still verify.
    """
    return _digest(
        {
            "organization": event.organization_id,
            "sequence": event.sequence,
            "kind": event.kind,
            "actor": event.actor_id,
            "occurred_at": _occurred(event),
            "object_type": event.object_type,
            "object_id": event.object_id,
            "summary": event.legacy_summary,
            "data": _canonical(event.data),
            "previous": event.previous_hash,
        }
    )


def _hash_streams(event: Event, stream: Stream) -> str:
    """Version 2: the stream (by its owner), the kind and its payload; no human summary, which is
    rendered when shown. The version is hashed too, so an event cannot be passed off as legacy."""
    return _digest(
        {
            "v": HASH_STREAMS,
            "organization": event.organization_id,
            "stream": [stream.owner_type, stream.owner_id],
            "sequence": event.sequence,
            "kind": event.kind,
            "actor": event.actor_id,
            "occurred_at": _occurred(event),
            "object_type": event.object_type,
            "object_id": event.object_id,
            "data": _canonical(event.data),
            "previous": event.previous_hash,
        }
    )


HASHERS: dict[int, Callable[[Event, Stream], str]] = {HASH_LEGACY: _hash_legacy, HASH_STREAMS: _hash_streams}


def event_hash(event: Event, *, stream: Stream | None = None) -> str:
    """The SHA-256 of an event's content and its link to the previous event, by its hash version.

    Pass ``stream`` when it is at hand (verifying a whole stream) to spare a query per event.
    """
    return HASHERS[event.hash_version](event, stream if stream is not None else event.stream)


def _owner_key(organization: Model, owner: Model | None) -> tuple[str, str]:
    if owner is None or (owner._meta.label_lower == ORGANIZATION_OWNER and owner.pk == organization.pk):
        return ORGANIZATION_OWNER, str(organization.pk)
    if owner.pk is None:
        raise ValueError(f"{owner!r} is not saved: only a saved object can own a stream.")
    owner_org = getattr(owner, "organization_id", organization.pk)
    if owner_org != organization.pk:
        raise ValueError(f"{owner!r} belongs to another organization and cannot own a stream of this one.")
    return owner._meta.label_lower, str(owner.pk)


def stream_for(*, organization: Model, owner: Model | None = None) -> Stream:
    """The stream of ``organization`` owned by ``owner`` (the organization itself when None),
    created empty the first time it is asked for.

    Give a poll or a sitting its own stream when it writes many events at once: appends to
    different streams lock different rows and do not wait for each other.
    """
    owner_type, owner_id = _owner_key(organization, owner)
    stream, _created = Stream.objects.get_or_create(
        organization_id=organization.pk, owner_type=owner_type, owner_id=owner_id
    )
    return stream


def streams_of(*, organization: Model) -> list[Stream]:
    """Every stream of the organization, its own first (then in the order they were opened)."""
    return list(Stream.objects.filter(organization_id=organization.pk).order_by("id"))


def event_record(
    *,
    organization: Model,
    kind: str,
    actor: Actor,
    target: Model | None = None,
    data: Mapping[str, Any] | object | None = None,
    at: datetime | None = None,
    stream: Stream | None = None,
    owner: Model | None = None,
) -> Event:
    """Append one event to a stream of the organization: ``stream``, or the stream ``owner`` owns
    (created on first use), or else the organization's own.

    ``kind`` must be registered (:mod:`councils.audit.kinds`) and ``data`` must fit its payload (a
    mapping or an instance of the payload class); otherwise :class:`~councils.audit.kinds.EventKindError`
    is raised and nothing is written. ``actor`` is a user or ``SYSTEM``. The summary a reader sees
    is rendered from the payload when shown, and neither stored nor hashed.

    Must run inside the transaction of the service whose change it records, so the change and its
    event commit or roll back together. The stream's row is locked first: appends to one stream are
    serialized, appends to different streams are not (on SQLite the IMMEDIATE transaction already
    serializes writers).
    """
    if actor is None:
        raise TypeError("event_record needs an actor: a user, or councils.accounts.actors.SYSTEM.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside the service's transaction")
    registered = kind_get(kind)
    if data is None:
        data = {}
    if isinstance(data, Mapping):
        data = _canonical(data)
    # Stored as the payload class writes it back: what is stored is what is checked and hashed.
    payload = payload_clean(registered, data)
    if stream is not None and stream.organization_id != organization.pk:
        raise ValueError(f"The stream {stream.name} belongs to another organization.")
    # This request changes something: what it read once for the rest of it is read again.
    requestmemo.written()
    actor_id = actor_user_id(actor)
    occurred_at = at or timezone.now()
    object_type = target._meta.label_lower if target is not None else ""
    object_id = str(target.pk) if target is not None else ""
    # On PostgreSQL, once the stream exists: lock, insert and move the head in one statement.
    appended = append(
        organization_id=organization.pk,
        owner=(stream.owner_type, stream.owner_id) if stream is not None else _owner_key(organization, owner),
        stream_id=stream.pk if stream is not None else None,
        kind=kind,
        actor_id=actor_id,
        occurred_at=occurred_at,
        object_type=object_type,
        object_id=object_id,
        data=payload,
        genesis=GENESIS_HASH,
    )
    if appended is not None:
        return appended
    # The stream's row is the chain's head: locking it serializes appends to this stream only.
    # NO KEY UPDATE (on PostgreSQL) still lets other transactions insert rows that refer to it.
    lockable = Stream.objects.select_for_update(no_key=True)
    if stream is not None:
        locked = lockable.get(pk=stream.pk)
    else:
        # The owner's stream (the organization's own by default), in one query once it exists.
        owner_type, owner_id = _owner_key(organization, owner)
        found = lockable.filter(
            organization_id=organization.pk, owner_type=owner_type, owner_id=owner_id
        ).first()
        locked = found or lockable.get(pk=stream_for(organization=organization, owner=owner).pk)
    event = Event(
        organization_id=organization.pk,
        stream=locked,
        sequence=locked.length + 1,
        hash_version=HASH_STREAMS,
        kind=kind,
        actor_id=actor_id,
        occurred_at=occurred_at,
        object_type=object_type,
        object_id=object_id,
        data=payload,
        previous_hash=locked.head or GENESIS_HASH,
    )
    event.hash = event_hash(event, stream=locked)
    event.save(force_insert=True)
    Stream.objects.filter(pk=locked.pk).update(length=event.sequence, head=event.hash)
    return event


# --- verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """The first place where a stream's chain does not hold (or differs from a head file)."""

    sequence: int
    problem: str
    stream: str = "organization"

    def __str__(self) -> str:
        return f"{self.stream}, event #{self.sequence}: {self.problem}"


@dataclass(frozen=True)
class StreamReport:
    """What verifying one stream found: how many events were checked and the first problem."""

    stream: str
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ChainReport:
    """What verifying an organization's streams found: events checked in all, the first problem."""

    checked: int
    problem: ChainProblem | None
    streams: tuple[StreamReport, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_events(stream: Stream) -> Iterator[Event]:
    return Event.objects.filter(stream=stream).order_by("sequence").iterator(chunk_size=2000)


def stream_verify(
    stream: Stream, *, expected: StreamHead | None = None, allow_newer: bool = False
) -> StreamReport:
    """Check one stream event by event and name the first missing, broken or altered event.

    - a gap in the sequence numbers is a *missing* event;
    - an event whose ``previous_hash`` is not the hash of the event before is a *broken* link;
    - an event whose stored ``hash`` does not match its content is an *altered* event;
    - with ``expected`` (a head written down earlier), the first event that differs from it, an
      event it does not have (unless ``allow_newer``: events appended since are expected), or the
      first event it has that the database lost.
    """

    def report(checked: int, sequence: int, problem: str) -> StreamReport:
        return StreamReport(stream.name, checked, ChainProblem(sequence, problem, stream.name))

    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    versioned = False
    for event in _iter_events(stream):
        if event.sequence != expected_sequence:
            missing = (
                _("event #%(sequence)s is missing") % {"sequence": expected_sequence}
                if event.sequence > expected_sequence
                else _("sequence repeats #%(sequence)s") % {"sequence": event.sequence}
            )
            return report(checked, expected_sequence, missing)
        if event.previous_hash != previous_hash:
            return report(
                checked, event.sequence, _("broken link: previous hash does not match the event before")
            )
        hasher = HASHERS.get(event.hash_version)
        if hasher is None:
            return report(
                checked,
                event.sequence,
                _("unknown hash version %(version)s") % {"version": event.hash_version},
            )
        # Legacy events come first: one after a versioned event was passed off as legacy.
        if event.hash_version == HASH_LEGACY and versioned:
            return report(checked, event.sequence, _("altered: a legacy event after a versioned one"))
        versioned = versioned or event.hash_version != HASH_LEGACY
        if hasher(event, stream) != event.hash:
            return report(checked, event.sequence, _("altered: content does not match its hash"))
        if expected is not None:
            differs = expected.mismatch(event.sequence, event.hash, allow_newer=allow_newer)
            if differs is not None:
                return report(checked, event.sequence, differs)
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    if checked < stream.length:
        return report(
            checked,
            checked + 1,
            _("event #%(sequence)s is missing (the chain has %(length)s)")
            % {"sequence": checked + 1, "length": stream.length},
        )
    if checked > stream.length:
        return report(checked, stream.length + 1, _("not counted by the stream's recorded head"))
    if checked and stream.head != previous_hash:
        return report(checked, checked, _("altered: the last event is not the chain's recorded head"))
    if expected is not None and checked < expected.length:
        return report(
            checked, checked + 1, MISSING_FROM_FILE % {"sequence": checked + 1, "length": expected.length}
        )
    return StreamReport(stream.name, checked, None)


def chain_verify(
    *, organization: Model, expected: Heads | None = None, allow_newer: bool = False
) -> ChainReport:
    """Verify every stream of the organization (against ``expected`` heads, if given) and report
    the first problem found, stream by stream in the order they were opened."""
    reports: list[StreamReport] = []
    wanted = expected.by_stream() if expected is not None else {}
    for stream in streams_of(organization=organization):
        head = wanted.pop(stream.name, None)
        if expected is not None and head is None and not allow_newer and stream.length:
            reports.append(
                StreamReport(stream.name, 0, ChainProblem(1, str(STREAM_NOT_IN_FILE), stream.name))
            )
            continue
        reports.append(stream_verify(stream, expected=head, allow_newer=allow_newer))
    for name, head in wanted.items():
        if head.length:
            reports.append(StreamReport(name, 0, ChainProblem(1, STREAM_MISSING % {"stream": name}, name)))
    problem = next((r.problem for r in reports if r.problem is not None), None)
    return ChainReport(checked=sum(r.checked for r in reports), problem=problem, streams=tuple(reports))
