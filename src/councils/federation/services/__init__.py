"""Every change of state in the federation: one function per change, one module per area.

The contract every service keeps:

- It is a function named ``<entity>_<action>`` taking keyword arguments only, the first of them
  ``actor``: the acting user, or :data:`councils.accounts.actors.SYSTEM` for changes no person makes
  (``councils tick``, the demonstration). ``None`` is refused.
- It checks permission first, through a named rule of :mod:`councils.federation.rules`, and raises
  :class:`~councils.federation.errors.NotAllowed` saying why.
- It checks its input and raises Django's ``ValidationError`` naming the field at fault.
- It runs in one transaction and writes exactly one audit event of a registered kind for the change
  it makes, cascades included. Nothing is written when it raises.
- ``at`` defaults to now; a past moment plays history (the demonstration does).

Modules: :mod:`.structure` (organization, officers, factions, councils, constituencies),
:mod:`.members` (joining, moving, leaving, invitations), :mod:`.imports` (members from a file, and
the reader of that file the command and the page share, which changes nothing and is no service),
:mod:`.apportionment`, :mod:`.blocs` (coalitions of factions), :mod:`.mandates` (seats ending,
resignations, changes of faction), :mod:`.elections`, :mod:`.recall` (petitions), :mod:`.tick`
(what time changes).
"""

from __future__ import annotations

from councils.federation.services._common import (
    NOT_ADMINISTRATOR,
    NOT_CONSTITUENT,
    NOT_HOLDER,
    NOT_MEMBER_OR_ORGANIZER,
    NOT_ORGANIZER,
    NOT_RETURNING_OFFICER,
    RECALL_VOTE_NOT_YET,
)
from councils.federation.services.apportionment import council_apportion
from councils.federation.services.blocs import bloc_change, bloc_end, bloc_form
from councils.federation.services.elections import election_declare, election_open
from councils.federation.services.imports import IMPORT_ERRORS_SHOWN, ImportReport, members_import
from councils.federation.services.mandates import deputy_change_faction, seat_resign
from councils.federation.services.members import (
    MEMBER_HAS_PASSWORD,
    InviteOutcome,
    MoveOutcome,
    member_add,
    member_invite,
    member_leave,
    member_move,
    members_invite_pending,
)
from councils.federation.services.recall import (
    PetitionRef,
    SignOutcome,
    petition_open,
    petition_sign,
    petition_vote_decide,
    petition_withdraw,
)
from councils.federation.services.structure import (
    constituency_create,
    council_create,
    faction_create,
    officer_appoint,
    officer_remove,
    organization_create,
)
from councils.federation.services.tick import TickReport, tick

__all__ = [
    "IMPORT_ERRORS_SHOWN",
    "MEMBER_HAS_PASSWORD",
    "NOT_ADMINISTRATOR",
    "NOT_CONSTITUENT",
    "NOT_HOLDER",
    "NOT_MEMBER_OR_ORGANIZER",
    "NOT_ORGANIZER",
    "NOT_RETURNING_OFFICER",
    "RECALL_VOTE_NOT_YET",
    "ImportReport",
    "InviteOutcome",
    "MoveOutcome",
    "PetitionRef",
    "SignOutcome",
    "TickReport",
    "bloc_change",
    "bloc_end",
    "bloc_form",
    "constituency_create",
    "council_apportion",
    "council_create",
    "deputy_change_faction",
    "election_declare",
    "election_open",
    "faction_create",
    "member_add",
    "member_invite",
    "member_leave",
    "member_move",
    "members_import",
    "members_invite_pending",
    "officer_appoint",
    "officer_remove",
    "organization_create",
    "petition_open",
    "petition_sign",
    "petition_vote_decide",
    "petition_withdraw",
    "seat_resign",
    "tick",
]
