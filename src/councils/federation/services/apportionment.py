"""Apportionment: dividing a council's seats among its parts by the council's seat rule."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Apportionment,
    Constituency,
    Council,
    Member,
    Organization,
    SeatAllocation,
)
from councils.federation.parts import Part
from councils.federation.services._common import (
    NOT_ORGANIZER,
    moment_of,
    require,
)
from councils.live.publish import publish_on_commit
from councils.live.topics import council_topic, organization_topic

# --- apportionment -------------------------------------------------------------------------------


def _descendant_sizes(organization: Organization) -> tuple[dict[int, int], dict[int, int]]:
    """Current members per constituency, and per council summed over its whole subtree."""
    per_constituency = dict(
        Member.objects.filter(organization=organization, left_at__isnull=True)
        .values_list("constituency_id")
        .annotate(n=Count("id"))
        .values_list("constituency_id", "n")
    )
    councils = list(Council.objects.filter(organization=organization).values_list("id", "parent_id"))
    per_council: Counter[int] = Counter()
    for cid, council_id in Constituency.objects.filter(organization=organization).values_list(
        "id", "council_id"
    ):
        per_council[council_id] += per_constituency.get(cid, 0)
    parent_of = dict(councils)
    totals: Counter[int] = Counter()
    for council_id, size in per_council.items():
        node: int | None = council_id
        while node is not None:
            totals[node] += size
            node = parent_of.get(node)
    return per_constituency, dict(totals)


if TYPE_CHECKING:
    from councils.counting.apportionment import SeatTie


@dataclass(frozen=True)
class _Counted:
    """Seats per part key, with the seed and the ties of any lot drawn."""

    seats: dict[str, int]
    seed: int | None = None
    ties: tuple[SeatTie, ...] = ()


def apportionment_seed(council: Council, sizes: dict[str, int]) -> int:
    """The seed of the lot for these inputs: the same council, method, seats and sizes always draw the
    same lot, so apportioning again gives the same seats (and anyone can repeat the draw)."""
    text = json.dumps(
        [
            council.pk,
            council.apportionment_method,
            council.total_seats,
            council.minimum_seats,
            sorted(sizes.items()),
        ]
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


def _seat_counts(council: Council, sizes: dict[str, int]) -> _Counted:
    """Apply the council's seat rule to the parts' sizes."""
    if council.seat_rule == Council.SeatRule.RATIO:
        per = council.members_per_seat or 1
        return _Counted({key: max(council.minimum_seats, size // per) for key, size in sizes.items()})
    # Imported here: the counting library (NumPy) loads only when a council is apportioned.
    from councils.counting.apportionment import apportion
    from councils.counting.errors import CountingError

    seed = apportionment_seed(council, sizes)
    try:
        result = apportion(
            sizes,
            int(council.total_seats or 0),
            council.apportionment_method,
            min_seats=council.minimum_seats,
            seed=seed,
        )
    except CountingError as exc:
        raise ValidationError({"seat_rule": str(exc)}) from exc
    return _Counted(dict(result.seats), seed=seed, ties=result.ties)


@transaction.atomic
def council_apportion(*, actor: Actor, council: Council, at: datetime | None = None) -> list[SeatAllocation]:
    """Give each part of the council (constituency or child council) its seats by the seat rule.

    Sizes are the current members (of the constituency, or of the child council's whole
    subtree). A part whose number of seats changes gets a new allocation from ``at``; the old one
    ends then. Seats already held are not ended by a smaller allocation: the part shows more
    deputies than seats until its next election.
    """
    require(actor, "federation.change_structure", council, NOT_ORGANIZER)
    moment = moment_of(at)
    per_constituency, per_council = _descendant_sizes(council.organization)
    constituencies = list(council.constituencies.all())
    children = list(council.children.all())
    parts: dict[str, tuple[str, Any, int]] = {}
    for c in constituencies:
        parts[Part(constituency_id=c.pk).key] = ("constituency", c, per_constituency.get(c.pk, 0))
    for child in children:
        parts[Part(child_council_id=child.pk).key] = ("child_council", child, per_council.get(child.pk, 0))
    if not parts:
        raise ValidationError(
            _("%(council)s has no constituencies or child councils to apportion seats among.")
            % {"council": council.name}
        )
    sizes = {key: size for key, (_k, _p, size) in parts.items()}
    counted = _seat_counts(council, sizes)
    counts = counted.seats
    names = {key: str(part) for key, (_k, part, _s) in parts.items()}
    lots = [
        {"tied": [names[k] for k in tie.tied], "winners": [names[k] for k in tie.chosen], "seats": tie.seats}
        for tie in counted.ties
    ]
    record = Apportionment.objects.create(
        council=council,
        at=moment,
        seat_rule=council.seat_rule,
        method=council.apportionment_method if council.seat_rule == Council.SeatRule.FIXED else "",
        total_seats=sum(counts.values()),
        sizes={names[k]: n for k, n in sizes.items()},
        seed=counted.seed,
        ties=lots,
    )
    current = {
        a.part.key: a
        for a in SeatAllocation.objects.select_for_update().filter(council=council, end__isnull=True)
    }
    allocations: list[SeatAllocation] = []
    changes: dict[str, int] = {}
    for key, (kind, part, size) in parts.items():
        seats = counts[key]
        old = current.get(key)
        if old is not None and old.seats == seats:
            allocations.append(old)
            continue
        if old is not None:
            if old.start >= moment:
                raise ValidationError(
                    {"at": _("An apportionment already took effect at or after this moment.")}
                )
            old.end = moment
            old.save(update_fields=["end"])
        new = SeatAllocation.objects.create(
            council=council, seats=seats, size=size, start=moment, apportionment=record, **{kind: part}
        )
        allocations.append(new)
        changes[str(part)] = seats
    event_record(
        organization=council.organization,
        kind="council.apportioned",
        actor=actor,
        target=council,
        data={
            "seats": {str(p): counts[k] for k, (_kind, p, _s) in parts.items()},
            "changed": changes,
            "council_name": council.name,
            "method": record.method,
            "seed": counted.seed,
            "ties": lots,
        },
        at=at,
    )
    publish_on_commit(organization_topic(council.organization), council_topic(council))
    return allocations
