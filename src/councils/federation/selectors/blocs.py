"""Blocs as their page and the API read them: every bloc of an organization with its history.
(The blocs in force at a moment, with their seats, are part of the composition: :mod:`.composition`.)"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from councils.federation.models import Bloc, BlocMembership, Faction, Organization


@dataclass(frozen=True)
class BlocPeriod:
    """A faction's membership of a bloc: from ``start`` until ``end`` (None: still)."""

    faction: Faction
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class BlocHistory:
    """A bloc with every faction's period in it, and the factions in it now (or when it ended)."""

    bloc: Bloc
    periods: list[BlocPeriod]

    @property
    def current(self) -> list[Faction]:
        """Its factions now (or when it ended), left to right."""
        end = self.bloc.end
        found = [p.faction for p in self.periods if p.end == end]
        return sorted(found, key=lambda f: (f.position, f.name))


def blocs(*, organization: Organization, bloc_id: int | None = None) -> list[BlocHistory]:
    """Every bloc of the organization (or only the one ``bloc_id`` names), those in force first,
    then the most recently formed: two queries."""
    found = Bloc.objects.filter(organization=organization)
    if bloc_id is not None:
        found = found.filter(pk=bloc_id)
    rows = list(found.order_by("-start", "name"))
    periods: dict[int, list[BlocPeriod]] = defaultdict(list)
    for m in (
        BlocMembership.objects.filter(bloc__in=rows)
        .select_related("faction")
        .order_by("start", "faction__position", "faction__name")
    ):
        periods[m.bloc_id].append(BlocPeriod(faction=m.faction, start=m.start, end=m.end))
    rows.sort(key=lambda b: b.end is not None)  # stable: in force first, each part newest first
    return [BlocHistory(bloc=b, periods=periods[b.pk]) for b in rows]
