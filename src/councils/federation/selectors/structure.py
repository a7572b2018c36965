"""The organization's structure as read by pages, API and commands: councils, constituencies, factions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from councils.accounts.actors import Actor
from councils.federation.models import (
    Affiliation,
    Constituency,
    Council,
    Faction,
    Organization,
    Seat,
    open_at,
)
from councils.federation.selectors._common import moment_of

# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilNode:
    """A council in depth-first order with its depth (0 for a root)."""

    council: Council
    depth: int
    children: int


def _depth_first(councils: list[Council]) -> list[CouncilNode]:
    by_parent: dict[int | None, list[Council]] = defaultdict(list)
    for c in councils:
        by_parent[c.parent_id].append(c)
    for siblings in by_parent.values():
        siblings.sort(key=lambda c: c.name)
    out: list[CouncilNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in by_parent.get(parent, []):
            out.append(CouncilNode(council=c, depth=depth, children=len(by_parent.get(c.pk, []))))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def council_tree(*, organization: Organization) -> list[CouncilNode]:
    """The organization's councils, depth first, roots first (one query)."""
    return _depth_first(list(Council.objects.filter(organization=organization)))


def organizations(*, user: Actor) -> QuerySet[Organization] | list[Organization]:
    """The organizations ``user`` is a current member or an officer of (all of them for superusers)."""
    from councils.federation.access import organizations_visible_to

    return organizations_visible_to(user)


def constituencies(*, organization: Organization) -> QuerySet[Constituency]:
    """The organization's constituencies by name, with the council each elects to."""
    return Constituency.objects.filter(organization=organization).select_related("council").order_by("name")


def councils(*, organization: Organization) -> QuerySet[Council]:
    """The organization's councils by name."""
    return Council.objects.filter(organization=organization).select_related("parent").order_by("name")


def factions(*, organization: Organization) -> QuerySet[Faction]:
    """The organization's factions in hemicycle order (left to right)."""
    return Faction.objects.filter(organization=organization).order_by("position", "name")


def seats(*, council: Council, at: datetime | None = None) -> list[Seat]:
    """The seats of ``council`` held at ``at`` (default now), with their holders, parts, terms and the
    faction each sat with then, by faction (left to right), section and name: two queries.

    A seat held at a moment has exactly one affiliation open then, so the affiliations open at
    ``at`` are the seats.
    """
    out = []
    for affiliation in (
        Affiliation.objects.filter(open_at(moment_of(at)), council=council)
        .select_related("faction", "seat__holder", "seat__constituency", "seat__child_council")
        .prefetch_related("seat__terms")
        .order_by("faction__position", "faction__name", "seat__section", "seat__holder__name")
    ):
        seat = affiliation.seat
        seat.affiliations_at = [affiliation]
        out.append(seat)
    return out
