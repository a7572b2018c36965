"""Exports for a secretary's archive, as CSV or JSON files: a council's composition at a moment,
its seat history, the majority map and the audit log (``councils.federation.exports`` says what
each holds). They answer with a file to save (``Content-Disposition``), streamed as it is read."""

from __future__ import annotations

from typing import Any, Literal

from django.http import StreamingHttpResponse
from django.utils import timezone
from ninja import Router

from councils.exports import export_response
from councils.federation import exports, selectors
from councils.federation.api._common import (
    AT_QUERY,
    ERRORS,
    READ_AT_ERRORS,
    ApiRequest,
    council_for,
    organization_for,
    parse_moment,
)
from councils.federation.api.audit import KIND_QUERY

router = Router(tags=["exports"])

Format = Literal["csv", "json"]

CSV_NOTE = (
    "CSV: UTF-8 with a byte order mark, a header line of the column names; a text cell beginning with "
    "`=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that no spreadsheet runs it."
)


def _file(description: str) -> dict[str, Any]:
    """The OpenAPI answer of an export: a CSV or a JSON file, by the path's extension."""
    return {
        "responses": {
            200: {
                "description": description + " " + CSV_NOTE,
                "headers": {
                    "Content-Disposition": {
                        "description": '`attachment; filename="<organization>_<what>_<date>.<csv|json>"`',
                        "schema": {"type": "string"},
                    }
                },
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        }
    }


@router.get(
    "/organizations/{slug}/councils/{council}/composition.{fmt}",
    response=READ_AT_ERRORS,
    openapi_extra=_file(
        "One row per seat at the moment: `council, at, status (held|vacant), seat, slot, deputy, faction, "
        "bloc, section, elected_by, since, term_ends`. The JSON object also holds the seats by faction and "
        "section, the blocs, the vacancies and the majority; its rows are under `seats`."
    ),
)
def composition_export(
    request: ApiRequest, slug: str, council: str, fmt: Format, at: str | None = AT_QUERY
) -> StreamingHttpResponse:
    """The composition of the council at a moment (now by default), as a file."""
    moment = parse_moment(at)
    found = council_for(request, slug, council)
    day = timezone.localdate(moment) if moment is not None else timezone.localdate()
    return export_response(
        exports.composition_table(council=found, at=moment),
        fmt=fmt,
        filename=exports.filename(found.organization, "composition", extra=found.slug, day=day, fmt=fmt),
    )


@router.get(
    "/organizations/{slug}/councils/{council}/history.{fmt}",
    response=ERRORS,
    openapi_extra=_file(
        "Every mandate the council has had, one row per period with one faction: `seat, slot, deputy, "
        "elected_by, section, faction, from, until, seat_start, seat_end, end_reason, derives_from`. "
        "The JSON's rows are under `periods`."
    ),
)
def history_export(request: ApiRequest, slug: str, council: str, fmt: Format) -> StreamingHttpResponse:
    """The seat history of the council, as a file."""
    found = council_for(request, slug, council)
    return export_response(
        exports.seat_history_table(council=found),
        fmt=fmt,
        filename=exports.filename(
            found.organization, "seat-history", extra=found.slug, day=timezone.localdate(), fmt=fmt
        ),
    )


@router.get(
    "/organizations/{slug}/majority-map.{fmt}",
    response=READ_AT_ERRORS,
    openapi_extra=_file(
        "One row per council in tree order: `council, council_name, depth, parent, filled, allocated, "
        "majority, largest, bloc_majority, bloc_seats`, then `seats:<faction>` for each faction and "
        "`seats:independents`. The JSON's rows are under `councils`."
    ),
)
def majority_map_export(request: ApiRequest, slug: str, fmt: Format, at: str | None = AT_QUERY) -> Any:
    """Which faction and which bloc hold the majority of which council at a moment, as a file."""
    moment = parse_moment(at)
    organization = organization_for(request, slug)
    day = timezone.localdate(moment) if moment is not None else timezone.localdate()
    return export_response(
        exports.majority_map_table(organization=organization, at=moment),
        fmt=fmt,
        filename=exports.filename(organization, "majority-map", day=day, fmt=fmt),
    )


@router.get(
    "/organizations/{slug}/events.{fmt}",
    response={**ERRORS},
    openapi_extra=_file(
        "The whole audit log, newest first (as `/events` pages it): `stream, sequence, occurred_at, kind, "
        "actor, summary, object_type, object_id, data, previous_hash, hash`. The JSON's rows are under "
        "`events`. Who acted is shown as on the audit page and in `/events`: members read names, organizers "
        "and returning officers also e-mail addresses (in `actor`, `summary` and `data`)."
    ),
)
def audit_export(request: ApiRequest, slug: str, fmt: Format, kind: str | None = KIND_QUERY) -> Any:
    """The organization's audit log with every event's hashes, as a file."""
    organization = organization_for(request, slug)
    return export_response(
        exports.audit_table(
            organization=organization,
            kind=kind or None,
            contact=selectors.may_see_contact(user=request.auth, organization=organization),
        ),
        fmt=fmt,
        filename=exports.filename(
            organization, "audit-log", extra=kind or "", day=timezone.localdate(), fmt=fmt
        ),
    )
