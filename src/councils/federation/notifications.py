"""The notifications the federation sends to a constituency's members, each of which a person may
turn off on their settings page (the registry is :mod:`councils.accounts.notifications`).

- a petition to recall their deputy opened (``petition.opened``);
- their deputy was recalled (``deputy.recalled``);
- a by-election opened in their constituency (``by_election.opened``).

The services call these helpers inside their transaction; the messages go after the commit, to the
constituency's members at that moment, in one query (see ``notify_on_commit``). A delegate seat in
a higher council has no constituency of its own: its recall and by-election reach the members of
the constituency below only through the seat that ended there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from councils.accounts import mail
from councils.accounts.actors import Actor, actor_user_id
from councils.accounts.notifications import notify_on_commit, register_notification
from councils.federation.models import Constituency, Election, Member, RecallPetition, Seat

if TYPE_CHECKING:
    from typing import Any

PETITION_OPENED = register_notification(
    "petition.opened", label=gettext_lazy("A petition to recall a deputy of my constituency opens"), order=10
)
DEPUTY_RECALLED = register_notification(
    "deputy.recalled", label=gettext_lazy("A deputy of my constituency is recalled"), order=20
)
BY_ELECTION_OPENED = register_notification(
    "by_election.opened", label=gettext_lazy("A by-election opens in my constituency"), order=30
)


def constituents(constituency_id: int) -> QuerySet[Any]:
    """The user ids of the constituency's current members, as a query run when the mail goes."""
    return Member.objects.filter(constituency_id=constituency_id, left_at__isnull=True).values("user_id")


def _constituency_path(constituency: Constituency) -> str:
    return reverse("constituency", args=[constituency.organization.slug, constituency.slug])


def petition_opened(*, petition: RecallPetition, seat: Seat, actor: Actor) -> None:
    """Tell the constituency that a petition to recall its deputy opened (not the opener)."""
    if mail.is_quiet():
        return
    constituency = petition.constituency
    values = {"deputy": seat.holder.name, "council": seat.council.name, "constituency": constituency.name}
    notify_on_commit(
        kind=PETITION_OPENED.code,
        users=constituents(constituency.pk),
        exclude_user_id=actor_user_id(actor),
        subject=_("Petition to recall %(deputy)s opened in %(constituency)s") % values,
        text=_(
            "A petition to recall %(deputy)s from %(council)s opened in %(constituency)s. "
            "As a member of %(constituency)s you may sign it: %(required)s signatures end the mandate."
        )
        % {**values, "required": petition.required},
        path=_constituency_path(constituency),
    )


def deputy_recalled(*, seat: Seat) -> None:
    """Tell the constituency that its deputy's mandate ended by recall."""
    if mail.is_quiet() or seat.constituency_id is None:
        return
    constituency = Constituency.objects.select_related("organization").get(pk=seat.constituency_id)
    values = {"deputy": seat.holder.name, "council": seat.council.name, "constituency": constituency.name}
    notify_on_commit(
        kind=DEPUTY_RECALLED.code,
        users=constituents(constituency.pk),
        subject=_("%(deputy)s recalled from %(council)s") % values,
        text=_(
            "The petition of %(constituency)s reached its threshold: %(deputy)s no longer sits in "
            "%(council)s for %(constituency)s. A by-election fills the seat."
        )
        % values,
        path=_constituency_path(constituency),
    )


def by_election_opened(*, election: Election) -> None:
    """Tell the constituency that a by-election opened for one of its seats."""
    if mail.is_quiet() or election.constituency_id is None:
        return
    constituency = Constituency.objects.select_related("organization").get(pk=election.constituency_id)
    values = {"council": election.council.name, "constituency": constituency.name, "seats": election.seats}
    notify_on_commit(
        kind=BY_ELECTION_OPENED.code,
        users=constituents(constituency.pk),
        subject=_("By-election in %(constituency)s for %(council)s") % values,
        text=ngettext(
            "A by-election opened in %(constituency)s to fill %(seats)s seat in %(council)s.",
            "A by-election opened in %(constituency)s to fill %(seats)s seats in %(council)s.",
            election.seats,
        )
        % values,
        path=reverse("election", args=[constituency.organization.slug, election.pk]),
    )
