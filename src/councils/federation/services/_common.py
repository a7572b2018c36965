"""What every federation service shares: the moment of a change, permission checks, validation,
and the small queries several services ask."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import rules
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from councils import hotsql
from councils.accounts.actors import Actor, is_person, is_system
from councils.federation import notifications
from councils.federation.errors import NotAllowed
from councils.federation.models import Council, Election, Member, Organization, Seat, SeatAllocation, open_at
from councils.federation.parts import Part

# Messages raised and asserted by name (as the Django styleguide's example does); in English here,
# marked for makemessages, translated when raised (``_(message)``).
NOT_ORGANIZER = gettext_noop("Only an organizer of this organization may change its structure.")
NOT_RETURNING_OFFICER = gettext_noop("Only a returning officer or an organizer may declare an election.")
NOT_CONSTITUENT = gettext_noop(
    "Only members of the deputy's constituency may sign a petition to recall them."
)
NOT_ADMINISTRATOR = gettext_noop("Only an administrator may create an organization.")
NOT_MEMBER_OR_ORGANIZER = gettext_noop("Only the member or an organizer may end a membership.")
NOT_HOLDER = gettext_noop("Only the deputy or an organizer may end or change this mandate.")
RECALL_VOTE_NOT_YET = gettext_noop(
    "The recall mode 'a recall vote opens' needs online voting, which Councils does not have yet; "
    "use 'the seat ends when the threshold is reached'."
)


def moment_of(at: datetime | None) -> datetime:
    """The moment a change takes effect: ``at`` (which must carry a time zone), or now."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"at": _("The moment must carry a time zone.")})
    return at


def require(actor: Actor, permission: str, obj: object, message: str) -> None:
    """Raise :class:`NotAllowed` with ``message`` unless ``actor`` holds ``permission`` on ``obj``
    (a rule of :mod:`councils.federation.rules`).

    ``None`` is refused with a ``TypeError``: a service that is not told who acts must not act.
    """
    if actor is None:
        raise TypeError("A service needs an actor: a user, or councils.accounts.actors.SYSTEM.")
    person = not is_system(actor)
    if person and not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)):
        raise NotAllowed(_(message))
    if not rules.has_perm(permission, actor, obj):
        raise NotAllowed(_(message))


def full_clean(obj: Model, exclude: Iterable[str] = ()) -> None:
    """Validate a row before saving it: fields, uniqueness and the model's constraints."""
    obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)


def current_member(*, user: Actor | None, organization: Organization) -> Member | None:
    """The user's current membership of the organization, if any."""
    if not is_person(user):
        return None
    # At most one (a constraint); its SQL written once: every signature asks (councils.hotsql).
    found = hotsql.rows(
        Member, "x.organization_id = %s AND x.user_id = %s AND x.left_at IS NULL", [organization.pk, user.pk]
    )
    return found[0] if found else None


def allocated_at(council_id: int, part: Part, at: datetime) -> int | None:
    """The seats allocated to a part at ``at``, or None before any apportionment."""
    row = (
        SeatAllocation.objects.filter(open_at(at), council_id=council_id, **part.ids())
        .values_list("seats")
        .first()
    )
    return row[0] if row else None


def open_election(
    *, council: Council, part: Part, kind: str, seats: int, at: datetime, cause: Seat | None = None
) -> Election:
    """Create an open election row for one part of ``council`` (the services record the event).

    The constituency of a by-election is told once the change commits (its members may turn it off).
    """
    election = Election.objects.create(
        organization_id=council.organization_id,
        council=council,
        kind=kind,
        seats=seats,
        cause=cause,
        opened_at=at,
        **part.ids(),
    )
    if kind == Election.Kind.BY_ELECTION:
        notifications.by_election_opened(election=election)
    return election
