"""Apportionment: dividing a council's seats among its parts by the council's seat rule."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Constituency,
    Council,
    Member,
    Organization,
    SeatAllocation,
)
from councils.federation.services._common import (
    NOT_ORGANIZER,
    moment_of,
    require,
)

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


def _seat_counts(council: Council, sizes: dict[str, int]) -> dict[str, int]:
    """Apply the council's seat rule to the parts' sizes."""
    if council.seat_rule == Council.SeatRule.RATIO:
        per = council.members_per_seat or 1
        return {key: max(council.minimum_seats, size // per) for key, size in sizes.items()}
    from councils.counting.apportionment import apportion
    from councils.counting.errors import CountingError

    try:
        result = apportion(
            sizes,
            int(council.total_seats or 0),
            council.apportionment_method,
            min_seats=council.minimum_seats,
        )
    except CountingError as exc:
        raise ValidationError({"seat_rule": str(exc)}) from exc
    return dict(result.seats)


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
        parts[f"c{c.pk}"] = ("constituency", c, per_constituency.get(c.pk, 0))
    for child in children:
        parts[f"k{child.pk}"] = ("child_council", child, per_council.get(child.pk, 0))
    if not parts:
        raise ValidationError(
            _("%(council)s has no constituencies or child councils to apportion seats among.")
            % {"council": council.name}
        )
    counts = _seat_counts(council, {key: size for key, (_k, _p, size) in parts.items()})
    current = {
        (f"c{a.constituency_id}" if a.constituency_id else f"k{a.child_council_id}"): a
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
            council=council, seats=seats, size=size, start=moment, **{kind: part}
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
        },
        at=at,
    )
    return allocations
