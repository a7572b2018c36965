"""The organization's structure: the organization itself, its officers, factions, councils and
constituencies."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from councils.accounts.actors import Actor, is_person
from councils.accounts.privacy import display_name
from councils.audit.services import event_record
from councils.federation.models import (
    Constituency,
    Council,
    Faction,
    Member,
    Officer,
    Organization,
)
from councils.federation.services._common import (
    NOT_ADMINISTRATOR,
    NOT_ORGANIZER,
    RECALL_VOTE_NOT_YET,
    full_clean,
    moment_of,
    require,
)
from councils.federation.services.recall import recall_vote_available
from councils.live.access import access_ended
from councils.live.publish import publish_on_commit
from councils.live.topics import council_topic, lineage_topics, organization_topic

# --- organization, officers, factions --------------------------------------------------------------

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def organization_create(
    *, actor: Actor, name: str, slug: str = "", description: str = "", at: datetime | None = None
) -> Organization:
    """Create an organization; the acting user becomes its first organizer.

    Only a superuser (or the system) may create organizations.
    """
    require(actor, "federation.create_organization", None, NOT_ADMINISTRATOR)
    org = Organization(
        name=name, slug=slug or slugify(name), description=description, created_at=moment_of(at)
    )
    full_clean(org)
    org.save()
    # Past require(), the actor is the system or a signed-in person.
    if is_person(actor):
        Officer.objects.create(
            organization=org, user=actor, role=Officer.Role.ORGANIZER, appointed_at=moment_of(at)
        )
    event_record(
        organization=org,
        kind="organization.created",
        actor=actor,
        target=org,
        data={"name": org.name},
        at=at,
    )
    publish_on_commit(organization_topic(org))
    return org


def _officer_name(organization: Organization, user: User) -> str:
    member = Member.objects.filter(organization=organization, user=user).order_by("-joined_at").first()
    return display_name(
        member_name=member.name if member else None,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.get_username(),
        pk=user.pk,
    )


@transaction.atomic
def officer_appoint(
    *, actor: Actor, organization: Organization, user: User, role: str, at: datetime | None = None
) -> Officer:
    """Make ``user`` an organizer or a returning officer of the organization."""
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    officer = Officer(organization=organization, user=user, role=role, appointed_at=moment_of(at))
    full_clean(officer)
    officer.save()
    event_record(
        organization=organization,
        kind="officer.appointed",
        actor=actor,
        target=officer,
        # The name, not the user name: user names are often e-mail addresses, which the audit log
        # shows only to officers (councils.accounts.privacy), and its payloads are kept forever.
        data={"user": user.pk, "role": role, "name": _officer_name(organization, user)},
        at=at,
    )
    publish_on_commit(organization_topic(organization))
    return officer


OFFICE_ENDED = gettext_noop("This office has already ended.")
LAST_ORGANIZER = gettext_noop(
    "%(organization)s would have no organizer left: appoint another organizer before this one leaves."
)


@transaction.atomic
def officer_remove(*, actor: Actor, officer: Officer, at: datetime | None = None) -> Officer:
    """End an office: the person stops being an organizer or returning officer of the organization.

    The row stays, dated (history is data). An organization keeps at least one organizer, or nobody
    could change its structure again. Once this commits, the person's open live streams end unless
    they still belong to the organization another way (:func:`councils.live.access.access_ended`).
    """
    organization = officer.organization
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    at = moment_of(at)
    # Locked: two organizers removing each other at once must not leave the organization with none.
    officers = list(Officer.objects.current().select_for_update().filter(organization=organization))
    current = next((o for o in officers if o.pk == officer.pk), None)
    if current is None:
        raise ValidationError(_(OFFICE_ENDED))
    if current.role == Officer.Role.ORGANIZER and not any(
        o.role == Officer.Role.ORGANIZER and o.pk != current.pk for o in officers
    ):
        raise ValidationError(_(LAST_ORGANIZER) % {"organization": organization.name})
    if at < current.appointed_at:
        raise ValidationError({"at": _("An office cannot end before it began.")})
    current.ended_at = at
    current.save(update_fields=["ended_at"])
    event_record(
        organization=organization,
        kind="officer.removed",
        actor=actor,
        target=current,
        data={
            "user": current.user_id,
            "role": current.role,
            "name": _officer_name(organization, current.user),
        },
        at=at,
    )
    access_ended(organization_id=organization.pk, user_id=current.user_id)
    publish_on_commit(organization_topic(organization))
    return current


@transaction.atomic
def faction_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    short_name: str = "",
    colour: str = "#888888",
    position: int = 0,
    at: datetime | None = None,
) -> Faction:
    """Create a faction of the organization."""
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    faction = Faction(
        organization=organization,
        name=name,
        short_name=short_name or name[:24],
        colour=colour,
        position=position,
    )
    full_clean(faction)
    faction.save()
    event_record(
        organization=organization,
        kind="faction.created",
        actor=actor,
        target=faction,
        data={"name": name, "colour": colour},
        at=at,
    )
    publish_on_commit(organization_topic(organization))
    return faction


# --- councils and constituencies -----------------------------------------------------------------


@transaction.atomic
def council_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    slug: str = "",
    parent: Council | None = None,
    seat_rule: str = Council.SeatRule.RATIO,
    members_per_seat: int | None = None,
    minimum_seats: int = 1,
    total_seats: int | None = None,
    apportionment_method: str = Council.Apportionment.SAINTE_LAGUE,
    term_days: int = 365,
    recall_threshold: Decimal | str | float = Decimal("0.5"),
    recall_mode: str = Council.RecallMode.IMMEDIATE,
    petition_days: int = 30,
    at: datetime | None = None,
) -> Council:
    """Create a council, at the root of the tree or under ``parent``.

    A council whose parent is filled by constituencies cannot take children: a council is either
    a base council (constituencies) or a higher one (child councils).
    """
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    errors: dict[str, list[str]] = defaultdict(list)
    if recall_mode == Council.RecallMode.VOTE and not recall_vote_available():
        errors["recall_mode"].append(_(RECALL_VOTE_NOT_YET))
    if parent is not None:
        if parent.organization_id != organization.pk:
            errors["parent"].append(_("The parent council belongs to another organization."))
        elif parent.constituencies.exists():
            errors["parent"].append(
                _("%(council)s is filled by constituencies, so it cannot have child councils.")
                % {"council": parent.name}
            )
    if seat_rule == Council.SeatRule.RATIO and not members_per_seat:
        errors["members_per_seat"].append(_("The ratio rule needs the number of members per seat."))
    if seat_rule == Council.SeatRule.FIXED and not total_seats:
        errors["total_seats"].append(_("The fixed rule needs the total number of seats."))
    if errors:
        raise ValidationError(dict(errors))
    council = Council(
        organization=organization,
        parent=parent,
        name=name,
        slug=slug or slugify(name)[:80],
        seat_rule=seat_rule,
        members_per_seat=members_per_seat,
        minimum_seats=minimum_seats,
        total_seats=total_seats,
        apportionment_method=apportionment_method,
        term_days=term_days,
        recall_threshold=Decimal(str(recall_threshold)),
        recall_mode=recall_mode,
        petition_days=petition_days,
        created_at=moment_of(at),
    )
    full_clean(council)
    council.save()
    event_record(
        organization=organization,
        kind="council.created",
        actor=actor,
        target=council,
        data={"parent": parent.pk if parent else None, "seat_rule": seat_rule, "name": council.name},
        at=at,
    )
    publish_on_commit(organization_topic(organization), lineage_topics(council))
    return council


@transaction.atomic
def constituency_create(
    *,
    actor: Actor,
    organization: Organization,
    council: Council,
    name: str,
    slug: str = "",
    section: str = "",
    at: datetime | None = None,
) -> Constituency:
    """Create a constituency electing deputies to ``council`` (a base council)."""
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    if council.organization_id != organization.pk:
        raise ValidationError({"council": _("The council belongs to another organization.")})
    if council.children.exists():
        raise ValidationError(
            {
                "council": _("%(council)s is filled by child councils, not constituencies.")
                % {"council": council.name}
            }
        )
    constituency = Constituency(
        organization=organization,
        council=council,
        name=name,
        slug=slug or slugify(name)[:80],
        section=section,
        created_at=moment_of(at),
    )
    full_clean(constituency)
    constituency.save()
    event_record(
        organization=organization,
        kind="constituency.created",
        actor=actor,
        target=constituency,
        data={
            "council": council.pk,
            "section": section,
            "name": constituency.name,
            "council_name": council.name,
        },
        at=at,
    )
    publish_on_commit(organization_topic(organization), council_topic(council))
    return constituency
