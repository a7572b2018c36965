"""Motions: submission with supporters, amendments voted first, the adopted text and its diff,
forwarding to the parent council, instructions and their compliance in a roll call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import selectors, services, text
from councils.deliberation.models import Amendment, Instruction, Motion, MotionStateChange, RollCallVote
from councils.federation.errors import NotAllowed
from tests.deliberation.conftest import open_sitting
from tests.factories import MemberFactory

THESES = "All power to the soviets.\nPeace without annexations.\nLand to the peasants.\nBread to the cities."


def _motion(hall, **kwargs):
    return services.motion_submit(
        actor=hall.user(0), council=hall.council, title="Theses", text=THESES, **kwargs
    )


def test_a_deputy_submits_and_others_support(hall):
    services.procedure_set(actor=hall.organizer, organization=hall.organization, motion_supporters=2)
    motion = _motion(hall)
    assert motion.number == 1 and motion.state == Motion.State.SUBMITTED
    assert motion.submitter_id == hall.seats[0].holder_id
    with pytest.raises(ValidationError) as caught:
        services.agenda_item_add(actor=hall.chair, sitting=hall.sitting, kind="motion", motion=motion)
    assert "2" in str(caught.value)
    services.motion_support(actor=hall.user(1), motion=motion)
    services.motion_support(actor=hall.user(2), motion=motion)
    with pytest.raises(ValidationError):
        services.motion_support(actor=hall.user(2), motion=motion)
    item = services.agenda_item_add(actor=hall.chair, sitting=hall.sitting, kind="motion", motion=motion)
    motion.refresh_from_db()
    assert item.title == "Theses" and motion.state == Motion.State.ON_AGENDA


def test_an_outsider_cannot_submit_or_support(hall):
    with pytest.raises(NotAllowed):
        services.motion_submit(actor=hall.outsider, council=hall.council, title="x", text="y")
    motion = _motion(hall)
    with pytest.raises(NotAllowed):
        services.motion_support(actor=hall.outsider, motion=motion)


def test_a_faction_motion_only_from_its_deputies(hall):
    motion = _motion(hall, faction=hall.reds)
    assert motion.faction == hall.reds and motion.submitter is None
    with pytest.raises(ValidationError):
        services.motion_submit(
            actor=hall.user(1), council=hall.council, title="x", text="y", faction=hall.reds
        )


def test_markdown_is_rendered_safely():
    html = text.render_markdown("**Peace**\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<strong>Peace</strong>" in html
    # Raw HTML is shown as text, and a javascript: link is not made a link.
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_amendments_are_voted_before_the_motion_and_shape_the_adopted_text(hall):
    sitting = open_sitting(hall)
    motion = _motion(hall)
    services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="motion", motion=motion)
    a1 = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Peace now."
    )
    a2 = services.amendment_submit(actor=hall.user(2), motion=motion, first_line=4, last_line=4, text="")
    with pytest.raises(ValidationError) as caught:
        services.decision_record(actor=hall.chair, sitting=sitting, motion=motion, yes=4, no=1)
    assert "1, 2" in str(caught.value)
    services.decision_record(actor=hall.chair, sitting=sitting, amendment=a1, yes=3, no=2)
    services.decision_record(actor=hall.chair, sitting=sitting, amendment=a2, yes=1, no=4)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.state, a2.state) == (Amendment.State.ADOPTED, Amendment.State.REJECTED)
    services.motion_put_to_vote(actor=hall.chair, motion=motion, sitting=sitting)
    decision = services.decision_record(actor=hall.chair, sitting=sitting, motion=motion, yes=4, no=1)
    motion.refresh_from_db()
    assert decision.adopted and motion.state == Motion.State.ADOPTED
    assert (
        motion.adopted_text
        == "All power to the soviets.\nPeace now.\nLand to the peasants.\nBread to the cities."
    )
    states = list(MotionStateChange.objects.filter(motion=motion).values_list("state", flat=True))
    assert states == ["submitted", "on_agenda", "in_vote", "adopted"]
    diff = text.diff_lines(motion.text, motion.adopted_text)
    assert [(d.op, d.text) for d in diff if d.op != " "] == [
        ("-", "Peace without annexations."),
        ("+", "Peace now."),
    ]
    assert "<del>Peace without annexations.</del>" in text.diff_html(motion.text, motion.adopted_text)


def test_overlapping_adopted_amendments_are_refused(hall):
    motion = _motion(hall)
    a1 = services.amendment_submit(actor=hall.user(1), motion=motion, first_line=1, last_line=2, text="One.")
    a2 = services.amendment_submit(actor=hall.user(2), motion=motion, first_line=2, last_line=3, text="Two.")
    services.decision_record(actor=hall.organizer, amendment=a1, yes=3, no=0)
    with pytest.raises(ValidationError) as caught:
        services.decision_record(actor=hall.organizer, amendment=a2, yes=3, no=0)
    assert "already changed" in str(caught.value)


def test_an_amendment_outside_the_text_is_refused(hall):
    motion = _motion(hall)
    with pytest.raises(ValidationError) as caught:
        services.amendment_submit(actor=hall.user(1), motion=motion, first_line=3, last_line=9, text="x")
    assert "last_line" in caught.value.message_dict


def test_two_thirds_majority(hall):
    services.procedure_set(
        actor=hall.organizer, organization=hall.organization, council=hall.council, majority="two_thirds"
    )
    motion = _motion(hall)
    decision = services.decision_record(actor=hall.organizer, motion=motion, yes=3, no=2)
    assert not decision.adopted


def test_forwarding_keeps_origin_and_shows_the_parents_outcome(hall, federation):
    congress, _delegates = federation
    motion = _motion(hall)
    services.decision_record(actor=hall.organizer, motion=motion, yes=4, no=1)
    forwarded = services.motion_forward(actor=hall.organizer, motion=motion)
    motion.refresh_from_db()
    assert motion.state == Motion.State.FORWARDED
    assert forwarded.council == congress and forwarded.origin == motion and forwarded.text == THESES
    services.decision_record(actor=hall.organizer, motion=forwarded, yes=10, no=3)
    page = selectors.motion_page(motion=motion)
    assert page.forwarded_as == forwarded and page.forwarded_decisions[0].adopted
    assert selectors.motion_page(motion=forwarded).origin_decisions[0].yes == 4


def test_a_forwarded_motions_page_names_its_origin_and_the_childs_page_the_outcome(client, hall, federation):
    motion = _motion(hall)
    services.decision_record(actor=hall.organizer, motion=motion, yes=4, no=1)
    forwarded = services.motion_forward(actor=hall.organizer, motion=motion)
    services.decision_record(actor=hall.organizer, motion=forwarded, yes=10, no=3)
    client.force_login(hall.user(0))
    slug = hall.organization.slug
    page = client.get(f"/o/{slug}/motions/{forwarded.pk}/").content.decode()
    assert f"forwarded by {hall.council.name}" in page and f"/o/{slug}/motions/{motion.pk}/" in page
    assert "Adopted there: 4 for, 1 against, 0 abstaining." in page
    page = client.get(f"/o/{slug}/motions/{motion.pk}/").content.decode()
    assert (
        f"/o/{slug}/motions/{forwarded.pk}/" in page
        and '<strong id="parent-outcome">adopted</strong>' in page
    )


def test_only_adopted_motions_are_forwarded(hall, federation):
    motion = _motion(hall)
    with pytest.raises(ValidationError):
        services.motion_forward(actor=hall.organizer, motion=motion)


def test_a_binding_instruction_stops_a_contrary_named_vote(hall, federation):
    congress, delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    instruction = services.instruction_adopt(
        actor=hall.organizer, council=hall.council, motion=motion, position="no", yes=4, no=1
    )
    assert instruction.binding and instruction.position == Instruction.Position.NO
    with pytest.raises(ValidationError) as caught:
        services.decision_record(
            actor=hall.organizer, motion=motion, votes=[(delegates[0], "yes"), (delegates[1], "no")]
        )
    assert hall.council.name in str(caught.value) and "vote no" in str(caught.value)
    assert not RollCallVote.objects.exists()
    decision = services.decision_record(
        actor=hall.organizer, motion=motion, votes=[(delegates[0], "no"), (delegates[1], "no")]
    )
    assert (decision.yes, decision.no, decision.adopted) == (0, 2, False)
    report = selectors.compliance(motion=motion)
    assert report.complied == 2 and report.departed == 0


def test_an_advisory_instruction_records_the_departure(hall, federation):
    congress, delegates = federation
    services.procedure_set(actor=hall.organizer, organization=hall.organization, instructions_binding=False)
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    services.instruction_adopt(
        actor=hall.organizer, council=hall.council, motion=motion, position="no", yes=3, no=2
    )
    decision = services.decision_record(
        actor=hall.organizer, motion=motion, votes=[(delegates[0], "yes"), (delegates[1], "no")]
    )
    assert decision.votes.filter(departed_from__isnull=False).count() == 1
    report = selectors.compliance(motion=motion)
    assert (report.complied, report.departed) == (1, 1)
    assert selectors.seat_compliance(seat=delegates[0])[0].complied is False
    event = Event.objects.filter(kind="decision.recorded").latest("pk")
    assert event.data["departures"] == 1
    # The constituency sees it beside its deputy.
    records = selectors.delegate_records(seats=[d.derives_from for d in delegates])
    assert (
        records[delegates[0].derives_from_id].departed,
        records[delegates[1].derives_from_id].complied,
    ) == (1, 1)


def test_the_constituency_page_shows_the_delegates_record(hall, federation, client):
    congress, delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    services.instruction_adopt(
        actor=hall.organizer, council=hall.council, motion=motion, position="no", yes=3, no=2
    )
    services.decision_record(
        actor=hall.organizer, motion=motion, votes=[(delegates[0], "no"), (delegates[1], "no")]
    )
    client.force_login(hall.user(3))
    page = client.get(f"/o/{hall.organization.slug}/constituencies/{hall.seats[0].constituency.slug}/")
    assert "1 of 1 named votes" in page.content.decode()


def test_a_later_instruction_supersedes_and_a_rejected_one_changes_nothing(hall, federation):
    congress, _delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    first = services.instruction_adopt(
        actor=hall.organizer, council=hall.council, motion=motion, position="no", yes=3, no=2
    )
    assert (
        services.instruction_adopt(
            actor=hall.organizer, council=hall.council, motion=motion, position="yes", yes=1, no=4
        )
        is None
    )
    second = services.instruction_adopt(
        actor=hall.organizer, council=hall.council, motion=motion, position="abstain", yes=4, no=1
    )
    first.refresh_from_db()
    assert first.ended_at is not None and second.ended_at is None


def test_an_instruction_only_on_the_parents_motions(hall, federation):
    motion = _motion(hall)
    with pytest.raises(ValidationError):
        services.instruction_adopt(
            actor=hall.organizer, council=hall.council, motion=motion, position="no", yes=3, no=2
        )


def test_a_deputy_cannot_record_decisions(hall):
    motion = _motion(hall)
    with pytest.raises(NotAllowed):
        services.decision_record(actor=hall.user(1), motion=motion, yes=3, no=2)


def test_withdraw_by_submitter_only(hall):
    motion = _motion(hall)
    with pytest.raises(NotAllowed):
        services.motion_withdraw(actor=hall.user(1), motion=motion)
    services.motion_withdraw(actor=hall.user(0), motion=motion)
    motion.refresh_from_db()
    assert motion.state == Motion.State.WITHDRAWN


def test_a_non_member_supporter_is_not_a_deputy(hall):
    member = MemberFactory(constituency=hall.seats[0].constituency)
    motion = _motion(hall)
    with pytest.raises(NotAllowed):
        services.motion_support(actor=member.user, motion=motion)
