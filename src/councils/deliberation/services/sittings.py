"""Sittings: the rules of debate, planning and convening, credentials, opening and closing.
Attendance is in :mod:`.attendance`, the agenda in :mod:`.agenda`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.deliberation.models import (
    AgendaItem,
    Credential,
    Procedure,
    Sitting,
)
from councils.deliberation.selectors.sittings import quorum
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_ORGANIZER,
    full_clean,
    lock_sitting,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)
from councils.deliberation.services.agenda import _stop_item
from councils.federation.models import Council, Organization, Seat, open_at

# --- the rules of debate ----------------------------------------------------------------------------


@transaction.atomic
def procedure_set(
    *,
    actor: Actor,
    organization: Organization,
    council: Council | None = None,
    quorum: Decimal | str = Decimal("0.5"),
    speaking_seconds: int = 300,
    point_of_order_seconds: int = 60,
    first_speakers_first: bool = False,
    motion_supporters: int = 0,
    majority: str = Procedure.Majority.SIMPLE,
    instructions_binding: bool = True,
) -> Procedure:
    """Set the rules of debate of ``council`` (or, without one, the organization's defaults)."""
    require(actor, "deliberation.set_procedure", council or organization, NOT_ORGANIZER)
    if council is not None and council.organization_id != organization.pk:
        raise ValidationError({"council": _("The council belongs to another organization.")})
    procedure = Procedure.objects.filter(organization=organization, council=council).first() or Procedure(
        organization=organization, council=council
    )
    procedure.quorum = Decimal(str(quorum))
    procedure.speaking_seconds = speaking_seconds
    procedure.point_of_order_seconds = point_of_order_seconds
    procedure.first_speakers_first = first_speakers_first
    procedure.motion_supporters = motion_supporters
    procedure.majority = majority
    procedure.instructions_binding = instructions_binding
    full_clean(procedure)
    procedure.save()
    event_record(
        organization=organization,
        kind="procedure.set",
        actor=actor,
        target=procedure,
        data={
            "council": council.pk if council else None,
            "quorum": str(procedure.quorum),
            "speaking_seconds": speaking_seconds,
            "first_speakers_first": first_speakers_first,
            "motion_supporters": motion_supporters,
            "majority": majority,
            "instructions_binding": instructions_binding,
            "scope": council.name if council else organization.name,
        },
    )
    return procedure


# --- planning, convening, credentials -----------------------------------------------------------


def _new_sitting(
    *,
    council: Council,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str,
    video_url: str,
    chair: User | None,
    secretary: User | None,
) -> Sitting:
    if not title.strip():
        raise ValidationError({"title": _("A sitting needs a title.")})
    if not place.strip() and not video_url.strip():
        raise ValidationError({"place": _("Give the place of the sitting or its video link.")})
    sitting = Sitting(
        organization_id=council.organization_id,
        council=council,
        kind=kind,
        title=title.strip(),
        starts_at=moment_of(starts_at),
        place=place.strip(),
        video_url=video_url.strip(),
        chair=chair,
        secretary=secretary,
    )
    full_clean(sitting, exclude=["current_item"])
    sitting.save()
    return sitting


@transaction.atomic
def sitting_create(
    *,
    actor: Actor,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str = "",
    video_url: str = "",
    chair: User | None = None,
    secretary: User | None = None,
    at: datetime | None = None,
) -> Sitting:
    """Plan a sitting of ``council``: when, where (a place or a video link), who chairs and who keeps
    the minutes."""
    require(actor, "deliberation.plan_sitting", council, NOT_ORGANIZER)
    sitting = _new_sitting(
        council=council,
        kind=Sitting.Kind.COUNCIL,
        title=title,
        starts_at=starts_at,
        place=place,
        video_url=video_url,
        chair=chair,
        secretary=secretary,
    )
    event_record(
        organization=council.organization,
        kind="sitting.created",
        actor=actor,
        target=sitting,
        data={
            "council": council.pk,
            "kind": sitting.kind,
            "starts_at": sitting.starts_at,
            "title": sitting.title,
            "council_name": council.name,
        },
        owner=sitting,
        at=at,
    )
    return sitting


@transaction.atomic
def congress_convene(
    *,
    actor: Actor,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str = "",
    video_url: str = "",
    chair: User | None = None,
    secretary: User | None = None,
    at: datetime | None = None,
) -> Sitting:
    """Convene a congress: a sitting of a higher council whose seats are first apportioned among its
    child councils by membership, with the council's method (the federation's apportionment, which
    records its own event). Each child council then elects its delegates; the credentials check and
    the quorum of accredited delegates come before the congress opens."""
    from councils.federation.services import council_apportion

    require(actor, "deliberation.plan_sitting", council, NOT_ORGANIZER)
    if not council.children.exists():
        raise ValidationError(
            {"council": _("%(council)s has no child councils to send delegates.") % {"council": council.name}}
        )
    allocations = council_apportion(actor=actor, council=council, at=at)
    sitting = _new_sitting(
        council=council,
        kind=Sitting.Kind.CONGRESS,
        title=title,
        starts_at=starts_at,
        place=place,
        video_url=video_url,
        chair=chair,
        secretary=secretary,
    )
    allocation = {a.part_label: a.seats for a in allocations}
    event_record(
        organization=council.organization,
        kind="congress.convened",
        actor=actor,
        target=sitting,
        data={
            "council": council.pk,
            "seats": sum(allocation.values()),
            "parts": len(allocation),
            "allocation": allocation,
            "title": sitting.title,
        },
        owner=sitting,
        at=at,
    )
    return sitting


def _credential_problem(seat: Seat, moment: datetime) -> str:
    """Why a delegate seat is not valid now ("" when it is)."""
    if seat.child_council_id is None:
        return _("not a delegate seat: it was not given by a child council")
    below = seat.derives_from
    if below is None or (below.end is not None and below.end <= moment) or below.start > moment:
        return _("the seat below it is no longer held")
    if seat.holder.left_at is not None:
        return _("the delegate has left the organization")
    return ""


@transaction.atomic
def credentials_check(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> list[Credential]:
    """Check the credentials of every delegate seat of a congress: a delegate is accredited when they
    hold a delegate seat given by a child council and still hold the seat below it (a recalled
    deputy has lost the delegate seat too). Run again at any time: a seat that lost its mandate since
    is refused then."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    require_not_closed(sitting)
    if sitting.kind != Sitting.Kind.CONGRESS:
        raise ValidationError({"sitting": _("Only a congress has a credentials check.")})
    moment = moment_of(at)
    held = list(
        Seat.objects.filter(open_at(moment), council_id=sitting.council_id).select_related(
            "holder", "derives_from"
        )
    )
    existing = {c.seat_id: c for c in Credential.objects.filter(sitting=sitting)}
    held_ids = {s.pk for s in held}
    results: list[Credential] = []
    refused: list[int] = []
    for seat in held:
        problem = _credential_problem(seat, moment)
        status = Credential.Status.REFUSED if problem else Credential.Status.ACCREDITED
        credential = existing.get(seat.pk) or Credential(sitting=sitting, seat=seat)
        credential.status, credential.reason, credential.checked_at = status, problem, moment
        results.append(credential)
        if problem:
            refused.append(seat.pk)
    for seat_id, credential in existing.items():
        if seat_id not in held_ids:  # the seat ended since it was accredited
            credential.status = Credential.Status.REFUSED
            credential.reason = _("the seat is no longer held")
            credential.checked_at = moment
            results.append(credential)
            refused.append(seat_id)
    Credential.objects.bulk_create([c for c in results if c.pk is None])
    Credential.objects.bulk_update(
        [c for c in results if c.pk is not None], ["status", "reason", "checked_at"]
    )
    event_record(
        organization=sitting.organization,
        kind="credentials.checked",
        actor=actor,
        target=sitting,
        data={
            "accredited": len(results) - len(refused),
            "refused": len(refused),
            "refused_seats": refused,
            "title": sitting.title,
        },
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return results


@transaction.atomic
def sitting_open(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> Sitting:
    """Open a planned sitting: only when it is quorate (a congress: with its accredited delegates)."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    if sitting.state != Sitting.State.PLANNED:
        raise ValidationError({"sitting": _("The sitting is already open or closed.")})
    moment = moment_of(at)
    if sitting.kind == Sitting.Kind.CONGRESS and not sitting.credentials.exists():
        raise ValidationError({"sitting": _("Check the delegates' credentials before the congress opens.")})
    found = quorum(sitting=sitting, at=moment)
    if not found.quorate:
        raise ValidationError(
            {
                "sitting": _(
                    "The sitting is not quorate: %(present)s of %(held)s present, %(needed)s needed."
                )
                % {"present": found.present, "held": found.held, "needed": found.needed}
            }
        )
    sitting.state, sitting.opened_at = Sitting.State.OPEN, moment
    sitting.save(update_fields=["state", "opened_at"])
    event_record(
        organization=sitting.organization,
        kind="sitting.opened",
        actor=actor,
        target=sitting,
        data={"present": found.present, "held": found.held, "needed": found.needed, "title": sitting.title},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return sitting


@transaction.atomic
def sitting_close(*, actor: Actor, sitting: Sitting, at: datetime | None = None) -> Sitting:
    """Close an open sitting: the current item's time stops; nothing more changes in it."""
    require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    sitting = lock_sitting(sitting)
    if sitting.state != Sitting.State.OPEN:
        raise ValidationError({"sitting": _("Only an open sitting can be closed.")})
    moment = moment_of(at)
    if sitting.current_item_id is not None:
        _stop_item(AgendaItem.objects.select_for_update().get(pk=sitting.current_item_id), moment, done=True)
    sitting.state, sitting.closed_at, sitting.current_item = Sitting.State.CLOSED, moment, None
    sitting.save(update_fields=["state", "closed_at", "current_item"])
    event_record(
        organization=sitting.organization,
        kind="sitting.closed",
        actor=actor,
        target=sitting,
        data={"title": sitting.title},
        owner=sitting,
        at=at,
    )
    publish_sitting(sitting)
    return sitting
