"""The audit log's JSON endpoints: an organization's events, newest first, a page at a time, and the
heads of its streams (to write down and verify against later with ``councils audit verify --expect``).

They live with the organization's other endpoints because reading them needs the organization's
access check: the audit app itself imports nothing of the federation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from councils.audit.selectors import stream_heads
from councils.federation import selectors
from councils.federation.api._common import ERRORS, ApiRequest, organization_for, paginated
from councils.federation.schemas import SchemaErrors

router = Router(tags=["audit"])

PAGE_SIZE = 50
KIND_QUERY = Query(None, description="Only events of this kind, e.g. `petition.signed`.")


def _contact(context: Any) -> bool:
    """Whether the reader may see addresses: decided once per request by :func:`event_list`."""
    request = (context or {}).get("request")
    return bool(getattr(request, "councils_contact", False))


class EventOut(Schema):
    """One entry of the hash-chained audit log."""

    sequence: int
    kind: str = Field(description="A stable code such as `petition.signed`.")
    occurred_at: datetime
    actor: str | None = Field(
        description="Who acted: their name as a member (or their account's name); null for the system. "
        "Organizers and returning officers also see the e-mail address: `Name <address>`."
    )
    object_type: str
    object_id: str
    stream: str = Field(description="The stream the event is in: `organization`, or e.g. `voting.poll:12`.")
    summary: str = Field(
        description="What happened, rendered from the kind and `data` in the reader's language."
    )
    data: dict[str, Any] = Field(
        description="The event's payload. E-mail addresses in it are replaced for readers who are not "
        "organizers or returning officers (the hash covers the original)."
    )
    previous_hash: str
    hash: str = Field(description="SHA-256 over the event and `previous_hash`.")

    @staticmethod
    def resolve_actor(obj: Any, context: Any) -> str | None:
        return selectors.actor_label(obj, contact=_contact(context))

    @staticmethod
    def resolve_summary(obj: Any, context: Any) -> str:
        return selectors.event_summary(obj, contact=_contact(context))

    @staticmethod
    def resolve_data(obj: Any, context: Any) -> dict[str, Any]:
        return selectors.event_data(obj, contact=_contact(context))

    @staticmethod
    def resolve_stream(obj: Any) -> str:
        return str(obj.stream.name)


class StreamHeadOut(Schema):
    """The head of one stream of the audit log: write it down to verify the log against later."""

    stream: str = Field(
        description="`organization` for the organization's own stream, or e.g. `voting.poll:12`."
    )
    length: int = Field(description="How many events the stream holds.")
    head: str = Field(description="The hash of its last event (empty while it has none).")

    @staticmethod
    def resolve_stream(obj: Any) -> str:
        return str(obj.name)


@router.get("/organizations/{slug}/events", response={200: list[EventOut], **ERRORS, 422: SchemaErrors})
@paginated(page_size=PAGE_SIZE)
def event_list(
    request: ApiRequest,
    slug: str,
    kind: str | None = KIND_QUERY,
) -> Any:
    """The organization's audit log, newest first, 50 events a page (`page=1, 2, ...`).

    The answer is `{"items": [...], "count": N}`; `councils audit verify` checks the chain.
    """
    organization = organization_for(request, slug)
    # Asked once here, not once per event by the schema's resolvers.
    request.councils_contact = selectors.may_see_contact(user=request.auth, organization=organization)  # type: ignore[attr-defined]
    return selectors.events(organization=organization, kind=kind or None)


@router.get("/organizations/{slug}/audit/heads", response={200: list[StreamHeadOut], **ERRORS})
def head_list(request: ApiRequest, slug: str) -> Any:
    """The heads of the organization's audit streams (its own first): length and last hash of each.

    Kept outside the database, they let `councils audit verify ORG --expect FILE` detect a tail cut
    off, a forged event appended or a chain rehashed from some event on.
    """
    return list(stream_heads(organization=organization_for(request, slug)))
