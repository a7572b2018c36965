"""Schemas of elections and apportionment."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from councils.federation.models import MAX_ELECTION_SEATS, Election
from councils.federation.parts import part_label, part_slugs
from councils.federation.schemas.structure import FactionOut, SeatOut

#: An election's status, as its own enum in the OpenAPI document (a petition's differs).
ElectionStatus = enum.Enum(  # type: ignore[misc]
    "ElectionStatus", {m.name: m.value for m in Election.Status}, type=str
)


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
    status: ElectionStatus = Field(description="open, declared or cancelled.")
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
        ge=1,
        le=MAX_ELECTION_SEATS,
        description=(
            "Seats to fill, at most the part's allocation (regular) or its vacancies (by-election); "
            "default: all of them."
        ),
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
