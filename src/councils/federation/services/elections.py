"""Elections of deputies and delegates: opening one and declaring who was elected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import (
    MAX_ELECTION_SEATS,
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Seat,
)
from councils.federation.parts import Part, part_label
from councils.federation.services._common import (
    NOT_RETURNING_OFFICER,
    allocated_at,
    moment_of,
    open_election,
    require,
)
from councils.federation.services.mandates import (
    Cascade,
    affiliation_change,
    end_seat,
    seat_start,
    term_start,
)
from councils.live.publish import publish_on_commit
from councils.live.topics import lineage_topics, seat_topics


def _part_of(council: Council, constituency: Constituency | None, child_council: Council | None) -> Part:
    """The part of ``council`` named by a constituency or a child council, checked."""
    if (constituency is None) == (child_council is None):
        raise ValidationError(_("Name either a constituency or a child council."))
    if constituency is not None and constituency.council_id != council.pk:
        raise ValidationError(
            {
                "constituency": _("%(c)s does not elect deputies to %(council)s.")
                % {"c": constituency.name, "council": council.name}
            }
        )
    if child_council is not None and child_council.parent_id != council.pk:
        raise ValidationError(
            {
                "child_council": _("%(c)s is not a child council of %(council)s.")
                % {"c": child_council.name, "council": council.name}
            }
        )
    return Part.from_objects(constituency, child_council)


@transaction.atomic
def election_open(
    *,
    actor: Actor,
    council: Council,
    constituency: Constituency | None = None,
    child_council: Council | None = None,
    kind: str = Election.Kind.REGULAR,
    seats: int | None = None,
    at: datetime | None = None,
) -> Election:
    """Open an election for one part of a council.

    ``seats`` defaults to the part's allocation (regular) or its vacancies (by-election).
    """
    require(actor, "federation.declare_election", council, NOT_RETURNING_OFFICER)
    moment = moment_of(at)
    if kind not in Election.Kind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind of election %(kind)r: choose %(allowed)s.")
                % {"kind": kind, "allowed": ", ".join(Election.Kind.values)}
            }
        )
    part = _part_of(council, constituency, child_council)
    if seats is not None and (isinstance(seats, bool) or not isinstance(seats, int)):
        raise ValidationError({"seats": _("The seats to fill must be a whole number.")})
    allocated = allocated_at(council.pk, part, moment)
    if allocated is None:
        if seats is None:
            raise ValidationError(
                {"seats": _("The part has no seats allocated yet: apportion the council first.")}
            )
        most = MAX_ELECTION_SEATS
    elif kind == Election.Kind.BY_ELECTION:
        held = Seat.objects.filter(council=council, end__isnull=True, **part.ids()).count()
        most = allocated - held
        if most < 1:
            raise ValidationError({"seats": _("No seat of this part is vacant.")})
    else:
        most = allocated
    if seats is None:
        seats = most
    if seats < 1:
        raise ValidationError({"seats": _("An election fills at least one seat.")})
    if seats > most:
        if allocated is None:
            message = _("An election fills at most %(most)s seats.") % {"most": f"{most:,}"}
        elif kind == Election.Kind.BY_ELECTION:
            message = _(
                "This part has %(vacant)d vacant seats (of %(allocated)d): "
                "a by-election fills at most that many."
            ) % {"vacant": most, "allocated": allocated}
        else:
            message = _("This part has %(allocated)d seats: an election fills at most that many.") % {
                "allocated": allocated
            }
        raise ValidationError({"seats": message})
    election = open_election(council=council, part=part, kind=kind, seats=seats, at=moment)
    event_record(
        organization=council.organization,
        kind="election.opened",
        actor=actor,
        target=election,
        data={"seats": seats, "kind": kind, "council_name": council.name, "part_name": part_label(election)},
        at=at,
    )
    publish_on_commit(seat_topics([election]))
    return election


@transaction.atomic
def election_declare(
    *,
    actor: Actor,
    election: Election,
    elected: Sequence[tuple[Member, Faction | None]],
    at: datetime | None = None,
) -> list[Seat]:
    """Record who was elected; their seats start at ``at``.

    For a constituency, the elected must be its members. For a child council, each elected must
    hold an open seat there: the new delegate seat derives from it (and the faction defaults to
    theirs below). A regular election ends the part's previous seats ("term"); a re-elected
    deputy's delegate seats above continue from the new seat, the others' end.
    """
    require(actor, "federation.declare_election", election, NOT_RETURNING_OFFICER)
    moment = moment_of(at)
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("council", "constituency")
        .get(pk=election.pk)
    )
    if election.status != Election.Status.OPEN:
        raise ValidationError(
            {
                "election": _("This election is %(status)s, not open.")
                % {"status": election.get_status_display()}
            }
        )
    if moment < election.opened_at:
        raise ValidationError({"at": _("An election cannot be declared before it opened.")})
    if not elected:
        raise ValidationError({"elected": _("Name at least one elected deputy.")})
    if len(elected) > election.seats:
        raise ValidationError(
            {
                "elected": ngettext(
                    "This election fills %(n)d seat; %(m)d were named.",
                    "This election fills %(n)d seats; %(m)d were named.",
                    election.seats,
                )
                % {"n": election.seats, "m": len(elected)}
            }
        )
    members = [m for m, _f in elected]
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"elected": _("A deputy is named twice.")})
    council = election.council
    part = Part.of(election)
    below: dict[int, Seat] = {}
    for member, faction in elected:
        if member.organization_id != council.organization_id or member.left_at is not None:
            raise ValidationError(
                {"elected": _("%(m)s is not a member of this organization.") % {"m": member}}
            )
        if faction is not None and faction.organization_id != council.organization_id:
            raise ValidationError(
                {"elected": _("%(f)s is a faction of another organization.") % {"f": faction}}
            )
        if election.constituency_id is not None and member.constituency_id != election.constituency_id:
            raise ValidationError(
                {"elected": _("%(m)s is not a member of %(c)s.") % {"m": member, "c": election.constituency}}
            )
        if election.child_council_id is not None:
            seat_below = Seat.objects.filter(
                council_id=election.child_council_id, holder=member, end__isnull=True
            ).first()
            if seat_below is None:
                raise ValidationError(
                    {
                        "elected": _("%(m)s holds no seat in %(c)s, so cannot be its delegate.")
                        % {"m": member, "c": election.child_council}
                    }
                )
            below[member.pk] = seat_below
    cascade = Cascade()
    # A regular election renews the mandates of the re-elected (same seat, a new term) and ends the
    # others' ("term"); a by-election fills vacancies beside the sitting deputies.
    renewed: dict[int, Seat] = {}
    if election.kind == Election.Kind.REGULAR:
        elected_ids = {m.pk for m in members}
        for old in Seat.objects.select_for_update().filter(council=council, end__isnull=True, **part.ids()):
            same_below = old.derives_from_id == (below[old.holder_id].pk if old.holder_id in below else None)
            if old.holder_id in elected_ids and same_below:
                renewed[old.holder_id] = old
            else:
                end_seat(old, at=moment, reason=Seat.EndReason.TERM, cascade=cascade, open_by_election=False)
    open_here = list(
        Seat.objects.filter(council=council, end__isnull=True, **part.ids()).values_list(
            "slot", "holder_id", "derives_from_id"
        )
    )
    sitting = {holder for _slot, holder, _below in open_here}
    sent = {seat_below for _slot, _holder, seat_below in open_here if seat_below is not None}
    for member in members:
        if member.pk in renewed:
            continue
        if member.pk in sitting or (member.pk in below and below[member.pk].pk in sent):
            raise ValidationError(
                {
                    "elected": _("%(m)s already holds a seat for %(part)s in %(council)s.")
                    % {"m": member.name, "part": part_label(election), "council": council.name}
                }
            )
    taken = {slot for slot, _holder, _below in open_here}
    allocated = allocated_at(council.pk, part, moment)
    capacity = max(allocated or 0, election.seats if allocated is None else 0)
    vacant = [s for s in range(1, capacity + 1) if s not in taken]
    if len(vacant) < len(elected) - len(renewed):
        raise ValidationError(
            {
                "elected": ngettext(
                    "Only %(n)d seat of this part is vacant.",
                    "Only %(n)d seats of this part are vacant.",
                    len(vacant),
                )
                % {"n": len(vacant)}
            }
        )
    free = iter(vacant)
    seats: list[Seat] = []
    for member, faction in elected:
        seat_below = below.get(member.pk)
        if seat_below is not None and faction is None:
            faction = seat_below.faction
        seat = renewed.get(member.pk)
        if seat is not None:
            affiliation_change(seat, faction=faction, at=moment)
            term_start(seat=seat, council=council, election=election, at=moment)
        else:
            section = (
                seat_below.section
                if seat_below is not None
                else (election.constituency.section if election.constituency else "")
            )
            seat = seat_start(
                council=council,
                part=part,
                slot=next(free),
                holder=member,
                faction=faction,
                section=section,
                at=moment,
                election=election,
                derives_from=seat_below,
            )
        seats.append(seat)
    election.status = Election.Status.DECLARED
    election.declared_at = moment
    election.save(update_fields=["status", "declared_at"])
    event_record(
        organization=council.organization,
        kind="election.declared",
        actor=actor,
        target=election,
        data={
            "kind": election.kind,
            "council_name": council.name,
            "part_name": part_label(election),
            "elected": [
                {
                    "member": s.holder_id,
                    "faction": s.faction_id,
                    "seat": s.pk,
                    "slot": s.slot,
                    "renewed": s.holder_id in renewed,
                    "name": s.holder.name,
                }
                for s in seats
            ],
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(seat_topics([election, *seats, *cascade.ended]), lineage_topics(council))
    return seats
