"""Opening a poll: its electorate fixed (deputies with their weights, or the members of a
constituency or of the whole organization) and digested."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    Member,
    Seat,
    SeatAllocation,
    open_at,
)
from councils.federation.services._common import moment_of, require
from councils.live.publish import publish_on_commit
from councils.voting import hooks, notifications
from councils.voting.live import poll_topic
from councils.voting.models import (
    Elector,
    Poll,
)
from councils.voting.services.common import (
    NOT_OFFICER,
    NOT_ORGANIZER,
    locked,
)


def _electorate_rows(poll: Poll, moment: datetime) -> list[Elector]:
    """The electors of ``poll`` at ``moment``: the deputies holding a seat of the council then (with
    their weights), or the constituency's current members."""
    if poll.electorate_constituency_id is not None:
        members = Member.objects.filter(
            constituency_id=poll.electorate_constituency_id, left_at__isnull=True, joined_at__lte=moment
        ).values_list("pk", flat=True)
        return [Elector(poll=poll, member_id=pk, weight=1) for pk in members]
    council_id = int(poll.electorate_council_id or 0)
    seats: list[tuple[int, int, int | None, int | None]] = list(
        Seat.objects.filter(open_at(moment), council_id=council_id, holder__left_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "holder_id", "constituency_id", "child_council_id")
    )
    allowed = hooks.allowed_seats(poll, moment)
    if allowed is not None:
        seats = [row for row in seats if row[0] in allowed]
    weights: dict[tuple[str, int], int] = {}
    if poll.weighting == Poll.Weighting.REPRESENTED:
        weights = _represented(council_id, seats, moment)
    found: dict[int, Elector] = {}
    for seat_id, holder_id, constituency_id, child_id in seats:
        part = _part_key(constituency_id, child_id)
        weight = weights.get(part, 1)
        if holder_id in found:
            # A deputy holding two seats (two parts) carries both.
            found[holder_id].weight += weight
        else:
            found[holder_id] = Elector(poll=poll, member_id=holder_id, weight=weight, seat_id=seat_id)
    return list(found.values())


def _part_key(constituency_id: int | None, child_id: int | None) -> tuple[str, int]:
    if constituency_id is not None:
        return ("c", constituency_id)
    return ("k", int(child_id or 0))


def _represented(
    council_id: int, seats: list[tuple[int, int, int | None, int | None]], moment: datetime
) -> dict[tuple[str, int], int]:
    """Each part's weight per deputy: the members it has (a constituency's current members, a child
    council's members as its seat allocation counted them) divided among the seats held for it,
    rounded to the nearest whole vote (at least 1)."""
    held: dict[tuple[str, int], int] = {}
    for _seat, _holder, constituency_id, child_id in seats:
        key = _part_key(constituency_id, child_id)
        held[key] = held.get(key, 0) + 1
    sizes: dict[tuple[str, int], int] = {}
    constituency_ids = [k[1] for k in held if k[0] == "c"]
    for row in (
        Member.objects.filter(constituency_id__in=constituency_ids, left_at__isnull=True)
        .values("constituency_id")
        .annotate(n=Count("pk"))
    ):
        sizes[("c", row["constituency_id"])] = row["n"]
    child_ids = [k[1] for k in held if k[0] == "k"]
    for child_id, size in SeatAllocation.objects.filter(
        open_at(moment), council_id=council_id, child_council_id__in=child_ids
    ).values_list("child_council_id", "size"):
        sizes[("k", child_id)] = size
    return {key: max(1, round(Fraction(sizes.get(key, n), n))) for key, n in held.items()}


def _fix_organization_electorate(poll: Poll, moment: datetime) -> list[tuple[int, int]]:
    """Fix the electorate of a poll of the whole organization in one ``INSERT ... SELECT``: the
    members of every constituency of the organization at ``moment`` (by the same dated rule as a
    constituency's poll), one vote each, and return its ``(member, weight)`` rows.

    A person is counted once: should the data ever hold two current memberships of one user (the
    database allows one), the newest is taken. Members carry no weights: only deputies carry the
    members they represent."""
    chosen = (
        Member.objects.filter(
            constituency__organization_id=poll.organization_id, left_at__isnull=True, joined_at__lte=moment
        )
        .order_by()
        .values("user_id")
        .annotate(newest=Max("pk"))
        .values("newest")
    )
    select, params = chosen.query.sql_with_params()
    with connection.cursor() as cursor:
        # An organization may have 100,000 members: the database copies them, not Python.
        cursor.execute(
            f"INSERT INTO {Elector._meta.db_table} (poll_id, member_id, weight) "
            f"SELECT %s, chosen.newest, 1 FROM ({select}) chosen",
            [poll.pk, *params],
        )
    return list(Elector.objects.filter(poll=poll).values_list("member_id", "weight"))


def electorate_digest(rows: Sequence[tuple[int, int]]) -> str:
    """SHA-256 of the electorate as ``member:weight`` lines in member order: what ``poll.opened``
    records, so that an elector added or reweighed later is caught."""
    lines = "".join(f"{m}:{w}\n" for m, w in sorted(rows))
    return hashlib.sha256(lines.encode()).hexdigest()


@transaction.atomic
def poll_open(*, actor: Actor, poll: Poll, at: datetime | None = None, reason: str = "") -> Poll:
    """Open a draft poll: its electorate is fixed now (one elector row each, with weights), and
    told by mail (those who did not turn ``poll.opened`` off). A secret poll's board starts: its
    setup and its trustees' keys (anchored in the audit event)."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    if poll.electorate_organization:
        require(actor, "voting.manage_organization_poll", poll.organization, NOT_ORGANIZER)
    moment = moment_of(at)
    poll = locked(poll)
    if poll.state != Poll.State.DRAFT:
        raise ValidationError(
            {
                "poll": _("Only a draft poll can be opened; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    if poll.closes_at is not None and poll.closes_at <= moment:
        raise ValidationError(
            {"closes_at": _("The closing time has already passed: change it or cancel the poll.")}
        )
    if poll.electorate_organization:
        rows = _fix_organization_electorate(poll, moment)
    else:
        electors = _electorate_rows(poll, moment)
        Elector.objects.bulk_create(electors, batch_size=2000)
        rows = [(e.member_id, e.weight) for e in electors]
    if not rows:
        raise ValidationError({"electorate": _("The electorate is empty: nobody could vote.")})
    poll.state = Poll.State.OPEN
    poll.opened_at = moment
    if poll.is_secret:
        # The board's setup and trustees' keys, the poll's fingerprint (secret_board's module).
        from councils.voting.services.secret import secret_open

        secret_open(poll)
    poll.save(update_fields=["state", "opened_at", "fingerprint", "board_head", "board_length"])
    event_record(
        organization=poll.organization,
        kind="poll.opened",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "electors": len(rows),
            "weight": sum(w for _m, w in rows),
            "digest": electorate_digest(rows),
            "reason": reason,
            "board_head": poll.board_head,
            "board_length": poll.board_length,
        },
        at=at,
    )
    notifications.poll_opened(poll=poll, actor=actor)
    publish_on_commit(poll_topic(poll))
    return poll
