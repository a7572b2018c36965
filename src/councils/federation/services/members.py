"""Members: joining (one by one) an organization's constituency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Constituency,
    Member,
    Organization,
)
from councils.federation.services._common import (
    NOT_ORGANIZER,
    full_clean,
    moment_of,
    require,
)

# --- members -------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    organization: Organization,
    user: Any,
    constituency: Constituency,
    name: str = "",
    at: datetime | None = None,
) -> Member:
    """Make ``user`` a member of the organization in ``constituency``."""
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
        summary=f"{member.name} joined {constituency.name}",
        data={"constituency": constituency.pk},
        at=at,
    )
    return member
