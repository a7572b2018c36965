"""Who recorded each step of a poll's life (created, opened, closed, counted, published,
cancelled), read from the audit events its services wrote: the chain is the record, so nothing is
stored twice and nothing can disagree with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from councils.accounts.privacy import display_name
from councils.audit.models import Event
from councils.federation.models import Member
from councils.voting.models import Poll

#: The steps shown, by audit kind, in the words of the poll page.
STEPS = {
    "poll.created": gettext_lazy("created"),
    "poll.opened": gettext_lazy("opened"),
    "poll.closed": gettext_lazy("closed"),
    "poll.counted": gettext_lazy("counted"),
    "poll.published": gettext_lazy("published"),
    "poll.cancelled": gettext_lazy("cancelled"),
}


@dataclass(frozen=True)
class Step:
    """One recorded step: what, when, by whom (a name; "the system" for tick and the recall rule)."""

    kind: str
    label: str
    at: datetime
    by: str
    reason: str = ""


def poll_steps(*, poll: Poll) -> list[Step]:
    """The poll's recorded steps in the order they happened, each with who recorded it: one query
    (the actor's name as a member of the organization, else their account's name)."""
    member_name = Member.objects.filter(
        organization_id=poll.organization_id, user_id=OuterRef("actor_id")
    ).values("name")[:1]
    rows = (
        Event.objects.filter(
            organization_id=poll.organization_id,
            object_type=Poll._meta.label_lower,
            object_id=str(poll.pk),
            kind__in=list(STEPS),
        )
        .annotate(member_name=Subquery(member_name))
        .order_by("occurred_at", "pk")
        .values_list(
            "kind",
            "occurred_at",
            "actor_id",
            "member_name",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
            "data",
        )
    )
    steps = []
    for kind, at, actor_id, member, first, last, username, data in rows:
        if actor_id is None:
            by = _("the system")
        else:
            by = display_name(
                member_name=member,
                first_name=first or "",
                last_name=last or "",
                username=username or "",
                pk=actor_id,
            )
        reason = str((data or {}).get("reason", "")) if isinstance(data, dict) else ""
        steps.append(Step(kind=kind, label=str(STEPS[kind]), at=at, by=by, reason=reason))
    return steps
