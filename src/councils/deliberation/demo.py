"""The deliberation of 1917 in the demonstration, through the services, at past dates.

- 20 October: the Petrograd Soviet sits as the all-city conference, adopts the "Theses for the
  Petrograd All-City Conference", forwards them to the Congress, and gives its delegates a binding
  mandate to vote for them there.
- 25-26 October: the Second Congress of Soviets. Credentials are checked, the delegates check in,
  the congress opens; the agenda: the theses from Petrograd, the Decree on Peace (with a Left SR
  amendment), the Decree on Land, the election of the executive. Speakers ask for the floor, one
  with a point of order; the Mensheviks and the SRs walk out and the quorum shows it; the theses are
  adopted by a roll call that the compliance report checks against Petrograd's mandate; the minutes
  are there to read.

The votes are polls of the voting app opened in the sittings (their electorate: the deputies
present), entered by the chair as counted in the hall (by hands, or a roll call of named votes):
the Petrograd mandate on the theses, the theses and the Decree on Peace by roll call, the Left SR
amendment by hands, and the Central Executive Committee elected by Scottish STV from the delegates'
ranked ballots. The figures are illustrative, as the rest of the demonstration's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model

from councils.accounts.actors import SYSTEM
from councils.deliberation import services
from councils.deliberation.models import Motion, Speech
from councils.deliberation.selectors import seat_of
from councils.deliberation.services import polls
from councils.federation.models import Council, Faction, Organization, Seat, open_at
from councils.voting import services as voting
from councils.voting.models import Elector, Poll

Moment = Callable[[date, int], datetime]
Log = Callable[[str], None]

THESES = "\n".join(
    [
        "The Petrograd Soviet holds that all power must pass to the soviets of workers', soldiers' and peasants' deputies.",  # noqa: E501 - one line of text
        "An immediate democratic peace without annexations or indemnities must be offered to all the warring peoples.",  # noqa: E501 - one line of text
        "The landlords' estates pass without compensation to the peasants' committees.",
        "Workers' control is established over the production and distribution of goods.",
        "The Congress of Soviets is asked to adopt these theses as its own.",
    ]
)

PEACE = "\n".join(
    [
        "The workers' and peasants' government proposes to all warring peoples and their governments to start immediate negotiations for a just, democratic peace.",  # noqa: E501 - one line of text
        "Such a peace is an immediate peace without annexations and without indemnities.",
        "The government abolishes secret diplomacy and will publish the secret treaties.",
    ]
)

LAND = "\n".join(
    [
        "Landlord ownership of land is abolished forthwith without any compensation.",
        "The landed estates pass to the disposal of the volost land committees and the uyezd soviets of peasants' deputies until the Constituent Assembly.",  # noqa: E501 - one line of text
    ]
)


def _holders(seats: list[Seat]) -> list[object]:
    return [s.holder.user for s in seats]


def _electors(poll: Poll) -> set[int]:
    return set(Elector.objects.filter(poll=poll).values_list("member_id", flat=True))


def _poll_by_hands(poll: Poll, shares: tuple[int, int], at: datetime) -> None:
    """The chair enters a vote counted by hands: ``shares`` (yes, no) in hundredths of those
    present, the rest abstaining."""
    n = len(_electors(poll))
    yes, no = n * shares[0] // 100, n * shares[1] // 100
    voting.poll_roll_call_enter(
        actor=SYSTEM, poll=poll, totals={"yes": yes, "no": no, "abstain": n - yes - no}, at=at
    )


def _poll_by_roll_call(poll: Poll, votes: list[tuple[Seat, Any]], at: datetime) -> None:
    """The chair enters a roll call: each delegate present's named ballot."""
    electors = _electors(poll)
    ballots = {s.holder_id: ballot for s, ballot in votes if s.holder_id in electors}
    voting.poll_roll_call_enter(actor=SYSTEM, poll=poll, votes=ballots, at=at)


@dataclass(frozen=True)
class Conference:
    """What the all-city conference leaves for the Congress: the motions before it, and its chair."""

    forwarded: Motion
    peace: Motion
    land: Motion
    chair: Any


def load_conference(
    *, organization: Organization, congress: Council, petrograd: Council, on: Moment, log: Log
) -> Conference:
    """The Petrograd all-city conference of 20 October (before the Congress's delegates are sent)."""
    chair = get_user_model().objects.get(username="organizer")
    factions = {f.name: f for f in Faction.objects.filter(organization=organization)}
    bolsheviks = factions["Bolsheviks"]

    # --- the Petrograd all-city conference -------------------------------------------------------
    at = on(date(1917, 10, 18), 10)
    services.procedure_set(
        actor=SYSTEM, organization=organization, first_speakers_first=True, instructions_binding=True
    )
    peace = services.motion_submit(
        actor=SYSTEM, council=congress, title="Decree on Peace", text=PEACE, faction=bolsheviks, at=at
    )
    land = services.motion_submit(
        actor=SYSTEM,
        council=congress,
        title="Decree on Land",
        text=LAND,
        faction=bolsheviks,
        at=on(date(1917, 10, 18), 11),
    )
    conference = services.sitting_create(
        actor=SYSTEM,
        council=petrograd,
        title="Petrograd All-City Conference",
        starts_at=on(date(1917, 10, 20), 18),
        place="Smolny Institute",
        chair=chair,
        at=on(date(1917, 10, 19), 9),
    )
    moment = on(date(1917, 10, 20), 18)
    city_seats = list(Seat.objects.filter(open_at(moment), council=petrograd).select_related("holder__user"))
    present = city_seats[: len(city_seats) * 4 // 5]
    services.attendance_record(actor=chair, sitting=conference, seats=present, present=True, at=moment)
    services.sitting_open(actor=chair, sitting=conference, at=on(date(1917, 10, 20), 18))
    theses = services.motion_submit(
        actor=SYSTEM,
        council=petrograd,
        title="Theses for the Petrograd All-City Conference and Mandate for the Delegates",
        text=THESES,
        kind="thesis",
        faction=bolsheviks,
        at=on(date(1917, 10, 20), 18),
    )
    item = services.agenda_item_add(
        actor=chair,
        sitting=conference,
        kind="motion",
        motion=theses,
        planned_seconds=3600,
        at=on(date(1917, 10, 20), 18),
    )
    services.agenda_item_start(actor=chair, item=item, at=on(date(1917, 10, 20), 18))
    for user in _holders(present[:3]):
        services.speech_request(actor=user, item=item, at=on(date(1917, 10, 20), 18))  # type: ignore[arg-type]
    for _ in range(3):
        services.speech_start(actor=chair, item=item, at=on(date(1917, 10, 20), 19))
    services.speech_end(actor=chair, item=item, at=on(date(1917, 10, 20), 19))
    n = len(present)
    services.decision_record(
        actor=chair,
        sitting=conference,
        motion=theses,
        yes=n * 7 // 10,
        no=n // 5,
        abstain=n - n * 7 // 10 - n // 5,
        at=on(date(1917, 10, 20), 20),
    )
    forwarded = services.motion_forward(actor=chair, motion=theses, at=on(date(1917, 10, 20), 20))
    mandate = services.agenda_item_add(
        actor=chair,
        sitting=conference,
        kind="instruction",
        title="Mandate for the delegates to the Congress",
        at=on(date(1917, 10, 20), 20),
    )
    services.agenda_item_start(actor=chair, item=mandate, at=on(date(1917, 10, 20), 20))
    # The mandate on the theses is voted by a poll of the deputies present, counted by hands.
    mandate_poll = polls.sitting_poll_open(
        actor=chair, sitting=conference, motion=forwarded, position="yes", at=on(date(1917, 10, 20), 20)
    )
    _poll_by_hands(mandate_poll, (70, 20), on(date(1917, 10, 20), 21))
    polls.sitting_poll_close(actor=chair, poll=mandate_poll, at=on(date(1917, 10, 20), 21))
    services.instruction_adopt(
        actor=chair,
        council=petrograd,
        motion=peace,
        position="yes",
        sitting=conference,
        yes=n * 3 // 4,
        no=n // 5,
        abstain=n - n * 3 // 4 - n // 5,
        at=on(date(1917, 10, 20), 21),
    )
    services.sitting_close(actor=chair, sitting=conference, at=on(date(1917, 10, 20), 22))
    log("The Petrograd all-city conference adopted its theses and a binding mandate.")
    return Conference(forwarded=forwarded, peace=peace, land=land, chair=chair)


def load_second_congress(
    *, conference: Conference, congress: Council, petrograd: Council, on: Moment, log: Log
) -> None:
    """The Second Congress of Soviets, 25-26 October (after its delegates are sent)."""
    chair, forwarded, peace, land = conference.chair, conference.forwarded, conference.peace, conference.land
    second = services.congress_convene(
        actor=SYSTEM,
        council=congress,
        title="Second All-Russian Congress of Soviets",
        starts_at=on(date(1917, 10, 25), 20),
        place="Smolny Institute, assembly hall",
        chair=chair,
        at=on(date(1917, 10, 25), 12),
    )
    services.credentials_check(actor=chair, sitting=second, at=on(date(1917, 10, 25), 20))
    moment = on(date(1917, 10, 25), 20)
    delegates = list(
        Seat.objects.filter(open_at(moment), council=congress).select_related("holder__user", "child_council")
    )
    services.attendance_record(actor=chair, sitting=second, seats=delegates, present=True, at=moment)
    services.sitting_open(actor=chair, sitting=second, at=on(date(1917, 10, 25), 22))
    items = {
        "credentials": services.agenda_item_add(
            actor=chair,
            sitting=second,
            kind="report",
            title="Report of the credentials commission",
            planned_seconds=900,
            at=on(date(1917, 10, 25), 22),
        ),
        "theses": services.agenda_item_add(
            actor=chair,
            sitting=second,
            kind="motion",
            motion=forwarded,
            planned_seconds=3600,
            at=on(date(1917, 10, 25), 22),
        ),
        "peace": services.agenda_item_add(
            actor=chair,
            sitting=second,
            kind="motion",
            motion=peace,
            planned_seconds=3600,
            at=on(date(1917, 10, 25), 22),
        ),
        "land": services.agenda_item_add(
            actor=chair,
            sitting=second,
            kind="motion",
            motion=land,
            planned_seconds=3600,
            at=on(date(1917, 10, 25), 22),
        ),
        "executive": services.agenda_item_add(
            actor=chair,
            sitting=second,
            kind="election",
            title="Election of the Central Executive Committee",
            planned_seconds=1800,
            at=on(date(1917, 10, 25), 22),
        ),
    }
    services.agenda_item_start(actor=chair, item=items["credentials"], at=on(date(1917, 10, 25), 22))

    # The walkout: the Mensheviks and the SRs leave the hall together.
    def faction_of(seat: Seat) -> str:
        return seat.faction.name if seat.faction else ""

    leaving = [s for s in delegates if faction_of(s) in ("Mensheviks", "Socialist Revolutionaries")]
    services.agenda_item_start(actor=chair, item=items["theses"], at=on(date(1917, 10, 25), 23))
    speakers = [s for s in delegates if s not in leaving][:4]
    when = on(date(1917, 10, 25), 23)
    for seat in leaving[:2] + speakers:
        if seat_of(user=seat.holder.user, council=congress, at=when) is not None:
            services.speech_request(actor=seat.holder.user, item=items["theses"], at=when)
    if leaving:
        services.speech_request(
            actor=leaving[-1].holder.user, item=items["theses"], kind=Speech.Kind.POINT_OF_ORDER, at=when
        )
    for _ in range(3):
        services.speech_start(actor=chair, item=items["theses"], at=on(date(1917, 10, 25), 23))
    services.attendance_record(
        actor=chair, sitting=second, seats=leaving, present=False, at=on(date(1917, 10, 25), 23)
    )
    log(f"The walkout: {len(leaving)} delegates left the Second Congress.")
    services.speech_start(actor=chair, item=items["theses"], at=on(date(1917, 10, 26), 0))
    services.speech_end(actor=chair, item=items["theses"], at=on(date(1917, 10, 26), 0))
    staying = [s for s in delegates if s not in leaving]
    votes = [
        (
            s,
            "yes"
            if s.child_council_id == petrograd.pk
            or faction_of(s) in ("Bolsheviks", "Left Socialist Revolutionaries")
            else "abstain",
        )
        for s in staying
    ]
    theses_poll = polls.sitting_poll_open(
        actor=chair, sitting=second, motion=forwarded, at=on(date(1917, 10, 26), 0)
    )
    _poll_by_roll_call(theses_poll, [(s, {"answer": v}) for s, v in votes], on(date(1917, 10, 26), 1))
    polls.sitting_poll_close(actor=chair, poll=theses_poll, at=on(date(1917, 10, 26), 1))

    services.agenda_item_start(actor=chair, item=items["peace"], at=on(date(1917, 10, 26), 2))
    left_sr = next((s for s in staying if faction_of(s) == "Left Socialist Revolutionaries"), staying[0])
    amendment = services.amendment_submit(
        actor=left_sr.holder.user,
        motion=peace,
        first_line=3,
        last_line=3,
        text="The government abolishes secret diplomacy and will publish at once the secret treaties concluded before 25 October.",  # noqa: E501 - one line of text
        reason="Publication must begin at once.",
        at=on(date(1917, 10, 26), 2),
    )
    m = len(staying)
    amendment_poll = polls.sitting_poll_open(
        actor=chair, sitting=second, amendment=amendment, at=on(date(1917, 10, 26), 2)
    )
    _poll_by_hands(amendment_poll, (75, 10), on(date(1917, 10, 26), 3))
    polls.sitting_poll_close(actor=chair, poll=amendment_poll, at=on(date(1917, 10, 26), 3))
    peace_votes = [
        (
            s,
            "yes"
            if s.child_council_id == petrograd.pk or faction_of(s) != "Others and non-party"
            else "abstain",
        )
        for s in staying
    ]
    peace_poll = polls.sitting_poll_open(
        actor=chair, sitting=second, motion=peace, at=on(date(1917, 10, 26), 3)
    )
    _poll_by_roll_call(peace_poll, [(s, {"answer": v}) for s, v in peace_votes], on(date(1917, 10, 26), 4))
    polls.sitting_poll_close(actor=chair, poll=peace_poll, at=on(date(1917, 10, 26), 4))
    services.agenda_item_start(actor=chair, item=items["land"], at=on(date(1917, 10, 26), 4))
    services.decision_record(
        actor=chair, sitting=second, motion=land, yes=m - 2, no=0, abstain=2, at=on(date(1917, 10, 26), 5)
    )
    services.agenda_item_start(actor=chair, item=items["executive"], at=on(date(1917, 10, 26), 5))
    elected = _elect_executive(second, staying, chair, faction_of, on)
    services.agenda_item_finish(
        actor=chair,
        item=items["executive"],
        outcome="Elected to the Central Executive Committee by single transferable vote: "
        + ", ".join(elected),
        at=on(date(1917, 10, 26), 6),
    )
    services.sitting_close(actor=chair, sitting=second, at=on(date(1917, 10, 26), 6))
    log("The Second Congress adopted the theses, the Decree on Peace and the Decree on Land.")


EXECUTIVE_SEATS = 7


def _elect_executive(
    sitting: Any, staying: list[Seat], chair: Any, faction_of: Callable[[Seat], str], on: Moment
) -> list[str]:
    """The Central Executive Committee elected by Scottish STV: candidates from the factions that
    stayed, each delegate ranking their own faction's candidates first, then the others."""
    by_faction: dict[str, list[Seat]] = {}
    for seat in staying:
        by_faction.setdefault(faction_of(seat), []).append(seat)
    candidates: list[tuple[str, str]] = []  # (name, faction)
    for faction, seats in sorted(by_faction.items(), key=lambda kv: -len(kv[1])):
        share = max(1, round(EXECUTIVE_SEATS * 1.5 * len(seats) / len(staying)))
        names = sorted({s.holder.name for s in seats})[:share]
        candidates += [(name, faction) for name in names]
    seats_to_fill = min(EXECUTIVE_SEATS, len(candidates))
    poll = polls.sitting_poll_open(
        actor=chair,
        sitting=sitting,
        title="Election of the Central Executive Committee",
        method=Poll.Method.SCOTTISH_STV,
        seats=seats_to_fill,
        candidates=[name for name, _f in candidates],
        at=on(date(1917, 10, 26), 5),
    )
    ids = dict(poll.candidates.values_list("name", "pk"))
    votes = []
    for i, seat in enumerate(staying):
        own = [ids[n] for n, f in candidates if f == faction_of(seat)]
        others = [ids[n] for n, f in candidates if f != faction_of(seat)]
        # Rotate the preferences so that first preferences spread across a faction's list.
        if own:
            own = own[i % len(own) :] + own[: i % len(own)]
        votes.append((seat, {"ranking": own + others[:2]}))
    _poll_by_roll_call(poll, votes, on(date(1917, 10, 26), 5))
    poll = polls.sitting_poll_close(actor=chair, poll=poll, at=on(date(1917, 10, 26), 6))
    return [str(name) for name in (poll.result or {}).get("elected", [])]
