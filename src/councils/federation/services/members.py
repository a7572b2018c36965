"""Members: joining an organization's constituency, moving to another, leaving.

A membership row is never rewritten: moving ends the row as *moved* and starts one in the new
constituency that records the row it continues; leaving ends the row. Either way the member is no
longer a constituent where they were, so their seats for that constituency end (with every
delegate seat derived from them, and a by-election for each vacancy) and their standing
signatures on open petitions there are withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.accounts.invitations import invite_on_commit
from councils.accounts.mail import Delivery
from councils.audit.services import event_record
from councils.federation.models import (
    Constituency,
    Member,
    Organization,
    Seat,
)
from councils.federation.services._common import (
    NOT_MEMBER_OR_ORGANIZER,
    NOT_ORGANIZER,
    full_clean,
    moment_of,
    require,
)
from councils.federation.services.mandates import Cascade, member_seats_end
from councils.live.publish import publish_on_commit
from councils.live.topics import constituency_topic, organization_topic, seat_topics, user_topic

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    organization: Organization,
    user: User,
    constituency: Constituency,
    name: str = "",
    invite: bool = True,
    at: datetime | None = None,
) -> Member:
    """Make ``user`` a member of the organization in ``constituency``.

    Unless ``invite`` is false, the new member is sent an invitation once the change commits: a
    link to set their password, or (if they have one) word that they may sign in.
    """
    require(actor, "federation.manage_members", organization, NOT_ORGANIZER)
    if constituency.organization_id != organization.pk:
        raise ValidationError({"constituency": _("The constituency belongs to another organization.")})
    if Member.objects.filter(organization=organization, user=user, left_at__isnull=True).exists():
        raise ValidationError(
            {"user": _("%(user)s is already a member of this organization.") % {"user": user}}
        )
    member = Member(
        organization=organization,
        user=user,
        constituency=constituency,
        name=name or user.get_full_name() or user.get_username(),
        joined_at=moment_of(at),
    )
    full_clean(member)
    member.save()
    event_record(
        organization=organization,
        kind="member.added",
        actor=actor,
        target=member,
        data={"constituency": constituency.pk, "name": member.name, "constituency_name": constituency.name},
        at=at,
    )
    publish_on_commit(organization_topic(organization), constituency_topic(constituency))
    if invite:
        invite_on_commit(organization_name=organization.name, user_ids=[user.pk])
    return member


MEMBER_HAS_PASSWORD = (
    "%(name)s has already set a password: they can sign in, or set a new one from the sign-in page."
)


@transaction.atomic
def member_invite(*, actor: Actor, member: Member, at: datetime | None = None) -> Delivery:
    """Send a member their invitation again, with a new link to set their password.

    For a member who lost the first message or let its link expire. Refused (``ValidationError``
    naming ``member``) for a membership that ended, a person without an e-mail address or one who
    has set a password already. The message goes once the change commits; the returned
    :class:`~councils.accounts.mail.Delivery` says whether it could be handed to the mail server.
    """
    require(actor, "federation.manage_members", member, NOT_ORGANIZER)
    member = Member.objects.select_related("user", "organization").get(pk=member.pk)
    user = member.user
    if member.left_at is not None:
        raise ValidationError({"member": _("%(m)s is no longer a member.") % {"m": member.name}})
    if not user.is_active or not user.email:
        raise ValidationError(
            {"member": _("%(m)s has no active account with an e-mail address.") % {"m": member.name}}
        )
    if user.has_usable_password():
        raise ValidationError({"member": _(MEMBER_HAS_PASSWORD) % {"name": member.name}})
    event_record(
        organization=member.organization,
        kind="member.invited",
        actor=actor,
        target=member,
        data={"member": member.pk, "name": member.name},
        at=at,
    )
    return invite_on_commit(organization_name=member.organization.name, user_ids=[user.pk])


@dataclass(frozen=True)
class InviteOutcome:
    """Invitations sent again to the members who have not set a password."""

    members: int
    delivery: Delivery


@transaction.atomic
def members_invite_pending(
    *, actor: Actor, organization: Organization, at: datetime | None = None
) -> InviteOutcome:
    """Send a new invitation to every current member of the organization who has an e-mail address
    and has not set a password yet: after a mail server was down during an import, or to remind.

    One audit event (``members.invited``) records how many; the messages go once the change
    commits. Refused (``ValidationError`` naming ``organization``) when nobody is waiting.
    """
    require(actor, "federation.manage_members", organization, NOT_ORGANIZER)
    pending = list(
        Member.objects.filter(organization=organization, left_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .values_list("user_id", flat=True)
    )
    if not pending:
        raise ValidationError({"organization": _("Every member has set a password: nobody to invite.")})
    event_record(
        organization=organization,
        kind="members.invited",
        actor=actor,
        target=organization,
        data={"members": len(pending)},
        at=at,
    )
    delivery = invite_on_commit(organization_name=organization.name, user_ids=pending)
    return InviteOutcome(members=len(pending), delivery=delivery)


def _current(member: Member, moment: datetime) -> Member:
    """The membership row locked, if it is current at ``moment``."""
    member = Member.objects.select_for_update(of=("self",)).select_related("constituency").get(pk=member.pk)
    if member.left_at is not None:
        raise ValidationError({"member": _("%(m)s is no longer a member.") % {"m": member.name}})
    if moment <= member.joined_at:
        raise ValidationError({"at": _("A membership cannot end at or before it began.")})
    return member


@dataclass(frozen=True)
class MoveOutcome:
    """A move: the new membership row, and what ended with the old one."""

    member: Member
    seats_ended: int
    by_elections: int


@transaction.atomic
def member_move(
    *, actor: Actor, member: Member, constituency: Constituency, at: datetime | None = None
) -> MoveOutcome:
    """Move a member to another constituency of the same organization from ``at``.

    The old membership ends as *moved* and a new one starts in ``constituency``; the member's seats
    for the old constituency end with reason "moved" (and the delegate seats derived from them, as
    "derived"), by-elections open for the vacancies, and their standing signatures on open petitions
    there are withdrawn.
    """
    require(actor, "federation.manage_members", member, NOT_ORGANIZER)
    moment = moment_of(at)
    old = _current(member, moment)
    if constituency.organization_id != old.organization_id:
        raise ValidationError({"constituency": _("The constituency belongs to another organization.")})
    if constituency.pk == old.constituency_id:
        raise ValidationError(
            {
                "constituency": _("%(m)s is already a member of %(c)s.")
                % {"m": old.name, "c": constituency.name}
            }
        )
    cascade = Cascade()
    member_seats_end(old, at=moment, reason=Seat.EndReason.MOVED, cascade=cascade)
    old.left_at, old.left_reason = moment, Member.LeftReason.MOVED
    old.save(update_fields=["left_at", "left_reason"])
    new = Member(
        organization_id=old.organization_id,
        user_id=old.user_id,
        constituency=constituency,
        name=old.name,
        joined_at=moment,
        moved_from=old,
    )
    full_clean(new)
    new.save()
    event_record(
        organization=old.organization,
        kind="member.moved",
        actor=actor,
        target=new,
        data={
            "member": new.pk,
            "previous": old.pk,
            "from_constituency": old.constituency_id,
            "to_constituency": constituency.pk,
            "name": old.name,
            "from_name": old.constituency.name,
            "to_name": constituency.name,
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(
        seat_topics(cascade.ended), constituency_topic(old.constituency), constituency_topic(constituency)
    )
    return MoveOutcome(member=new, seats_ended=len(cascade.ended), by_elections=len(cascade.by_elections))


@transaction.atomic
def member_leave(*, actor: Actor, member: Member, at: datetime | None = None) -> Member:
    """End a membership from ``at``: the member leaves (or an organizer removes them).

    Their seats end with reason "left" (and the delegate seats derived from them), by-elections open
    for the vacancies, and their standing signatures on open petitions are withdrawn.
    """
    require(actor, "federation.leave", member, NOT_MEMBER_OR_ORGANIZER)
    moment = moment_of(at)
    member = _current(member, moment)
    cascade = Cascade()
    member_seats_end(member, at=moment, reason=Seat.EndReason.LEFT, cascade=cascade)
    member.left_at, member.left_reason = moment, Member.LeftReason.LEFT
    member.save(update_fields=["left_at", "left_reason"])
    event_record(
        organization=member.organization,
        kind="member.left",
        actor=actor,
        target=member,
        data={
            "member": member.pk,
            "constituency": member.constituency_id,
            "name": member.name,
            "constituency_name": member.constituency.name,
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(
        seat_topics(cascade.ended),
        constituency_topic(member.constituency),
        user_topic(member.organization_id, member.user_id),
    )
    return member
