"""Who may do what with polls, as named predicates (the ``rules`` package).

Running a poll (creating, opening, closing, counting, publishing, cancelling it, entering a roll
call, seeing who has not voted yet) is for the organization's organizers and returning officers.
Seeing polls is for whoever may see the organization. Voting is for the poll's electorate, which
the services check against the electorate fixed when the poll opened (a row, not a rule).
"""

from __future__ import annotations

import rules

from councils.federation.rules import is_organizer, is_returning_officer, is_superuser, is_system_actor

rules.add_perm("voting.manage_poll", is_system_actor | is_superuser | is_organizer | is_returning_officer)
