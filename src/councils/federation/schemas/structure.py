"""Schemas of the organization's structure and composition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from councils.federation.parts import part_label


class FactionOut(Schema):
    id: int
    name: str
    short_name: str
    colour: str = Field(description="Hex colour, e.g. #c0392b.")
    position: int = Field(description="Left-to-right order in the hemicycle (smaller sits further left).")


# Defined here, beside FactionOut, because the composition carries it (schemas.blocs re-exports it).
class BlocCountOut(Schema):
    """A bloc in force at the moment shown: its factions then and the seats they hold together."""

    bloc: int = Field(description="The bloc's id.")
    name: str
    factions: list[FactionOut]
    seats: int
    majority: bool = Field(description="True when its factions hold more than half of the filled seats.")

    @staticmethod
    def resolve_bloc(obj: Any) -> int:
        return int(obj.bloc.pk)


class OrganizationOut(Schema):
    slug: str
    name: str
    description: str
    created_at: datetime


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
    blocs: list[BlocCountOut] = Field(
        description="The blocs in force then, with the seats of their factions."
    )

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
    blocs: list[BlocCountOut] = Field(
        description="The blocs in force then, with their seats in this council."
    )
    bloc_majority: BlocCountOut | None = Field(
        description="The bloc holding a majority; null when none does."
    )
