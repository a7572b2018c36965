"""Elections: the organization's elections and who may be declared elected."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Value, When

from councils.federation.models import (
    Affiliation,
    Election,
    Faction,
    Member,
    Organization,
    Seat,
    Term,
)

# --- elections -----------------------------------------------------------------------------------


def elections(*, organization: Organization, status: str | None = None) -> QuerySet[Election]:
    """The organization's elections (optionally of one status): open ones first, newest first.

    Each carries its council, part and the holder of the seat whose end caused it, and, as
    ``elected_seats``, the seats its declaration filled or renewed (by slot), each with the faction
    it sat with when declared: three queries in all, however many elections there are.
    """
    affiliations = Affiliation.objects.select_related("faction").order_by("start")
    filled = (
        Term.objects.filter(election__isnull=False)
        .select_related("seat__holder", "seat__constituency", "seat__child_council")
        .prefetch_related(
            Prefetch("seat__affiliations", queryset=affiliations, to_attr="affiliation_list"), "seat__terms"
        )
        .order_by("seat__slot", "seat__pk")
    )
    queryset = Election.objects.filter(organization=organization).select_related(
        "council", "constituency", "child_council", "cause__holder"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.prefetch_related(Prefetch("terms", queryset=filled, to_attr="elected_terms")).order_by(
        Case(When(status=Election.Status.OPEN, then=Value(0)), default=Value(1)), "-opened_at", "-pk"
    )


@dataclass(frozen=True)
class Eligible:
    """A member who may be declared elected in an election. For a child council's part (a
    delegate election), ``seat`` is the seat they hold in the child council now, from which the
    delegate seat would derive, and ``faction`` the faction they sit with there."""

    member: Member
    seat: Seat | None = None
    faction: Faction | None = None


def election_eligible(*, election: Election) -> list[Eligible]:
    """Who may be declared elected, by name (one query).

    A constituency's part: its current members. A child council's part: the holders of open
    seats in the child council (each once, with the seat the declaration would derive from).
    A by-election fills a vacancy beside sitting deputies, so those already holding a seat of the
    part are left out; a regular election may re-elect them.
    """
    part = election.part
    sitting = Exists(
        Seat.objects.filter(
            holder=OuterRef("pk" if part.is_constituency else "holder"),
            council_id=election.council_id,
            end__isnull=True,
            **part.ids(),
        )
    )
    if part.is_constituency:
        members = Member.objects.filter(constituency_id=part.id, left_at__isnull=True)
        if election.kind == Election.Kind.BY_ELECTION:
            members = members.exclude(sitting)
        return [Eligible(member=m) for m in members.order_by("name", "pk")]
    below = (
        Seat.objects.filter(council_id=part.id, end__isnull=True)
        .select_related("holder")
        .with_faction()
        # The oldest open seat first: the one election_declare derives from.
        .order_by("start", "pk")
    )
    if election.kind == Election.Kind.BY_ELECTION:
        below = below.exclude(sitting)
    eligible: dict[int, Eligible] = {}
    for seat in below:
        eligible.setdefault(seat.holder_id, Eligible(member=seat.holder, seat=seat, faction=seat.faction))
    return sorted(eligible.values(), key=lambda e: (e.member.name, e.member.pk))
