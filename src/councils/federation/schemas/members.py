"""Schemas of memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


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
