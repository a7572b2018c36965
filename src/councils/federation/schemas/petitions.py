"""Schemas of recall petitions and signatures."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from councils.federation.models import RecallPetition
from councils.federation.schemas.structure import ConstituencyOut, DeputyOut

#: A petition's status, as its own enum in the OpenAPI document (an election's differs).
PetitionStatus = enum.Enum(  # type: ignore[misc]
    "PetitionStatus", {m.name: m.value for m in RecallPetition.Status}, type=str
)


class PetitionOut(Schema):
    """A recall petition. ``expired`` is derived when read: an open petition past ``expires_at``
    has expired even before ``councils tick`` writes its status down."""

    id: int
    seat: int
    deputy: str
    council: str = Field(description="The slug of the deputy's council.")
    constituency: str = Field(description="The slug of the deputy's constituency.")
    reason: str
    status: PetitionStatus = Field(description="open, succeeded, expired or closed.")
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
