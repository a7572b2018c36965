"""Schemas of memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


def _contact(context: Any) -> bool:
    """Whether the reader may see contact details, decided once per request by the endpoint
    (``request.councils_contact``; absent means no)."""
    request = (context or {}).get("request")
    return bool(getattr(request, "councils_contact", False))


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
    email: str | None = Field(
        None,
        description="The member's e-mail address: shown to organizers and returning officers only "
        "(null for other readers).",
    )
    can_sign_in: bool | None = Field(
        None,
        description="Whether the member has set a password (organizers and returning officers only; "
        "null for other readers). An organizer may send the invitation again while it is false.",
    )

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> str | None:
        return obj.user.email if _contact(context) else None

    @staticmethod
    def resolve_can_sign_in(obj: Any, context: Any) -> bool | None:
        return obj.user.has_usable_password() if _contact(context) else None

    @staticmethod
    def resolve_constituency(obj: Any) -> str:
        return obj.constituency.slug

    @staticmethod
    def resolve_moved_from(obj: Any) -> int | None:
        return obj.moved_from_id


class MemberMoveIn(Schema):
    """Move a member to another constituency of the same organization."""

    constituency: str = Field(description="The slug of the constituency to move to.")


class InvitationOut(Schema):
    """An invitation sent again."""

    member: int
    sent: bool = Field(description="False when the mail server did not take the message (the log says why).")


class InvitationsOut(Schema):
    """New invitations sent to the members who had not set a password."""

    members: int = Field(description="Members invited.")
    sent: int = Field(description="Messages the mail server took.")
    failed: int = Field(description="Messages it did not take (the log says why).")
