"""Schemas of blocs: coalitions of factions, their history and their seats in a council."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from councils.federation.schemas.structure import BlocCountOut, FactionOut

__all__ = ["BlocChangeIn", "BlocCountOut", "BlocIn", "BlocOut", "BlocPeriodOut"]


class BlocPeriodOut(Schema):
    """A faction's membership of a bloc, from ``start`` until ``end`` (null: still)."""

    faction: FactionOut
    start: datetime
    end: datetime | None


class BlocOut(Schema):
    """A bloc and its history: every faction's period in it."""

    id: int
    name: str
    start: datetime = Field(description="When the bloc was formed.")
    end: datetime | None = Field(description="When it ended; null while it holds.")
    factions: list[FactionOut] = Field(description="Its factions now (or when it ended).")
    periods: list[BlocPeriodOut]

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj.bloc.pk)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.bloc.name)

    @staticmethod
    def resolve_start(obj: Any) -> datetime:
        return obj.bloc.start

    @staticmethod
    def resolve_end(obj: Any) -> datetime | None:
        return obj.bloc.end

    @staticmethod
    def resolve_factions(obj: Any) -> list[Any]:
        return list(obj.current)


#: A faction's id: bounded by the database's integers, so a larger number is refused as input.
FactionId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class BlocIn(Schema):
    name: str = Field(min_length=1, max_length=120, description="The bloc's name, e.g. `Menshevik-SR bloc`.")
    factions: list[FactionId] = Field(
        max_length=200, description="The ids of its factions: two or more of the organization's."
    )


class BlocChangeIn(Schema):
    factions: list[FactionId] = Field(
        max_length=200, description="The ids of the factions the bloc joins from now on (two or more)."
    )
