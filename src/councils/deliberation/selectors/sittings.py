"""Sittings as read by pages, API, projector and minutes: procedure, quorum, agenda, speakers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from councils.accounts.actors import Actor, is_person
from councils.deliberation.models import (
    AgendaItem,
    Credential,
    FactionBudget,
    Presence,
    Procedure,
    Sitting,
    Speech,
)
from councils.federation.models import Council, Faction, Organization, Seat, open_at


def procedure_for(*, council: Council) -> Procedure:
    """The council's rules of debate: its own, else its organization's, else the defaults (one query)."""
    rows = list(
        Procedure.objects.filter(
            Q(council=council) | Q(organization_id=council.organization_id, council__isnull=True)
        )
    )
    own = next((p for p in rows if p.council_id == council.pk), None)
    default = next((p for p in rows if p.council_id is None), None)
    return own or default or Procedure(organization_id=council.organization_id)


def organization_procedure(*, organization: Organization) -> Procedure:
    """The organization's default rules (whether instructions bind), or the built-in defaults."""
    found = Procedure.objects.filter(organization=organization, council__isnull=True).first()
    return found or Procedure(organization=organization)


def sittings(*, organization: Organization, council: Council | None = None) -> QuerySet[Sitting]:
    """The organization's sittings (of one council), newest first, with council, chair and secretary."""
    rows = Sitting.objects.filter(organization=organization).select_related("council", "chair", "secretary")
    if council is not None:
        rows = rows.filter(council=council)
    return rows.order_by("-starts_at", "-pk")


def seat_of(*, user: Actor, council: Council, at: datetime | None = None) -> Seat | None:
    """The seat ``user`` holds in ``council`` now (or at ``at``), if any."""
    if not is_person(user):
        return None
    return (
        Seat.objects.filter(open_at(at or timezone.now()), council=council, holder__user=user)
        .select_related("holder")
        .first()
    )


def councils_decided_by(
    *, user: Actor, councils: QuerySet[Council], organization: Organization
) -> list[Council]:
    """Which of ``councils`` (of ``organization``) may have their decisions recorded by ``user``
    (the rule ``deliberation.decide``): all of them for an organizer, else those with a sitting
    the user chairs or keeps the minutes of. Two queries, however many councils; the councils are
    read only where the user may decide (a motion before a congress has hundreds below it)."""
    import rules

    if rules.has_perm("deliberation.plan_sitting", user, organization):
        return list(councils)
    if not is_person(user):
        return []
    officer_of = Sitting.objects.filter(Q(chair=user) | Q(secretary=user)).values("council_id")
    return list(councils.filter(pk__in=officer_of))


# --- quorum ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """Attendance against the quorum: ``held`` seats count (for a congress: accredited delegate seats
    still held), ``present`` of them are checked in, ``needed`` makes the sitting quorate."""

    held: int
    present: int
    needed: int
    accredited_only: bool

    @property
    def quorate(self) -> bool:
        return self.held > 0 and self.present >= self.needed

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.present)


def quorum_needed(held: int, fraction: object) -> int:
    """Present deputies needed: more than ``fraction`` of ``held`` (a majority for one half)."""
    from decimal import Decimal

    value = Decimal(str(fraction)) * held
    return min(held, int(value) + 1) if held else 1


def quorum(*, sitting: Sitting, at: datetime | None = None, procedure: Procedure | None = None) -> Quorum:
    """The quorum of ``sitting`` from the seats held now (not from logins): two counting queries."""
    moment = at or timezone.now()
    procedure = procedure or procedure_for(council=sitting.council)
    held_seats = Seat.objects.filter(open_at(moment), council_id=sitting.council_id)
    congress = sitting.kind == Sitting.Kind.CONGRESS
    if congress:
        held_seats = held_seats.filter(
            credentials__sitting=sitting, credentials__status=Credential.Status.ACCREDITED
        )
    held = held_seats.count()
    present = Presence.objects.filter(sitting=sitting, present=True, seat__in=held_seats.values("pk")).count()
    return Quorum(
        held=held, present=present, needed=quorum_needed(held, procedure.quorum), accredited_only=congress
    )


# --- agenda and speakers ------------------------------------------------------------------------------


def agenda(*, sitting: Sitting) -> QuerySet[AgendaItem]:
    """The sitting's agenda in order. Items carry their motion's id; an agenda of hundreds of
    motions does not read the motions (one query reads the current item's when it is needed)."""
    return sitting.items.order_by("number")


def used_seconds(item: AgendaItem, now: datetime | None = None) -> int:
    """The time an item has used so far, counting its present run while it is current."""
    if item.state == AgendaItem.State.CURRENT and item.started_at is not None:
        return item.used_seconds + max(0, int(((now or timezone.now()) - item.started_at).total_seconds()))
    return item.used_seconds


@dataclass(frozen=True)
class SpeakerRow:
    """A speech on the list, with the speaker's name and faction, and whether it is their first
    contribution to the sitting."""

    speech: Speech
    name: str
    faction: Faction | None
    first_time: bool

    @property
    def is_point_of_order(self) -> bool:
        return self.speech.kind == Speech.Kind.POINT_OF_ORDER


@dataclass(frozen=True)
class FactionTime:
    """A faction's speaking-time budget on an item and what is left of it."""

    faction: Faction
    budget: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.budget - self.used)


@dataclass(frozen=True)
class Speakers:
    """An item's list of speakers: the current speaker (with the end of their time), those waiting
    in order, those who spoke, and the factions' remaining time."""

    item: AgendaItem
    current: SpeakerRow | None
    waiting: list[SpeakerRow]
    done: list[SpeakerRow]
    budgets: list[FactionTime] = field(default_factory=list)

    @property
    def current_ends_at(self) -> datetime | None:
        if self.current is None or self.current.speech.started_at is None:
            return None
        seconds = self.current.speech.allotted_seconds
        if seconds is None:
            return None
        from datetime import timedelta

        return self.current.speech.started_at + timedelta(seconds=seconds)


def waiting_order(rows: list[SpeakerRow], *, first_speakers_first: bool) -> list[SpeakerRow]:
    """Points of order first; then, where the rule says so, first-time speakers; then by position."""
    return sorted(
        rows,
        key=lambda r: (
            not r.is_point_of_order,
            first_speakers_first and not r.first_time and not r.is_point_of_order,
            r.speech.position,
            r.speech.pk,
        ),
    )


def spoken_seconds(speech: Speech, now: datetime) -> int:
    """How long a speech lasted (or has lasted, while it goes on)."""
    if speech.started_at is None:
        return 0
    end = speech.ended_at or now
    return max(0, int((end - speech.started_at).total_seconds()))


def speakers(
    *, item: AgendaItem, procedure: Procedure | None = None, now: datetime | None = None
) -> Speakers:
    """The list of speakers of ``item``: three queries (speeches with speakers, who has spoken in the
    sitting, the factions' budgets)."""
    moment = now or timezone.now()
    procedure = procedure or procedure_for(council=item.sitting.council)
    speeches = list(
        Speech.objects.filter(item=item, withdrawn_at__isnull=True)
        .select_related("member", "faction")
        .order_by("position", "pk")
    )
    # Who has spoken in this sitting before (a speech started on any item): first contributions.
    spoken = set(
        Speech.objects.filter(
            item__sitting_id=item.sitting_id, started_at__isnull=False, kind=Speech.Kind.SPEECH
        )
        .values_list("member_id", flat=True)
        .distinct()
    )
    current = None
    waiting: list[SpeakerRow] = []
    done: list[SpeakerRow] = []
    used_by_faction: dict[int, int] = defaultdict(int)
    for speech in speeches:
        row = SpeakerRow(
            speech=speech,
            name=speech.member.name,
            faction=speech.faction,
            first_time=speech.member_id not in spoken,
        )
        if speech.started_at is None:
            waiting.append(row)
        elif speech.ended_at is None:
            current = row
        else:
            done.append(row)
        if speech.faction_id is not None and speech.kind == Speech.Kind.SPEECH:
            used_by_faction[speech.faction_id] += spoken_seconds(speech, moment)
    done.sort(key=lambda r: (r.speech.started_at, r.speech.pk))
    budgets = [
        FactionTime(faction=b.faction, budget=b.seconds, used=used_by_faction.get(b.faction_id, 0))
        for b in FactionBudget.objects.filter(item=item)
        .select_related("faction")
        .order_by("faction__position")
    ]
    return Speakers(
        item=item,
        current=current,
        waiting=waiting_order(waiting, first_speakers_first=procedure.first_speakers_first),
        done=done,
        budgets=budgets,
    )


@dataclass(frozen=True)
class SittingState:
    """What the projector and the sitting page show live: the quorum, the current item with its
    speakers, and the agenda."""

    sitting: Sitting
    quorum: Quorum
    items: list[AgendaItem]
    current: AgendaItem | None
    speakers: Speakers | None
    procedure: Procedure
    # The poll opened last in the sitting (councils.deliberation.selectors.polls.SittingPollNow).
    poll: Any = None


def sitting_state(*, sitting: Sitting, with_agenda: bool = True) -> SittingState:
    """The live state of a sitting, in a constant number of queries (about ten). Without the agenda
    (``with_agenda`` False: the projector and the live fragment, which show the current item only),
    ``items`` is empty and only the current item is read."""
    from councils.deliberation.selectors.polls import current_poll

    procedure = procedure_for(council=sitting.council)
    if with_agenda:
        items = list(agenda(sitting=sitting))
        current = next((i for i in items if i.pk == sitting.current_item_id), None)
    else:
        items = []
        current = (
            agenda(sitting=sitting).filter(pk=sitting.current_item_id).first()
            if sitting.current_item_id is not None
            else None
        )
    if current is not None:
        current.sitting = sitting
    return SittingState(
        sitting=sitting,
        quorum=quorum(sitting=sitting, procedure=procedure),
        items=items,
        current=current,
        speakers=speakers(item=current, procedure=procedure) if current is not None else None,
        procedure=procedure,
        poll=current_poll(sitting=sitting),
    )
