"""What a secretary archives, as tables for :mod:`councils.exports` (CSV or JSON): a council's
composition at a moment, its seat history, the majority map and the audit log.

The pages and the API export the same tables. Each is read through the selectors in a constant
number of queries; the seat history and the audit log, which grow without bound, are read with
``QuerySet.iterator()`` as the answer is sent, never whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from councils.exports import Table, export_filename
from councils.federation import selectors
from councils.federation.models import Council, Faction, Organization
from councils.federation.parts import part_label

#: Read this many rows per round trip when streaming (a server-side cursor on PostgreSQL).
CHUNK = 2000


def _faction(faction: Faction | None) -> str:
    return faction.name if faction is not None else ""


def filename(organization: Organization, what: str, *, day: date | None, fmt: str, extra: str = "") -> str:
    """The file name of an export: the organization's slug, what, a detail, the date shown."""
    return export_filename(organization.slug, what, extra, day, fmt=fmt)


# --- the composition of a council at a moment ---------------------------------------------------

COMPOSITION_COLUMNS = (
    "council",
    "at",
    "status",
    "seat",
    "slot",
    "deputy",
    "faction",
    "bloc",
    "section",
    "elected_by",
    "since",
    "term_ends",
)


def composition_table(*, council: Council, at: datetime | None = None) -> Table:
    """One row per seat of the council at ``at``: each held seat with its deputy, faction, the bloc
    of that faction then, section and part; then one row per vacant seat. The JSON adds the counts
    by faction and section, the blocs, the vacancies and the majority."""
    composition = selectors.composition_at(council=council, at=at)
    bloc_of = {f.pk: b.name for b in composition.blocs for f in b.factions}
    moment = composition.at

    def rows() -> Iterator[dict[str, Any]]:
        for row in composition.seats:
            seat = row.seat
            yield {
                "council": council.slug,
                "at": moment,
                "status": "held",
                "seat": seat.pk,
                "slot": seat.slot,
                "deputy": row.holder,
                "faction": _faction(row.faction),
                "bloc": bloc_of.get(row.faction.pk, "") if row.faction is not None else "",
                "section": row.section,
                "elected_by": row.part,
                "since": seat.start,
                "term_ends": seat.term_ends,
            }
        for vacancy in composition.vacancies:
            for _ in range(vacancy.count):
                yield {"council": council.slug, "at": moment, "status": "vacant", "elected_by": vacancy.part}

    meta = {
        "organization": council.organization.slug,
        "council": council.slug,
        "council_name": council.name,
        "at": moment,
        "allocated": composition.allocated,
        "filled": composition.filled,
        "vacant": composition.vacant,
        "majority_needed": composition.majority_needed,
        "majority": _faction(composition.majority) or None,
        "largest": _faction(composition.largest) or None,
        "sections": composition.sections,
        "factions": [
            {
                "faction": fc.faction.name if fc.faction else None,
                "seats": fc.seats,
                "by_section": fc.by_section,
            }
            for fc in composition.factions
        ],
        "blocs": [
            {
                "bloc": b.name,
                "factions": [f.name for f in b.factions],
                "seats": b.seats,
                "majority": b.majority,
            }
            for b in composition.blocs
        ],
        "vacancies": [{"elected_by": v.part, "seats": v.count} for v in composition.vacancies],
    }
    return Table(columns=COMPOSITION_COLUMNS, rows=rows(), meta=meta, rows_key="seats")


# --- the seat history of a council --------------------------------------------------------------

HISTORY_COLUMNS = (
    "seat",
    "slot",
    "deputy",
    "elected_by",
    "section",
    "faction",
    "from",
    "until",
    "seat_start",
    "seat_end",
    "end_reason",
    "derives_from",
)


def seat_history_table(*, council: Council) -> Table:
    """Every mandate the council has had, one row per period with one faction: a seat whose
    deputy changed faction has a row for each, so the table gives the composition at any moment.
    Oldest seats first; read in chunks as it is written (one query per chunk)."""

    def rows() -> Iterator[dict[str, Any]]:
        for affiliation in selectors.affiliation_history(council=council).iterator(chunk_size=CHUNK):
            seat = affiliation.seat
            yield {
                "seat": seat.pk,
                "slot": seat.slot,
                "deputy": seat.holder.name,
                "elected_by": part_label(seat),
                "section": seat.section,
                "faction": _faction(affiliation.faction),
                "from": affiliation.start,
                "until": affiliation.end,
                "seat_start": seat.start,
                "seat_end": seat.end,
                "end_reason": seat.end_reason,
                "derives_from": seat.derives_from_id,
            }

    meta = {"organization": council.organization.slug, "council": council.slug, "council_name": council.name}
    return Table(columns=HISTORY_COLUMNS, rows=rows(), meta=meta, rows_key="periods")


# --- the majority map ---------------------------------------------------------------------------


def majority_map_table(*, organization: Organization, at: datetime | None = None) -> Table:
    """One row per council in tree order: which faction and which bloc hold its majority at
    ``at``, and the seats of every faction (a column each, ``seats:<short name>``)."""
    moment = at if at is not None else timezone.now()
    rows_in = selectors.majority_map(organization=organization, at=moment)
    factions = list(selectors.factions(organization=organization))
    seat_columns = [f"seats:{f.short_name}" for f in factions]
    columns = (
        "council",
        "council_name",
        "depth",
        "parent",
        "filled",
        "allocated",
        "majority",
        "largest",
        "bloc_majority",
        "bloc_seats",
        *seat_columns,
        "seats:independents",
    )
    parent_slug = {row.council.pk: row.council.slug for row in rows_in}

    def rows() -> Iterator[dict[str, Any]]:
        for row in rows_in:
            bloc = row.bloc_majority
            out: dict[str, Any] = {
                "council": row.council.slug,
                "council_name": row.council.name,
                "depth": row.depth,
                "parent": parent_slug.get(row.council.parent_id or 0, ""),
                "filled": row.filled,
                "allocated": row.allocated,
                "majority": _faction(row.majority),
                "largest": _faction(row.largest),
                "bloc_majority": bloc.name if bloc is not None else "",
                "bloc_seats": bloc.seats if bloc is not None else None,
            }
            for faction, column in zip(factions, seat_columns, strict=True):
                out[column] = row.counts.get(faction, 0)
            out["seats:independents"] = row.counts.get(None, 0)
            out["blocs"] = [
                {
                    "bloc": b.name,
                    "factions": [f.name for f in b.factions],
                    "seats": b.seats,
                    "majority": b.majority,
                }
                for b in row.blocs
            ]
            yield out

    meta = {"organization": organization.slug, "at": moment}
    return Table(columns=columns, rows=rows(), meta=meta, rows_key="councils")


# --- the audit log ------------------------------------------------------------------------------

AUDIT_COLUMNS = (
    "stream",
    "sequence",
    "occurred_at",
    "kind",
    "actor",
    "summary",
    "object_type",
    "object_id",
    "data",
    "previous_hash",
    "hash",
)


def audit_table(*, organization: Organization, kind: str | None = None, contact: bool = False) -> Table:
    """The organization's audit log as the page lists it (newest first, optionally one kind), each
    event with its payload and hashes, so the export can be checked against the chain's heads.

    Who acted, the summary and the payload follow the page's rule (``selectors.actor_label``,
    ``event_summary``, ``event_data``): members read names; with ``contact`` (organizers and
    returning officers: ``selectors.may_see_contact``) the e-mail addresses too. Read in chunks as
    it is written: one query per chunk."""

    def rows() -> Iterator[dict[str, Any]]:
        for event in selectors.events(organization=organization, kind=kind).iterator(chunk_size=CHUNK):
            yield {
                "stream": event.stream.name,
                "sequence": event.sequence,
                "occurred_at": event.occurred_at,
                "kind": event.kind,
                "actor": selectors.actor_label(event, contact=contact),
                "summary": selectors.event_summary(event, contact=contact),
                "object_type": event.object_type,
                "object_id": event.object_id,
                "data": selectors.event_data(event, contact=contact),
                "previous_hash": event.previous_hash,
                "hash": event.hash,
            }

    meta = {"organization": organization.slug, "kind": kind or None}
    return Table(columns=AUDIT_COLUMNS, rows=rows(), meta=meta, rows_key="events")


__all__ = [
    "AUDIT_COLUMNS",
    "COMPOSITION_COLUMNS",
    "HISTORY_COLUMNS",
    "audit_table",
    "composition_table",
    "filename",
    "majority_map_table",
    "seat_history_table",
]
