"""The audit log's JSON endpoint: an organization's events, newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from councils.federation import selectors
from councils.federation.api import ERRORS, organization_for
from councils.federation.schemas import SchemaErrors

router = Router(tags=["audit"])

PAGE_SIZE = 50
KIND_QUERY = Query(None, description="Only events of this kind, e.g. `petition.signed`.")


class EventOut(Schema):
    """One entry of the hash-chained audit log."""

    sequence: int
    kind: str = Field(description="A stable code such as `petition.signed`.")
    occurred_at: datetime
    actor: str | None = Field(description="The acting user's name; null for the system.")
    object_type: str
    object_id: str
    summary: str
    data: dict[str, Any]
    previous_hash: str
    hash: str = Field(description="SHA-256 over the event and `previous_hash`.")

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id is not None else None


@router.get("/organizations/{slug}/events", response={200: list[EventOut], **ERRORS, 422: SchemaErrors})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def event_list(
    request: HttpRequest,
    slug: str,
    kind: str | None = KIND_QUERY,
) -> Any:
    """The organization's audit log, newest first, 50 events a page (`page=1, 2, ...`).

    The answer is `{"items": [...], "count": N}`; `councils audit verify` checks the chain.
    """
    return selectors.events(organization=organization_for(request, slug), kind=kind or None)
