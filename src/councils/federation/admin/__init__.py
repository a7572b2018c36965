"""The Django admin for organizers: adding goes through the services, history is read-only.

The admin writes no domain row itself. Adding an organization, faction, council, constituency or
member calls the matching create service, so the same permission checks, validation and audit
event apply as on the pages and the API. There is no change or delete: history is data, and the
rows that record it (seats, petitions, signatures, allocations, elections) are read-only here.
Actions call services too: "Apportion seats" on councils, "Resign seat" on seats, "End" on blocs.

An organizer needs ``is_staff`` to sign in to the admin; they see the organizations they
organize (a superuser sees all).
"""

from __future__ import annotations

from councils.federation.admin import audit, blocs, members, seats, structure
from councils.federation.admin._common import organized_by, organized_ids

__all__ = ["audit", "blocs", "members", "organized_by", "organized_ids", "seats", "structure"]
