"""Read queries shared by the pages, the API and the command line, one module per area.

Each selector takes keyword arguments, returns a queryset or frozen dataclasses, and costs a
constant number of queries whatever the number of seats, councils or members: rows are fetched in
a few set queries and assembled in Python. Modules: :mod:`.structure`, :mod:`.composition`,
:mod:`.blocs`, :mod:`.constituencies` (members and petitions), :mod:`.elections`, :mod:`.events`.
"""

from __future__ import annotations

from councils.federation.selectors.blocs import BlocHistory, BlocPeriod, blocs
from councils.federation.selectors.composition import (
    BlocCount,
    Composition,
    CompositionPoint,
    CouncilMajority,
    FactionCount,
    SeatRow,
    Vacancy,
    affiliation_history,
    blocs_at,
    composition_at,
    composition_history,
    last_change,
    majority_map,
    seat_holders,
)
from councils.federation.selectors.constituencies import (
    ConstituencyOverview,
    MemberHome,
    PetitionRow,
    constituency_members,
    constituency_overview,
    member_home,
    memberships,
    petitions,
)
from councils.federation.selectors.elections import Eligible, election_eligible, elections
from councils.federation.selectors.events import (
    actor_label,
    event_data,
    event_kinds,
    event_summary,
    events,
    label_events,
    may_see_contact,
    members_without_password,
)
from councils.federation.selectors.structure import (
    CouncilNode,
    constituencies,
    council_tree,
    councils,
    factions,
    organizations,
    seats,
)

__all__ = [
    "BlocCount",
    "BlocHistory",
    "BlocPeriod",
    "Composition",
    "CompositionPoint",
    "ConstituencyOverview",
    "CouncilMajority",
    "CouncilNode",
    "Eligible",
    "FactionCount",
    "MemberHome",
    "PetitionRow",
    "SeatRow",
    "Vacancy",
    "actor_label",
    "affiliation_history",
    "blocs",
    "blocs_at",
    "composition_at",
    "composition_history",
    "constituencies",
    "constituency_members",
    "constituency_overview",
    "council_tree",
    "councils",
    "election_eligible",
    "elections",
    "event_data",
    "event_kinds",
    "event_summary",
    "events",
    "factions",
    "label_events",
    "last_change",
    "majority_map",
    "may_see_contact",
    "member_home",
    "members_without_password",
    "memberships",
    "organizations",
    "petitions",
    "seat_holders",
    "seats",
]
