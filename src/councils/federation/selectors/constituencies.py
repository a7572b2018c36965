"""Constituencies and members: what a constituency and a member see, and recall petitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from councils.accounts.actors import Actor, is_person
from councils.federation.models import (
    Affiliation,
    Constituency,
    Council,
    Member,
    Organization,
    RecallPetition,
    Seat,
    Signature,
    open_at,
)
from councils.federation.selectors._common import moment_of

# --- constituencies and members ------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionRow:
    petition: RecallPetition
    signatures: int
    required: int
    expired: bool
    signed: bool = False

    @property
    def progress(self) -> float:
        return min(1.0, self.signatures / self.required) if self.required else 1.0


@dataclass(frozen=True)
class ConstituencyOverview:
    constituency: Constituency
    members: int
    deputies: list[Seat]
    petitions: list[PetitionRow]
    #: Petitions that ended in the last ``RECENT_OUTCOMES`` (succeeded, expired, closed), newest
    #: first: a page that showed one open says what became of it instead of dropping it.
    concluded: list[PetitionRow] = field(default_factory=list)


#: How long a petition's outcome stays on its constituency's page after it ended.
RECENT_OUTCOMES = timedelta(days=30)


def _petition_rows(
    queryset: QuerySet[RecallPetition], *, member: Member | None, now: datetime
) -> list[PetitionRow]:
    queryset = (
        queryset.annotate(standing=Count("signatures", filter=Q(signatures__withdrawn_at__isnull=True)))
        .select_related("seat__holder", "seat__council", "constituency")
        .prefetch_related(
            Prefetch(
                "seat__affiliations",
                queryset=Affiliation.objects.select_related("faction").order_by("start"),
                to_attr="affiliation_list",
            )
        )
    )
    if member is not None:
        queryset = queryset.annotate(
            signed=Exists(
                Signature.objects.filter(petition=OuterRef("pk"), member=member, withdrawn_at__isnull=True)
            )
        )
    return [
        PetitionRow(
            petition=p,
            signatures=p.standing,
            required=p.required,
            expired=p.expires_at <= now,
            signed=bool(getattr(p, "signed", False)),
        )
        for p in queryset.order_by("expires_at")
    ]


def constituency_overview(
    *, constituency: Constituency, at: datetime | None = None, member: Member | None = None
) -> ConstituencyOverview:
    """A constituency's members count, its deputies, its open petitions and those that ended
    lately (four queries)."""
    moment = moment_of(at)
    members = Member.objects.filter(constituency=constituency, left_at__isnull=True).count()
    deputies = list(
        Seat.objects.filter(open_at(moment), constituency=constituency)
        .select_related("holder", "council")
        .with_faction()
        .prefetch_related("terms")
        .order_by("holder__name")
    )
    petitions = _petition_rows(
        RecallPetition.objects.filter(constituency=constituency, status=RecallPetition.Status.OPEN),
        member=member,
        now=moment,
    )
    concluded = _petition_rows(
        RecallPetition.objects.filter(
            constituency=constituency,
            closed_at__lte=moment,
            closed_at__gt=moment - RECENT_OUTCOMES,
        ).exclude(status=RecallPetition.Status.OPEN),
        member=member,
        now=moment,
    )
    concluded.sort(key=lambda row: row.petition.closed_at or moment, reverse=True)
    return ConstituencyOverview(
        constituency=constituency,
        members=members,
        deputies=deputies,
        petitions=petitions,
        concluded=concluded,
    )


def constituency_members(*, constituency: Constituency) -> QuerySet[Member]:
    """A constituency's current members by name, with their user (for the officers' columns)."""
    return (
        Member.objects.filter(constituency=constituency, left_at__isnull=True)
        .select_related("user")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class MemberHome:
    member: Member
    constituency: Constituency
    deputies: list[Seat]
    councils_above: list[Council]
    petitions: list[PetitionRow]


def member_home(*, member: Member) -> MemberHome:
    """What a member sees first: their constituency, deputies, councils above and petitions to sign."""
    now = timezone.now()
    constituency = member.constituency
    by_id = {c.pk: c for c in Council.objects.filter(organization_id=member.organization_id)}
    above: list[Council] = []
    node: Council | None = by_id.get(constituency.council_id)
    while node is not None:
        above.append(node)
        node = by_id.get(node.parent_id) if node.parent_id else None
    deputies = list(
        Seat.objects.filter(constituency=constituency, end__isnull=True)
        .select_related("holder", "council")
        .with_faction()
        .prefetch_related("terms")
        .order_by("holder__name")
    )
    petitions = [
        row
        for row in _petition_rows(
            RecallPetition.objects.filter(constituency=constituency, status=RecallPetition.Status.OPEN),
            member=member,
            now=now,
        )
        if not row.expired
    ]
    return MemberHome(
        member=member, constituency=constituency, deputies=deputies, councils_above=above, petitions=petitions
    )


def memberships(*, user: Actor) -> QuerySet[Member]:
    """The user's current memberships, with organization and constituency."""
    if not is_person(user):
        return Member.objects.none()
    return Member.objects.filter(user=user, left_at__isnull=True).select_related(
        "organization", "constituency"
    )


def petitions(*, organization: Organization, status: str | None = None) -> list[PetitionRow]:
    """The organization's petitions (optionally of one status), soonest to expire first."""
    queryset = RecallPetition.objects.filter(organization=organization)
    if status:
        queryset = queryset.filter(status=status)
    return _petition_rows(queryset, member=None, now=timezone.now())
