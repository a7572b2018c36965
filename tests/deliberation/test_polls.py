"""Polls opened in a sitting: the electorate is who is present, amendments are polled before their
motion and the motion follows its poll's result, instructions are adopted by a poll and a binding
one stops a delegate's contrary ballot, and the council's decision (with named votes) is recorded
for the compliance report and the minutes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import selectors, services
from councils.deliberation.models import Amendment, Decision, Motion, SittingPoll
from councils.deliberation.selectors.minutes import minutes as minutes_of
from councils.deliberation.services import polls
from councils.federation.errors import NotAllowed
from councils.voting import services as voting
from councils.voting.models import Elector, Poll
from tests.deliberation.conftest import api_client, open_sitting
from tests.deliberation.test_motions import THESES

YES, NO, ABSTAIN = {"answer": "yes"}, {"answer": "no"}, {"answer": "abstain"}


def _motion(hall):
    return services.motion_submit(actor=hall.user(0), council=hall.council, title="Theses", text=THESES)


def _cast(hall, poll, votes):
    for i, ballot in votes.items():
        voting.ballot_cast(actor=hall.user(i), poll=poll, ballot=ballot)


def test_the_electorate_is_the_deputies_present_when_the_poll_opens(hall):
    sitting = open_sitting(hall, present=3)
    motion = _motion(hall)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    assert poll.state == Poll.State.OPEN
    electors = set(Elector.objects.filter(poll=poll).values_list("seat_id", flat=True))
    assert electors == {s.pk for s in hall.seats[:3]}
    # Checking in after the opening does not add a voter to this poll.
    services.attendance_check(actor=hall.user(4), sitting=sitting, present=True)
    with pytest.raises(NotAllowed):
        voting.ballot_cast(actor=hall.user(4), poll=poll, ballot=YES)
    motion.refresh_from_db()
    assert motion.state == Motion.State.IN_VOTE
    event = Event.objects.filter(kind="sitting.poll_opened").latest("pk")
    assert event.data["electors"] == 3 and event.actor_id == hall.chair.pk


def test_only_the_chair_opens_and_only_in_an_open_sitting(hall):
    motion = _motion(hall)
    with pytest.raises(ValidationError) as caught:
        polls.sitting_poll_open(actor=hall.chair, sitting=hall.sitting, motion=motion)
    assert "sitting is open" in str(caught.value)
    sitting = open_sitting(hall)
    with pytest.raises(NotAllowed):
        polls.sitting_poll_open(actor=hall.user(1), sitting=sitting, motion=motion)
    assert not Poll.objects.exists()


def test_amendments_are_polled_first_and_the_motion_follows_its_poll(hall):
    sitting = open_sitting(hall)
    motion = _motion(hall)
    services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="motion", motion=motion)
    amendment = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Peace now."
    )
    with pytest.raises(ValidationError) as caught:
        polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    assert "voted before the motion" in str(caught.value)
    a_poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, amendment=amendment)
    with pytest.raises(ValidationError):  # one poll at a time on the same amendment
        polls.sitting_poll_open(actor=hall.chair, sitting=sitting, amendment=amendment)
    _cast(hall, a_poll, {0: YES, 1: YES, 2: YES, 3: NO, 4: ABSTAIN})
    a_poll = polls.sitting_poll_close(actor=hall.chair, poll=a_poll)
    assert a_poll.state == Poll.State.PUBLISHED
    amendment.refresh_from_db()
    assert amendment.state == Amendment.State.ADOPTED
    m_poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    _cast(hall, m_poll, {0: YES, 1: YES, 2: NO, 3: YES})
    polls.sitting_poll_close(actor=hall.chair, poll=m_poll)
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED
    assert motion.adopted_text.splitlines()[1] == "Peace now."
    decision = SittingPoll.objects.get(poll=m_poll).decision
    assert decision is not None and decision.method == Decision.Method.POLL
    assert (decision.yes, decision.no, decision.abstain, decision.adopted) == (3, 1, 0, True)
    named = dict(decision.votes.values_list("seat_id", "choice"))
    assert named == {
        hall.seats[0].pk: "yes",
        hall.seats[1].pk: "yes",
        hall.seats[2].pk: "no",
        hall.seats[3].pk: "yes",
    }
    # The minutes show the poll's decision with each deputy's vote.
    minutes = minutes_of(sitting=sitting)
    decisions = [d for item in minutes.items for d in item.decisions] + minutes.other_decisions
    assert any(len(d.votes) == 4 for d in decisions)


def test_a_motion_the_poll_rejects_is_rejected(hall):
    sitting = open_sitting(hall)
    motion = _motion(hall)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    _cast(hall, poll, {0: YES, 1: NO, 2: NO})
    polls.sitting_poll_close(actor=hall.chair, poll=poll)
    motion.refresh_from_db()
    assert motion.state == Motion.State.REJECTED and motion.adopted_text == ""


def test_the_councils_two_thirds_rule_is_the_polls(hall):
    services.procedure_set(
        actor=hall.organizer, organization=hall.organization, council=hall.council, majority="two_thirds"
    )
    sitting = open_sitting(hall)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=_motion(hall))
    assert poll.majority == Poll.Majority.TWO_THIRDS
    _cast(hall, poll, {0: YES, 1: YES, 2: YES, 3: NO, 4: NO})
    poll = polls.sitting_poll_close(actor=hall.chair, poll=poll)
    assert poll.result["adopted"] is False


def _child_sitting_instructs(hall, motion, position, votes):
    sitting = open_sitting(hall)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion, position=position)
    _cast(hall, poll, votes)
    polls.sitting_poll_close(actor=hall.chair, poll=poll)
    return SittingPoll.objects.get(poll=poll)


def _congress_sitting(hall, congress, delegates):
    sitting = services.sitting_create(
        actor=SYSTEM,
        council=congress,
        title="Congress sitting",
        starts_at=hall.sitting.starts_at,
        place="Smolny",
    )
    services.attendance_record(actor=SYSTEM, sitting=sitting, seats=delegates, present=True)
    return services.sitting_open(actor=SYSTEM, sitting=sitting)


def test_a_binding_instruction_adopted_by_poll_stops_a_contrary_ballot(hall, federation):
    congress, delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    link = _child_sitting_instructs(hall, motion, "no", {0: YES, 1: YES, 2: YES, 3: NO})
    instruction = link.decision.instruction
    assert instruction.binding and instruction.position == "no"
    top = _congress_sitting(hall, congress, delegates)
    poll = polls.sitting_poll_open(actor=SYSTEM, sitting=top, motion=motion)
    with pytest.raises(ValidationError) as caught:
        voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES)
    message = str(caught.value)
    assert hall.council.name in message and "vote no" in message
    voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=NO)
    voting.ballot_cast(actor=hall.user(1), poll=poll, ballot=NO)
    # The chair's roll call is checked the same way.
    polls.sitting_poll_close(actor=SYSTEM, poll=poll)
    report = selectors.compliance(motion=motion)
    assert (report.complied, report.departed) == (2, 0)


def test_a_chairs_roll_call_against_a_binding_instruction_is_refused(hall, federation):
    congress, delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    _child_sitting_instructs(hall, motion, "no", {0: YES, 1: YES, 2: YES})
    poll = polls.sitting_poll_open(
        actor=SYSTEM, sitting=_congress_sitting(hall, congress, delegates), motion=motion
    )
    member = delegates[0].holder
    with pytest.raises(ValidationError) as caught:
        voting.poll_roll_call_enter(actor=SYSTEM, poll=poll, votes={member.pk: YES})
    assert "vote no" in str(caught.value) and member.name in str(caught.value)


def test_an_advisory_instruction_lets_the_ballot_through_and_records_the_departure(
    hall,
    federation,
):
    congress, delegates = federation
    services.procedure_set(actor=hall.organizer, organization=hall.organization, instructions_binding=False)
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    _child_sitting_instructs(hall, motion, "no", {0: YES, 1: YES, 2: YES})
    poll = polls.sitting_poll_open(
        actor=SYSTEM, sitting=_congress_sitting(hall, congress, delegates), motion=motion
    )
    voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES)
    voting.ballot_cast(actor=hall.user(1), poll=poll, ballot=NO)
    polls.sitting_poll_close(actor=SYSTEM, poll=poll)
    report = selectors.compliance(motion=motion)
    assert (report.complied, report.departed) == (1, 1)
    assert selectors.seat_compliance(seat=delegates[0])[0].complied is False
    decision = SittingPoll.objects.get(poll=poll).decision
    assert decision.votes.filter(departed_from__isnull=False).count() == 1


def test_an_instruction_rejected_by_poll_is_not_in_force(hall, federation):
    congress, _delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    link = _child_sitting_instructs(hall, motion, "yes", {0: NO, 1: NO, 2: YES})
    assert link.decision is not None and not link.decision.adopted
    assert not motion.instructions.exists()


def test_a_congress_elects_its_executive_by_stv(hall):
    sitting = open_sitting(hall)
    names = ["Lenin", "Trotsky", "Kamenev", "Martov"]
    poll = polls.sitting_poll_open(
        actor=hall.chair,
        sitting=sitting,
        title="Executive",
        method=Poll.Method.SCOTTISH_STV,
        seats=2,
        candidates=names,
    )
    ids = dict(poll.candidates.values_list("name", "pk"))
    rankings = [
        ["Lenin", "Trotsky"],
        ["Lenin", "Kamenev"],
        ["Trotsky", "Lenin"],
        ["Martov"],
        ["Lenin", "Trotsky"],
    ]
    for i, ranking in enumerate(rankings):
        voting.ballot_cast(actor=hall.user(i), poll=poll, ballot={"ranking": [ids[n] for n in ranking]})
    poll = polls.sitting_poll_close(actor=hall.chair, poll=poll)
    assert set(poll.result["elected"]) == {"Lenin", "Trotsky"}
    assert SittingPoll.objects.get(poll=poll).decision is None
    assert len(poll.result["stages"]) >= 1


def test_the_minutes_page_pdf_and_json_show_each_poll_and_named_ballots(client, hall):
    sitting = open_sitting(hall)
    motion = _motion(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="motion", motion=motion)
    services.agenda_item_start(actor=hall.chair, item=item)
    m_poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    _cast(hall, m_poll, {0: YES, 1: NO, 2: YES})
    polls.sitting_poll_close(actor=hall.chair, poll=m_poll)
    e_poll = polls.sitting_poll_open(
        actor=hall.chair,
        sitting=sitting,
        title="Executive",
        method=Poll.Method.SCOTTISH_STV,
        seats=1,
        candidates=["Sverdlov", "Martov"],
    )
    ids = dict(e_poll.candidates.values_list("name", "pk"))
    _cast(
        hall,
        e_poll,
        {
            0: {"ranking": [ids["Sverdlov"], ids["Martov"]]},
            1: {"ranking": [ids["Martov"]]},
            2: {"ranking": [ids["Sverdlov"]]},
        },
    )
    polls.sitting_poll_close(actor=hall.chair, poll=e_poll)
    client.force_login(hall.user(3))
    slug = hall.organization.slug
    page = client.get(reverse("minutes", args=[slug, sitting.pk])).content.decode()
    assert "Executive" in page and "elected: Sverdlov" in page
    assert "Sverdlov &gt; Martov" in page and "3 of 5 present voted" in page
    pdf = client.get(reverse("minutes_pdf", args=[slug, sitting.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Poll: Motion 1: Theses" in text and "adopted: 2 for, 1 against" in text
    assert "elected: Sverdlov" in text and hall.seats[1].holder.name in text
    data = json.loads(client.get(reverse("minutes_json", args=[slug, sitting.pk])).content)
    item_polls = data["items"][0]["polls"]
    assert [p["title"] for p in item_polls] == ["Motion 1: Theses", "Executive"]
    assert len(item_polls[1]["votes"]) == 3
    assert data["items"][0]["decisions"][0]["method"] == "poll"


def test_the_chair_opens_and_ends_a_vote_on_the_sitting_page_and_the_projector_shows_it(client, hall):
    sitting = open_sitting(hall, present=4)
    motion = _motion(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="motion", motion=motion)
    services.agenda_item_start(actor=hall.chair, item=item)
    amendment = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Peace now."
    )
    slug = hall.organization.slug
    client.force_login(hall.chair)
    page = client.get(reverse("sitting", args=[slug, sitting.pk])).content.decode()
    assert "poll-open-button" in page and f"amendment-{amendment.pk}" in page
    action = reverse("sitting_action", args=[slug, sitting.pk, "poll-open"])
    client.post(action, {"subject": f"amendment-{amendment.pk}", "secrecy": "open"})
    poll = Poll.objects.get()
    assert poll.state == Poll.State.OPEN and Elector.objects.filter(poll=poll).count() == 4
    _cast(hall, poll, {0: YES, 1: YES, 2: NO})
    projector = client.get(reverse("projector", args=[slug, sitting.pk])).content.decode()
    assert "sitting-poll" in projector and "3 of 4 electors have voted" in projector
    client.post(reverse("sitting_action", args=[slug, sitting.pk, "poll-close"]))
    amendment.refresh_from_db()
    assert amendment.state == Amendment.State.ADOPTED
    projector = client.get(reverse("projector", args=[slug, sitting.pk])).content.decode()
    assert "adopted: 2 for, 1 against" in projector and "3 of 4 present voted" in projector
    # A deputy cannot open a vote.
    client.force_login(hall.user(0))
    client.post(action, {"subject": f"motion-{motion.pk}", "secrecy": "open"})
    assert Poll.objects.count() == 1


def test_a_delegates_record_beside_a_recall_petition_on_the_page_and_through_the_api(
    client,
    hall,
    federation,
):
    from councils.federation import services as federation_services

    congress, delegates = federation
    services.procedure_set(actor=hall.organizer, organization=hall.organization, instructions_binding=False)
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    _child_sitting_instructs(hall, motion, "no", {0: YES, 1: YES, 2: YES})
    poll = polls.sitting_poll_open(
        actor=SYSTEM, sitting=_congress_sitting(hall, congress, delegates), motion=motion
    )
    voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES)
    polls.sitting_poll_close(actor=SYSTEM, poll=poll)
    deputy_seat = hall.seats[0]
    record = selectors.delegate_record(seat=deputy_seat)
    assert (record.instructed, record.complied, record.departed) == (1, 0, 1)
    assert selectors.delegate_records(seats=[deputy_seat])[deputy_seat.pk].departed == 1
    federation_services.petition_open(actor=hall.chair, seat=deputy_seat, reason="Voted for the war.")
    slug = hall.organization.slug
    client.force_login(hall.chair)
    page = client.get(reverse("constituency", args=[slug, deputy_seat.constituency.slug])).content.decode()
    assert "0 of 1 named votes" in page
    assert reverse("delegate_record", args=[slug, deputy_seat.pk]) in page
    page = client.get(reverse("delegate_record", args=[slug, deputy_seat.pk])).content.decode()
    assert "War" in page and "no: departed" in page
    rows = client.get(f"/api/organizations/{slug}/seats/{deputy_seat.pk}/compliance").json()
    assert rows[0]["instruction"] == "no" and rows[0]["vote"] == "yes" and rows[0]["complied"] is False
    assert rows[0]["sent_by"] == hall.council.name and rows[0]["council"] == congress.name


def test_the_chair_runs_a_sittings_polls_through_the_api(hall):
    sitting = open_sitting(hall, present=4)
    motion = _motion(hall)
    base = f"/api/organizations/{hall.organization.slug}/sittings/{sitting.pk}/polls"
    refused = api_client(hall.user(0)).post(base, data={"motion": motion.pk}, content_type="application/json")
    assert refused.status_code == 403
    chair = api_client(hall.chair)
    opened = chair.post(base, data={"motion": motion.pk}, content_type="application/json")
    assert opened.status_code == 201, opened.content
    data = opened.json()
    assert data["electors"] == 4 and data["state"] == "open" and data["subject"] == "motion"
    poll = Poll.objects.get(pk=data["poll"])
    _cast(hall, poll, {0: YES, 1: YES, 2: NO})
    closed = chair.post(f"{base}/{poll.pk}/close", content_type="application/json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["outcome"] == "adopted: 2 for, 1 against, 0 abstaining"
    assert closed.json()["decision"] is not None
    election = chair.post(
        base,
        data={"method": "scottish-stv", "seats": 1, "candidates": ["A", "B"], "title": "Chair"},
        content_type="application/json",
    )
    assert election.status_code == 201 and election.json()["subject"] == "election"
    bad = chair.post(
        base,
        data={"method": "scottish-stv", "seats": 3, "candidates": ["A"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
