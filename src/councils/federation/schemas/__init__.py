"""The JSON shapes of the federation API (django-ninja schemas).

URLs name organizations, councils and constituencies by slug; inside a response, objects refer to
one another by id (a council's ``parent``, a seat's ``derives_from``), which every listing also
carries. Each schema reads only what the selector feeding it has loaded, so rendering a response
adds no query, however many rows it holds.
"""

from __future__ import annotations

from councils.federation.schemas.blocs import BlocChangeIn, BlocCountOut, BlocIn, BlocOut, BlocPeriodOut
from councils.federation.schemas.elections import (
    AllocationOut,
    DeclarationIn,
    ElectedIn,
    ElectedSeatOut,
    ElectionDetailOut,
    ElectionIn,
    ElectionOut,
    ElectionStatus,
    EligibleOut,
)
from councils.federation.schemas.errors import (
    FieldErrors,
    Message,
    SchemaErrors,
)
from councils.federation.schemas.members import (
    InvitationOut,
    InvitationsOut,
    MemberMoveIn,
    MemberOut,
)
from councils.federation.schemas.petitions import (
    ConstituencyDetailOut,
    PetitionIn,
    PetitionOut,
    PetitionStatus,
    SignatureOut,
    SignOutcomeOut,
)
from councils.federation.schemas.structure import (
    CompositionOut,
    ConstituencyOut,
    CouncilMajorityOut,
    CouncilNodeOut,
    CouncilOut,
    DeputyOut,
    FactionCountOut,
    FactionOut,
    OrganizationOut,
    SeatOut,
    VacancyOut,
)

__all__ = [
    "AllocationOut",
    "BlocChangeIn",
    "BlocCountOut",
    "BlocIn",
    "BlocOut",
    "BlocPeriodOut",
    "CompositionOut",
    "ConstituencyDetailOut",
    "ConstituencyOut",
    "CouncilMajorityOut",
    "CouncilNodeOut",
    "CouncilOut",
    "DeclarationIn",
    "DeputyOut",
    "ElectedIn",
    "ElectedSeatOut",
    "ElectionDetailOut",
    "ElectionIn",
    "ElectionOut",
    "ElectionStatus",
    "EligibleOut",
    "FactionCountOut",
    "FactionOut",
    "FieldErrors",
    "InvitationOut",
    "InvitationsOut",
    "MemberMoveIn",
    "MemberOut",
    "Message",
    "OrganizationOut",
    "PetitionIn",
    "PetitionOut",
    "PetitionStatus",
    "SchemaErrors",
    "SeatOut",
    "SignOutcomeOut",
    "SignatureOut",
    "VacancyOut",
]
