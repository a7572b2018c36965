"""Sittings: planning, attendance and quorum, opening, the agenda, and the list of speakers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import selectors, services
from councils.deliberation.models import AgendaItem, AttendanceRecord, Sitting, Speech
from councils.federation.errors import NotAllowed
from councils.federation.services import seat_resign
from tests.deliberation.conftest import open_sitting


def test_a_sitting_needs_a_place_or_a_video_link(hall):
    with pytest.raises(ValidationError) as caught:
        services.sitting_create(
            actor=hall.organizer, council=hall.council, title="Nowhere", starts_at=timezone.now()
        )
    assert "place" in caught.value.message_dict


def test_only_organizers_plan_sittings(hall):
    with pytest.raises(NotAllowed):
        services.sitting_create(
            actor=hall.user(0), council=hall.council, title="Mine", starts_at=timezone.now(), place="x"
        )


def test_deputies_check_in_and_out_themselves_with_history(hall):
    services.attendance_check(actor=hall.user(0), sitting=hall.sitting)
    services.attendance_check(actor=hall.user(0), sitting=hall.sitting, present=False)
    services.attendance_check(actor=hall.user(0), sitting=hall.sitting)
    records = list(AttendanceRecord.objects.filter(sitting=hall.sitting).order_by("pk"))
    assert [r.present for r in records] == [True, False, True]
    assert all(not r.by_chair for r in records)
    assert selectors.quorum(sitting=hall.sitting).present == 1
    kinds = Event.objects.filter(kind="attendance.recorded").count()
    assert kinds == 3


def test_checking_in_twice_records_nothing_new(hall):
    services.attendance_check(actor=hall.user(1), sitting=hall.sitting)
    services.attendance_check(actor=hall.user(1), sitting=hall.sitting)
    assert AttendanceRecord.objects.filter(sitting=hall.sitting).count() == 1


def test_an_outsider_cannot_check_in(hall):
    with pytest.raises(ValidationError):
        services.attendance_check(actor=hall.outsider, sitting=hall.sitting)


def test_quorum_counts_seats_held_not_logins(hall):
    """Five seats held: more than half is three. A deputy who resigns no longer counts either way."""
    q = selectors.quorum(sitting=hall.sitting)
    assert (q.held, q.present, q.needed, q.quorate) == (5, 0, 3, False)
    services.attendance_record(actor=hall.chair, sitting=hall.sitting, seats=hall.seats[:3], present=True)
    assert selectors.quorum(sitting=hall.sitting).quorate
    seat_resign(actor=SYSTEM, seat=hall.seats[0])
    q = selectors.quorum(sitting=hall.sitting)
    assert (q.held, q.present, q.needed, q.quorate) == (4, 2, 3, False)


def test_a_sitting_opens_only_when_quorate(hall):
    services.attendance_record(actor=hall.chair, sitting=hall.sitting, seats=hall.seats[:2], present=True)
    with pytest.raises(ValidationError) as caught:
        services.sitting_open(actor=hall.chair, sitting=hall.sitting)
    assert "2 of 5 present, 3 needed" in str(caught.value)
    services.attendance_check(actor=hall.user(4), sitting=hall.sitting)
    sitting = services.sitting_open(actor=hall.chair, sitting=hall.sitting)
    assert sitting.state == Sitting.State.OPEN


def test_a_deputy_cannot_record_others_attendance(hall):
    with pytest.raises(NotAllowed):
        services.attendance_record(actor=hall.user(0), sitting=hall.sitting, seats=hall.seats, present=True)


def test_chair_moves_through_the_agenda_and_time_is_used(hall):
    sitting = open_sitting(hall)
    start = timezone.now()
    first = services.agenda_item_add(
        actor=hall.chair, sitting=sitting, kind="report", title="Report", planned_seconds=600
    )
    second = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="Other")
    assert (first.number, second.number) == (1, 2)
    services.agenda_item_start(actor=hall.chair, item=first, at=start)
    services.agenda_item_start(actor=hall.chair, item=second, at=start + timedelta(seconds=90))
    first.refresh_from_db()
    second.refresh_from_db()
    sitting.refresh_from_db()
    assert first.state == AgendaItem.State.DONE and first.used_seconds == 90
    assert second.state == AgendaItem.State.CURRENT and sitting.current_item_id == second.pk


def test_agenda_cannot_move_before_the_sitting_opens(hall):
    item = services.agenda_item_add(actor=hall.chair, sitting=hall.sitting, kind="report", title="Report")
    with pytest.raises(ValidationError):
        services.agenda_item_start(actor=hall.chair, item=item)


@pytest.fixture
def debate(hall):
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    item.refresh_from_db()
    return item


def _waiting_names(item):
    return [r.speech.member_id for r in selectors.speakers(item=item).waiting]


def test_points_of_order_go_first(hall, debate):
    services.speech_request(actor=hall.user(0), item=debate)
    services.speech_request(actor=hall.user(1), item=debate, stance="contra")
    services.speech_request(actor=hall.user(2), item=debate, kind=Speech.Kind.POINT_OF_ORDER)
    holders = [s.holder_id for s in hall.seats]
    assert _waiting_names(debate) == [holders[2], holders[0], holders[1]]


def test_asking_twice_gives_one_place(hall, debate):
    services.speech_request(actor=hall.user(0), item=debate)
    with pytest.raises(ValidationError) as caught:
        services.speech_request(actor=hall.user(0), item=debate)
    assert "already on the list" in str(caught.value)
    assert Speech.objects.filter(item=debate).count() == 1


def test_first_time_speakers_first_where_the_rule_says_so(hall, debate):
    services.procedure_set(actor=hall.organizer, organization=hall.organization, first_speakers_first=True)
    services.speech_request(actor=hall.user(0), item=debate)
    services.speech_start(actor=hall.chair, item=debate)
    services.speech_end(actor=hall.chair, item=debate)
    services.speech_request(actor=hall.user(0), item=debate)  # has spoken
    services.speech_request(actor=hall.user(1), item=debate)  # has not
    holders = [s.holder_id for s in hall.seats]
    assert _waiting_names(debate) == [holders[1], holders[0]]


def test_the_floor_goes_to_the_next_speaker_with_a_countdown(hall, debate):
    services.speech_request(actor=hall.user(0), item=debate)
    services.speech_request(actor=hall.user(1), item=debate)
    first = services.speech_start(actor=hall.chair, item=debate)
    assert first.allotted_seconds == 300
    second = services.speech_start(actor=hall.chair, item=debate)
    first.refresh_from_db()
    assert first.ended_at is not None and second.member_id == hall.seats[1].holder_id
    listing = selectors.speakers(item=debate)
    assert listing.current.speech.pk == second.pk and listing.current_ends_at is not None


def test_a_faction_budget_caps_the_countdown_and_then_refuses(hall, debate):
    services.speaking_time_set(actor=hall.chair, item=debate, faction=hall.reds, seconds=120)
    start = timezone.now()
    services.speech_request(actor=hall.user(0), item=debate)
    speech = services.speech_start(actor=hall.chair, item=debate, at=start)
    assert speech.allotted_seconds == 120
    services.speech_end(actor=hall.chair, item=debate, at=start + timedelta(seconds=125))
    with pytest.raises(ValidationError) as caught:
        services.speech_request(actor=hall.user(2), item=debate)
    assert "Reds" in str(caught.value)
    services.speech_request(actor=hall.user(1), item=debate)  # the Greens have no budget set


def test_a_closed_list_takes_only_points_of_order(hall, debate):
    services.speakers_close(actor=hall.chair, item=debate)
    with pytest.raises(ValidationError):
        services.speech_request(actor=hall.user(0), item=debate)
    services.speech_request(actor=hall.user(0), item=debate, kind=Speech.Kind.POINT_OF_ORDER)


def test_withdraw_and_only_deputies_ask(hall, debate):
    speech = services.speech_request(actor=hall.user(0), item=debate)
    services.speech_withdraw(actor=hall.user(0), speech=speech)
    assert selectors.speakers(item=debate).waiting == []
    with pytest.raises(NotAllowed):
        services.speech_request(actor=hall.outsider, item=debate)
    with pytest.raises(NotAllowed):
        services.speech_start(actor=hall.user(0), item=debate)


def test_closing_a_sitting_stops_everything(hall, debate):
    services.sitting_close(actor=hall.chair, sitting=debate.sitting)
    with pytest.raises(ValidationError):
        services.speech_request(actor=hall.user(0), item=debate)


def test_the_chair_reorders_the_waiting_speakers(hall, debate):
    for i in range(3):
        services.speech_request(actor=hall.user(i), item=debate)
    last = Speech.objects.get(item=debate, member=hall.seats[2].holder)
    services.speech_move(actor=hall.chair, speech=last, place=0)
    holders = [s.holder_id for s in hall.seats]
    assert _waiting_names(debate) == [holders[2], holders[0], holders[1]]
    with pytest.raises(NotAllowed):
        services.speech_move(actor=hall.user(0), speech=last, place=2)
