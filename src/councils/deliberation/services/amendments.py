"""Amendments: submitting and withdrawing them, and the adopted text a motion's adopted amendments
make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.deliberation import text as motion_text
from councils.deliberation.models import (
    Amendment,
    Motion,
)
from councils.deliberation.selectors.sittings import seat_of
from councils.deliberation.services._common import (
    NOT_DEPUTY,
    NOT_SUBMITTER,
    full_clean,
    moment_of,
    require,
)
from councils.deliberation.services.motions import DECIDED, _lock_motion
from councils.federation.models import Faction


@transaction.atomic
def amendment_submit(
    *,
    actor: Actor,
    motion: Motion,
    first_line: int,
    last_line: int,
    text: str,
    reason: str = "",
    faction: Faction | None = None,
    at: datetime | None = None,
) -> Amendment:
    """Propose to replace lines ``first_line``..``last_line`` of a motion by ``text`` (empty: delete
    them). Lines are those of the motion as submitted, numbered from 1."""
    require(actor, "deliberation.amend", motion, NOT_DEPUTY)
    motion = _lock_motion(motion)
    if motion.state in DECIDED or motion.state == Motion.State.IN_VOTE:
        raise ValidationError({"motion": _("A motion in a vote or decided cannot be amended.")})
    count = len(motion_text.lines_of(motion.text))
    if first_line < 1 or first_line > count:
        raise ValidationError({"first_line": _("The motion has lines 1 to %(n)s.") % {"n": count}})
    if last_line < first_line or last_line > count:
        raise ValidationError(
            {
                "last_line": _("The last line must be between %(first)s and %(n)s.")
                % {"first": first_line, "n": count}
            }
        )
    seat = seat_of(user=actor, council=motion.council)
    number = (motion.amendments.aggregate(m=Max("number"))["m"] or 0) + 1
    amendment = Amendment(
        motion=motion,
        number=number,
        first_line=first_line,
        last_line=last_line,
        text=text.replace("\r\n", "\n").strip("\n"),
        reason=reason.strip(),
        submitter=seat.holder if seat is not None else None,
        faction=faction,
        submitted_at=moment_of(at),
    )
    full_clean(amendment)
    amendment.save()
    event_record(
        organization=motion.organization,
        kind="amendment.submitted",
        actor=actor,
        target=amendment,
        data={
            "motion": motion.pk,
            "motion_number": motion.number,
            "number": number,
            "first_line": first_line,
            "last_line": last_line,
        },
        at=at,
    )
    return amendment


@transaction.atomic
def amendment_withdraw(*, actor: Actor, amendment: Amendment, at: datetime | None = None) -> Amendment:
    """The submitter (or an organizer) withdraws an undecided amendment."""
    require(actor, "deliberation.withdraw_motion", amendment, NOT_SUBMITTER)
    amendment = (
        Amendment.objects.select_for_update().select_related("motion__organization").get(pk=amendment.pk)
    )
    if amendment.state != Amendment.State.SUBMITTED:
        raise ValidationError({"amendment": _("Only an undecided amendment can be withdrawn.")})
    amendment.state = Amendment.State.WITHDRAWN
    amendment.save(update_fields=["state"])
    event_record(
        organization=amendment.motion.organization,
        kind="amendment.withdrawn",
        actor=actor,
        target=amendment,
        data={
            "motion": amendment.motion_id,
            "motion_number": amendment.motion.number,
            "number": amendment.number,
        },
        at=at,
    )
    return amendment


def adopted_text(motion: Motion, amendments: Sequence[Amendment] | None = None) -> str:
    """The motion's text with its adopted amendments applied."""
    rows = amendments if amendments is not None else list(motion.amendments.all())
    changes = [
        motion_text.Change(a.first_line, a.last_line, a.text)
        for a in rows
        if a.state == Amendment.State.ADOPTED
    ]
    return motion_text.apply_changes(motion.text, changes)
