"""Roll calls: a chair enters the votes given by hands or on paper."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Member,
)
from councils.federation.services._common import moment_of, require
from councils.live.publish import publish_on_commit
from councils.voting import hooks
from councils.voting.live import poll_topic
from councils.voting.models import (
    ANSWERS,
    Elector,
    Participation,
    Poll,
)
from councils.voting.services.casting import ballot_clean, candidate_ids
from councils.voting.services.common import (
    NOT_OFFICER,
    NOT_OPEN,
    locked,
)


@transaction.atomic
def poll_roll_call_enter(
    *,
    actor: Actor,
    poll: Poll,
    votes: Mapping[int, Mapping[str, Any]] | None = None,
    totals: Mapping[str, int] | None = None,
    at: datetime | None = None,
) -> Poll:
    """A chair enters a vote taken by hands or on paper: named votes (member id -> ballot, for
    electors who have not voted online) and/or totals (answer or candidate id -> votes, which
    replace totals entered before). Totals cannot be entered for ranked methods (a ranking is a
    ballot, not a figure) nor for secret polls."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = locked(poll)
    if not poll.is_open:
        raise ValidationError({"poll": _(NOT_OPEN) % {"state": poll.get_current_state_display()}})
    votes = dict(votes or {})
    if poll.is_secret and votes:
        raise ValidationError({"votes": _("A secret poll has no named votes.")})
    weights = dict(
        Elector.objects.filter(poll=poll, member_id__in=list(votes)).values_list("member_id", "weight")
    )
    names = dict(Member.objects.filter(pk__in=list(votes)).values_list("pk", "name"))
    rows = []
    for member_id, ballot in votes.items():
        if member_id not in weights:
            raise ValidationError(
                {
                    "votes": _("Member %(m)s is not in this poll's electorate.")
                    % {"m": names.get(member_id, member_id)}
                }
            )
        try:
            clean = ballot_clean(poll, ballot, weight=weights[member_id])
        except ValidationError as exc:
            raise ValidationError(
                {
                    "votes": _("%(m)s: %(e)s")
                    % {"m": names.get(member_id, member_id), "e": " ".join(exc.messages)}
                }
            ) from exc
        try:
            hooks.check_ballot(poll, member_id, clean, moment)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "votes": _("%(m)s: %(e)s")
                    % {"m": names.get(member_id, member_id), "e": " ".join(exc.messages)}
                }
            ) from exc
        rows.append(
            Participation(
                poll=poll,
                principal_id=member_id,
                cast_by=None,
                weight=weights[member_id],
                cast_at=moment,
                source=Participation.Source.ROLL_CALL,
                ballot=clean,
            )
        )
    already = list(
        Participation.objects.filter(poll=poll, principal_id__in=list(votes)).values_list(
            "principal_id", flat=True
        )
    )
    if already:
        raise ValidationError(
            {"votes": _("%(m)s has already voted.") % {"m": names.get(already[0], already[0])}}
        )
    Participation.objects.bulk_create(rows)
    clean_totals: dict[str, int] = {}
    if totals is not None:
        if poll.is_ranked:
            raise ValidationError(
                {"totals": _("A ranked count needs each ballot's order: enter named ballots, not totals.")}
            )
        allowed = set(ANSWERS) if poll.kind == Poll.Kind.MOTION else {str(c) for c in candidate_ids(poll)}
        for option, value in totals.items():
            if str(option) not in allowed:
                raise ValidationError({"totals": _("Unknown answer or candidate %(o)s.") % {"o": option}})
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError({"totals": _("Totals are whole numbers, 0 or more.")})
            if value:
                clean_totals[str(option)] = value
        electorate = Elector.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
        voted = Participation.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
        entered = sum(clean_totals.values())
        if poll.kind == Poll.Kind.MOTION and entered + voted > electorate:
            raise ValidationError(
                {
                    "totals": _(
                        "%(e)s votes entered and %(v)s cast online are more than the electorate's %(n)s."
                    )
                    % {"e": entered, "v": voted, "n": electorate}
                }
            )
        poll.entered_totals = clean_totals
        poll.save(update_fields=["entered_totals"])
    event_record(
        organization=poll.organization,
        kind="poll.roll_call_entered",
        actor=actor,
        target=poll,
        data={"title": poll.title, "named": len(rows), "totals": clean_totals},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll
