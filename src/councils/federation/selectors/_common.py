"""What the selectors share: the moment asked about and the order of factions."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from councils.federation.models import Faction


def moment_of(at: datetime | None) -> datetime:
    """The moment asked about: ``at``, or now."""
    return timezone.now() if at is None else at


def faction_key(faction: Faction | None) -> tuple[int, str]:
    """Hemicycle order, left to right; independents sit at the right end."""
    return (faction.position, faction.name) if faction is not None else (10**6, "")
