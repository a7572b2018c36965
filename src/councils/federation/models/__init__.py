"""The federation of councils: organizations, constituencies, members, councils, factions, blocs,
seats, recall.

History is data: seats, allocations, petitions and memberships end or change state; no row of
them is deleted or overwritten. The composition of any council at any moment is the set of seats
whose ``[start, end)`` interval contains that moment.
"""

from __future__ import annotations

from councils.federation.models.blocs import Bloc, BlocMembership
from councils.federation.models.recall import (
    RecallPetition,
    Signature,
)
from councils.federation.models.seats import (
    MAX_ELECTION_SEATS,
    Affiliation,
    Apportionment,
    Election,
    Seat,
    SeatAllocation,
    SeatQuerySet,
    Term,
    open_at,
)
from councils.federation.models.structure import (
    Constituency,
    Council,
    Faction,
    Member,
    Officer,
    Organization,
)

__all__ = [
    "MAX_ELECTION_SEATS",
    "Affiliation",
    "Apportionment",
    "Bloc",
    "BlocMembership",
    "Constituency",
    "Council",
    "Election",
    "Faction",
    "Member",
    "Officer",
    "Organization",
    "RecallPetition",
    "Seat",
    "SeatAllocation",
    "SeatQuerySet",
    "Signature",
    "Term",
    "open_at",
]
