"""The JSON shapes of the federation API (django-ninja schemas).

URLs name organizations, councils and constituencies by slug; inside a response, objects refer to
one another by id (a council's ``parent``, a seat's ``derives_from``), which every listing also
carries. Each schema reads only what the selector feeding it has loaded, so rendering a response
adds no query, however many rows it holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from councils.federation.parts import part_label, part_slugs


class OrganizationOut(Schema):
    slug: str
    name: str
    description: str
    created_at: datetime


class FactionOut(Schema):
    id: int
    name: str
    short_name: str
    colour: str = Field(description="Hex colour, e.g. #c0392b.")
    position: int = Field(description="Left-to-right order in the hemicycle (smaller sits further left).")


class CouncilOut(Schema):
    id: int
    slug: str
    name: str
    parent: int | None = Field(description="The id of the council above; null for a root council.")
    seat_rule: str = Field(description="'ratio' (one deputy per N members) or 'fixed' (apportioned).")
    members_per_seat: int | None
    minimum_seats: int
    total_seats: int | None
    apportionment_method: str
    term_days: int
    recall_threshold: str = Field(
        description="The fraction of a constituency's members whose signatures recall its deputy, as an "
        "exact decimal string such as `0.500`."
    )
    recall_mode: str
    petition_days: int

    @staticmethod
    def resolve_recall_threshold(obj: Any) -> str:
        # A string keeps the decimal exact; a JSON number would become a binary float.
        return str(obj.recall_threshold)

    @staticmethod
    def resolve_parent(obj: Any) -> int | None:
        # The id, not the row: reading the parent row would cost a query per council.
        return obj.parent_id


class CouncilNodeOut(Schema):
    """One council of the tree, in depth-first order."""

    council: CouncilOut
    depth: int = Field(description="0 for a root council.")
    children: int = Field(description="How many councils sit directly below.")


class ConstituencyOut(Schema):
    id: int
    slug: str
    name: str
    section: str
    council: int = Field(description="The id of the council it elects deputies to.")

    @staticmethod
    def resolve_council(obj: Any) -> int:
        return obj.council_id


class SeatOut(Schema):
    """One deputy's mandate in one council, for one constituency or child council."""

    id: int
    holder: str = Field(description="The deputy's name.")
    faction: FactionOut | None = Field(description="Null for an independent.")
    section: str
    part: str = Field(description="The constituency or child council the seat is for.")
    slot: int
    start: datetime
    end: datetime | None
    end_reason: str
    term_ends: datetime | None
    derives_from: int | None = Field(description="For a delegate: the id of the seat below it derives from.")

    @staticmethod
    def resolve_holder(obj: Any) -> str:
        return obj.holder.name

    @staticmethod
    def resolve_part(obj: Any) -> str:
        return part_label(obj)

    @staticmethod
    def resolve_derives_from(obj: Any) -> int | None:
        return obj.derives_from_id


class DeputyOut(Schema):
    """A constituency's deputy: a seat held now."""

    seat: int
    holder: str
    faction: FactionOut | None
    council: str = Field(description="The slug of the council the seat is in.")
    start: datetime
    term_ends: datetime | None

    @staticmethod
    def resolve_seat(obj: Any) -> int:
        return obj.pk

    @staticmethod
    def resolve_holder(obj: Any) -> str:
        return obj.holder.name

    @staticmethod
    def resolve_council(obj: Any) -> str:
        return obj.council.slug


class FactionCountOut(Schema):
    faction: FactionOut | None = Field(description="Null for independents.")
    seats: int
    by_section: dict[str, int]


class VacancyOut(Schema):
    part: str
    count: int


class CompositionOut(Schema):
    """The seats of a council at a moment, by faction and section, and the majority that follows."""

    council: str = Field(description="The council's slug.")
    at: datetime
    seats: list[SeatOut]
    factions: list[FactionCountOut]
    vacancies: list[VacancyOut]
    allocated: int
    filled: int
    vacant: int
    majority: FactionOut | None = Field(
        description="A faction holding more than half of the filled seats; null when none does."
    )
    largest: FactionOut | None = Field(description="The single largest faction; null on a tie.")
    majority_needed: int = Field(description="Seats needed for a majority of the filled seats.")

    @staticmethod
    def resolve_council(obj: Any) -> str:
        return obj.council.slug

    @staticmethod
    def resolve_seats(obj: Any) -> list[Any]:
        return [row.seat for row in obj.seats]


class CouncilMajorityOut(Schema):
    council: CouncilOut
    depth: int
    majority: FactionOut | None
    largest: FactionOut | None
    filled: int
    allocated: int


class PetitionOut(Schema):
    """A recall petition. ``expired`` is derived when read: an open petition past ``expires_at``
    has expired even before ``councils tick`` writes its status down."""

    id: int
    seat: int
    deputy: str
    council: str = Field(description="The slug of the deputy's council.")
    constituency: str = Field(description="The slug of the deputy's constituency.")
    reason: str
    status: str = Field(description="open, succeeded, expired or closed.")
    signatures: int = Field(description="Signatures standing (not withdrawn).")
    required: int
    progress: float = Field(description="signatures / required, at most 1.")
    expired: bool
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return obj.petition.pk

    @staticmethod
    def resolve_seat(obj: Any) -> int:
        return obj.petition.seat_id

    @staticmethod
    def resolve_deputy(obj: Any) -> str:
        return obj.petition.seat.holder.name

    @staticmethod
    def resolve_council(obj: Any) -> str:
        return obj.petition.seat.council.slug

    @staticmethod
    def resolve_constituency(obj: Any) -> str:
        return obj.petition.constituency.slug

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return obj.petition.reason

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return obj.petition.status

    @staticmethod
    def resolve_opened_at(obj: Any) -> datetime:
        return obj.petition.opened_at

    @staticmethod
    def resolve_expires_at(obj: Any) -> datetime:
        return obj.petition.expires_at

    @staticmethod
    def resolve_closed_at(obj: Any) -> datetime | None:
        return obj.petition.closed_at


class ConstituencyDetailOut(Schema):
    constituency: ConstituencyOut
    members: int = Field(description="Current members.")
    deputies: list[DeputyOut]
    petitions: list[PetitionOut] = Field(description="Open petitions (see `expired`).")


class PetitionIn(Schema):
    seat: int = Field(description="The id of the seat whose holder the petition would recall.")
    reason: str = Field("", max_length=2000)


class SignOutcomeOut(Schema):
    """A signature and what it caused."""

    petition: int
    signed_at: datetime
    signatures: int = Field(description="Signatures standing after this one.")
    required: int
    recalled: bool = Field(description="True when this signature ended the deputy's mandate.")

    @staticmethod
    def resolve_petition(obj: Any) -> int:
        return obj.signature.petition_id

    @staticmethod
    def resolve_signed_at(obj: Any) -> datetime:
        return obj.signature.signed_at


class SignatureOut(Schema):
    petition: int
    signed_at: datetime
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_petition(obj: Any) -> int:
        return obj.petition_id


# --- elections and apportionment ----------------------------------------------------------------------


class ElectedSeatOut(SeatOut):
    """A seat an election filled."""

    member: int = Field(description="The id of the member who holds it.")

    @staticmethod
    def resolve_member(obj: Any) -> int:
        return obj.holder_id


class ElectionOut(Schema):
    """An election of deputies for one part of a council: a constituency, or a child council (the
    delegates of a child council are chosen among the deputies who sit in it)."""

    id: int
    council: str = Field(description="The slug of the council the deputies sit in.")
    constituency: str | None = Field(
        description="The slug of the constituency electing; null for a child council."
    )
    child_council: str | None = Field(
        description="The slug of the child council sending delegates; null for a constituency."
    )
    part: str = Field(description="The name of the constituency or child council.")
    kind: str = Field(description="'regular' (a new term) or 'by_election' (a vacancy).")
    status: str = Field(description="open, declared or cancelled.")
    seats: int = Field(description="Seats to fill.")
    cause: int | None = Field(description="For a by-election: the id of the seat whose end opened it.")
    cause_holder: str | None = Field(description="For a by-election: who held that seat.")
    opened_at: datetime
    declared_at: datetime | None
    elected: list[ElectedSeatOut] = Field(description="The seats the declaration filled, by slot.")

    @staticmethod
    def resolve_council(obj: Any) -> str:
        return obj.council.slug

    @staticmethod
    def resolve_constituency(obj: Any) -> str | None:
        return part_slugs(obj)[0]

    @staticmethod
    def resolve_child_council(obj: Any) -> str | None:
        return part_slugs(obj)[1]

    @staticmethod
    def resolve_part(obj: Any) -> str:
        return part_label(obj)

    @staticmethod
    def resolve_cause(obj: Any) -> int | None:
        return obj.cause_id

    @staticmethod
    def resolve_cause_holder(obj: Any) -> str | None:
        return obj.cause.holder.name if obj.cause_id is not None else None

    @staticmethod
    def resolve_elected(obj: Any) -> list[Any]:
        # Loaded by selectors.elections; an election fetched otherwise lists none rather than
        # costing a query.
        return list(getattr(obj, "elected_seats", []))


class EligibleOut(Schema):
    """A member who may be declared elected."""

    member: int = Field(description="The member's id, for `elected[].member`.")
    name: str
    seat_below: int | None = Field(
        description="For a child council's part: the id of the seat held there, from which the delegate "
        "seat derives."
    )
    faction: FactionOut | None = Field(
        description="For a child council's part: the faction sat with there, the default above."
    )

    @staticmethod
    def resolve_member(obj: Any) -> int:
        return obj.member.pk

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.member.name

    @staticmethod
    def resolve_seat_below(obj: Any) -> int | None:
        return obj.seat.pk if obj.seat is not None else None


class ElectionDetailOut(ElectionOut):
    eligible: list[EligibleOut] | None = Field(
        description="Who may be declared elected while the election is open; null unless the caller may "
        "declare it."
    )


class ElectionIn(Schema):
    """Open an election for one part of a council: name a constituency or a child council."""

    council: str = Field(description="The slug of the council the deputies will sit in.")
    constituency: str | None = Field(None, description="The slug of a constituency electing to it.")
    child_council: str | None = Field(None, description="The slug of a child council sending delegates.")
    kind: Literal["regular", "by_election"] = Field("regular", description="'regular' or 'by_election'.")
    seats: int | None = Field(
        None,
        description="Seats to fill. Default: the part's allocation (regular) or its vacancies (by-election).",
    )


class ElectedIn(Schema):
    member: int = Field(description="The id of a member (see the election's `eligible`).")
    faction: int | None = Field(
        None,
        description="The id of the faction they sit with; null for none, or, for a delegate, the faction "
        "they sit with below.",
    )


class DeclarationIn(Schema):
    elected: list[ElectedIn] = Field(description="Who was elected, at most the election's `seats`.")


class AllocationOut(Schema):
    """The seats one part of a council has from `start`."""

    id: int
    part: str = Field(description="The name of the constituency or child council.")
    constituency: str | None = Field(description="The constituency's slug; null for a child council.")
    child_council: str | None = Field(description="The child council's slug; null for a constituency.")
    seats: int
    size: int = Field(description="The members counted for it.")
    start: datetime
    end: datetime | None

    @staticmethod
    def resolve_part(obj: Any) -> str:
        return part_label(obj)

    @staticmethod
    def resolve_constituency(obj: Any) -> str | None:
        return part_slugs(obj)[0]

    @staticmethod
    def resolve_child_council(obj: Any) -> str | None:
        return part_slugs(obj)[1]


# --- error answers (see the API description) ---------------------------------------------------------


class Message(Schema):
    """401, 403, 404: what went wrong, in words."""

    detail: str


class SchemaErrors(Schema):
    """422: the request does not match the schema; each item's `loc` names the place, e.g.
    `["body", "seat"]` or `["query", "at"]`."""

    detail: list[dict[str, Any]]


class FieldErrors(Schema):
    """400: a well-formed request that the organization's rules refuse. Keys name the fields;
    `__all__` holds messages about the request as a whole. Nothing was changed."""

    errors: dict[str, list[str]]


# --- members ---------------------------------------------------------------------------------------


class MemberOut(Schema):
    """A membership: a person in one constituency of the organization, from ``joined_at`` until
    ``left_at`` (null while it lasts). A move ends one membership and starts the next."""

    id: int
    name: str
    constituency: str = Field(description="The slug of the member's constituency.")
    joined_at: datetime
    left_at: datetime | None
    left_reason: str = Field(description="'' while a member; 'left' or 'moved' after.")
    moved_from: int | None = Field(description="The membership this one continues, after a move.")

    @staticmethod
    def resolve_constituency(obj: Any) -> str:
        return obj.constituency.slug

    @staticmethod
    def resolve_moved_from(obj: Any) -> int | None:
        return obj.moved_from_id


class MemberMoveIn(Schema):
    """Move a member to another constituency of the same organization."""

    constituency: str = Field(description="The slug of the constituency to move to.")
