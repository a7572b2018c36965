"""Who may do what with polls, as named predicates (the ``rules`` package).

Running a poll (creating, opening, closing, counting, publishing, cancelling it, entering a roll
call, seeing who has not voted yet) is for the organization's organizers and returning officers;
creating and opening a poll of the whole organization's members is for its organizers.
Seeing polls is for whoever may see the organization. Voting is for the poll's electorate, which
the services check against the electorate fixed when the poll opened (a row, not a rule). A
trustee's steps are the trustee's own.
"""

from __future__ import annotations

from typing import Any

import rules

from councils.accounts.actors import Actor, is_person
from councils.federation.rules import is_organizer, is_returning_officer, is_superuser, is_system_actor

rules.add_perm("voting.manage_poll", is_system_actor | is_superuser | is_organizer | is_returning_officer)
# A poll of the whole organization's members speaks for all of it: only its organizers create and
# open one (a returning officer runs it once open).
rules.add_perm("voting.manage_organization_poll", is_system_actor | is_superuser | is_organizer)


@rules.predicate
def is_the_trustee(user: Actor, trustee: Any = None) -> bool:
    """The user is this trustee (a member who keeps their own key file)."""
    return (
        trustee is not None and is_person(user) and trustee.user_id is not None and trustee.user_id == user.pk
    )


@rules.predicate
def trustee_without_account(user: Actor, trustee: Any = None) -> bool:
    """The trustee has no account here, so an officer relays the messages the trustee hands them
    (each message is checked against the ceremony or the board; the key file stays with the trustee)."""
    return trustee is not None and trustee.user_id is None and trustee.member_id is not None


# A trustee's step (register, deal, confirm, decrypt): the trustee themself; an officer for a
# trustee without an account; Councils itself for its embedded trustee (whose member is none).
rules.add_perm(
    "voting.trustee_step",
    is_system_actor
    | is_the_trustee
    | (trustee_without_account & (is_superuser | is_organizer | is_returning_officer)),
)
