"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from councils.audit.models import Event

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from councils.federation.models import Organization

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


def event_hash(event: Event) -> str:
    """The SHA-256 of an event's content and its link to the previous event."""
    payload = {
        "organization": event.organization_id,
        "sequence": event.sequence,
        "kind": event.kind,
        "actor": event.actor_id,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "data": _canonical(event.data),
        "previous": event.previous_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def event_record(
    *,
    organization: Organization,
    kind: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    target: Any = None,
    summary: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the organization's chain.

    Must run inside the transaction of the service whose change it records, so the change and its
    event commit or roll back together. The organization row is locked first: appends to one
    chain are serialized (on SQLite the IMMEDIATE transaction already serializes writers).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside the service's transaction")
    from councils.federation.models import Organization

    # The organization row is the chain head: locking it serializes appends to this chain.
    length, head = (
        Organization.objects.select_for_update()
        .filter(pk=organization.pk)
        .values_list("chain_length", "chain_head")
        .get()
    )
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = Event(
        organization_id=organization.pk,
        sequence=length + 1,
        kind=kind,
        actor_id=actor_id,
        occurred_at=at or timezone.now(),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        # Hash exactly what is stored: the summary column holds 300 characters.
        summary=summary[:300],
        data=_canonical(data or {}),
        previous_hash=head or GENESIS_HASH,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    Organization.objects.filter(pk=organization.pk).update(chain_length=event.sequence, chain_head=event.hash)
    return event


@dataclass(frozen=True)
class ChainProblem:
    """The first place where an organization's chain does not hold."""

    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"event #{self.sequence}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    """What verifying a chain found: how many events were checked and the first problem, if any."""

    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_events(organization: Organization) -> Iterator[Event]:
    return (
        Event.objects.filter(organization_id=organization.pk).order_by("sequence").iterator(chunk_size=2000)
    )


def chain_verify(*, organization: Organization) -> ChainReport:
    """Check the organization's chain event by event and name the first broken, missing or altered one.

    - a gap in the sequence numbers is a *missing* event;
    - an event whose ``previous_hash`` is not the hash of the event before is a *broken* link;
    - an event whose stored ``hash`` does not match its content is an *altered* event.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in _iter_events(organization):
        if event.sequence != expected_sequence:
            missing = (
                f"event #{expected_sequence} is missing"
                if event.sequence > expected_sequence
                else f"sequence repeats #{event.sequence}"
            )
            return ChainReport(checked, ChainProblem(expected_sequence, missing))
        if event.previous_hash != previous_hash:
            return ChainReport(
                checked,
                ChainProblem(event.sequence, "broken link: previous hash does not match the event before"),
            )
        digest = event_hash(event)
        if digest != event.hash:
            return ChainReport(
                checked, ChainProblem(event.sequence, "altered: content does not match its hash")
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    from councils.federation.models import Organization

    length, head = (
        Organization.objects.filter(pk=organization.pk).values_list("chain_length", "chain_head").get()
    )
    if checked < length:
        return ChainReport(
            checked, ChainProblem(checked + 1, f"event #{checked + 1} is missing (the chain has {length})")
        )
    if checked and head != previous_hash:
        return ChainReport(
            checked, ChainProblem(checked, "altered: the last event is not the chain's recorded head")
        )
    return ChainReport(checked, None)
