"""The pages of deliberation: sittings, the projector, motions, compliance, minutes and exports."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from councils.deliberation import services
from councils.deliberation.models import AttendanceRecord, Motion, Speech
from tests.deliberation.conftest import open_sitting


def _login(client, user):
    client.force_login(user)


def _url(name, hall, *args):
    return reverse(name, args=[hall.organization.slug, *args])


def test_an_outsider_is_refused_and_a_visitor_signs_in(client, hall):
    url = _url("sitting", hall, hall.sitting.pk)
    assert client.get(url).status_code == 302
    _login(client, hall.outsider)
    assert client.get(url).status_code == 403


def test_a_deputy_checks_in_and_asks_to_speak_from_the_page(client, hall):
    sitting = open_sitting(hall, present=3)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    _login(client, hall.user(4))
    page = client.get(_url("sitting", hall, sitting.pk))
    assert "3 of 5 deputies present" in page.content.decode()
    client.post(_url("sitting_action", hall, sitting.pk, "check-in"))
    assert AttendanceRecord.objects.filter(seat=hall.seats[4], present=True).exists()
    client.post(_url("sitting_action", hall, sitting.pk, "speak"), {"kind": "speech", "stance": "pro"})
    speech = Speech.objects.get(item=item)
    assert speech.stance == "pro"
    page = client.get(_url("sitting", hall, sitting.pk)).content.decode()
    assert "4 of 5 deputies present" in page and "Withdraw my request to speak" in page


def test_a_deputy_cannot_use_the_chairs_actions(client, hall):
    _login(client, hall.user(0))
    response = client.post(_url("sitting_action", hall, hall.sitting.pk, "open"), follow=True)
    assert response.status_code == 403


def test_the_projector_shows_the_speaker_and_the_next(client, hall):
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    services.speech_request(actor=hall.user(0), item=item)
    services.speech_request(actor=hall.user(1), item=item)
    services.speech_start(actor=hall.chair, item=item)
    _login(client, hall.user(2))
    page = client.get(_url("projector", hall, sitting.pk)).content.decode()
    assert "Item 1: The war" in page
    assert hall.seats[0].holder.name in page and hall.seats[1].holder.name in page
    assert "data-ends-at" in page


def test_the_chair_moves_the_sitting_from_its_page(client, hall):
    sitting = open_sitting(hall)
    _login(client, hall.chair)
    client.post(
        _url("sitting_action", hall, sitting.pk, "item-add"),
        {"kind": "report", "title": "Report", "planned_minutes": 10},
    )
    item = sitting.items.get()
    client.post(_url("sitting_action", hall, sitting.pk, "item-start"), {"item": item.pk})
    sitting.refresh_from_db()
    assert sitting.current_item_id == item.pk
    client.post(
        _url("sitting_action", hall, sitting.pk, "record-attendance"),
        {"seats": [hall.seats[0].pk, hall.seats[1].pk], "present": "0"},
    )
    page = client.get(_url("sitting", hall, sitting.pk)).content.decode()
    assert "3 of 5 deputies present" in page


@pytest.fixture
def decided(hall):
    sitting = open_sitting(hall)
    motion = services.motion_submit(
        actor=hall.user(0), council=hall.council, title="Peace", text="Peace.\nLand.\nBread."
    )
    amendment = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Land to the peasants."
    )
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="motion", motion=motion)
    services.agenda_item_start(actor=hall.chair, item=item)
    services.speech_request(actor=hall.user(2), item=item, stance="pro")
    services.speech_start(actor=hall.chair, item=item)
    services.speech_end(actor=hall.chair, item=item)
    services.decision_record(actor=hall.chair, sitting=sitting, amendment=amendment, yes=4, no=1)
    services.decision_record(
        actor=hall.chair,
        sitting=sitting,
        motion=motion,
        votes=[(s, "yes") for s in hall.seats[:4]] + [(hall.seats[4], "no")],
    )
    services.sitting_close(actor=hall.chair, sitting=sitting)
    motion.refresh_from_db()
    return sitting, motion


def test_the_motion_page_shows_the_adopted_text_and_the_diff(client, hall, decided):
    _sitting, motion = decided
    _login(client, hall.user(3))
    page = client.get(_url("motion", hall, motion.pk)).content.decode()
    assert motion.state == Motion.State.ADOPTED
    assert "Land to the peasants." in page and "<del>Land.</del>" in page
    assert "removed:" in page  # the diff says it to a screen reader


def test_the_minutes_page_pdf_csv_and_json(client, hall, decided):
    sitting, _motion = decided
    _login(client, hall.user(3))
    page = client.get(_url("minutes", hall, sitting.pk)).content.decode()
    assert "Land to the peasants." in page and hall.seats[2].holder.name in page
    pdf = client.get(_url("minutes_pdf", hall, sitting.pk))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Minutes: First sitting" in text
    assert "Land to the peasants." in text and "4 for, 1 against" in text
    assert hall.seats[4].holder.name in text
    data = json.loads(client.get(_url("minutes_json", hall, sitting.pk)).content)
    assert data["items"][0]["decisions"][1]["adopted"] is True
    assert len(data["items"][0]["decisions"][1]["votes"]) == 5
    csv_text = client.get(_url("minutes_csv", hall, sitting.pk)).content.decode()
    assert csv_text.splitlines()[0].startswith("record,item,title")
    assert csv_text.count("\nvote,") == 5


def test_the_minutes_csv_neutralizes_cells_a_spreadsheet_would_run(client, hall, decided):
    sitting, _motion = decided
    deputy = hall.seats[4].holder
    deputy.name = "=HYPERLINK(1)"
    deputy.save(update_fields=["name"])
    _login(client, hall.user(3))
    csv_text = client.get(_url("minutes_csv", hall, sitting.pk)).content.decode()
    assert "'=HYPERLINK(1)" in csv_text
    assert ",=HYPERLINK" not in csv_text


def test_submit_a_motion_and_amend_it_from_the_pages(client, hall):
    _login(client, hall.user(0))
    response = client.post(
        _url("motions", hall),
        {"council": hall.council.pk, "kind": "resolution", "title": "Bread", "text": "Bread.\nNow."},
    )
    motion = Motion.objects.get()
    assert response.status_code == 302
    _login(client, hall.user(1))
    client.post(
        _url("motion_action", hall, motion.pk, "amend"), {"first_line": 2, "last_line": 2, "text": "Today."}
    )
    client.post(_url("motion_action", hall, motion.pk, "support"))
    assert motion.amendments.count() == 1 and motion.supports.count() == 1
    response = client.post(
        _url("motion_action", hall, motion.pk, "amend"),
        {"first_line": 5, "last_line": 6, "text": "x"},
        follow=True,
    )
    assert "The motion has lines 1 to 2." in response.content.decode()


def test_the_attendance_page_and_its_history(client, hall):
    services.attendance_check(actor=hall.user(0), sitting=hall.sitting)
    services.attendance_check(actor=hall.user(0), sitting=hall.sitting, present=False)
    _login(client, hall.chair)
    page = client.get(_url("sitting_attendance", hall, hall.sitting.pk)).content.decode()
    assert "0 of 5 present" in page and "checked out" in page and "Record attendance" in page
    _login(client, hall.user(1))
    page = client.get(_url("sitting_attendance", hall, hall.sitting.pk)).content.decode()
    assert "Record attendance" not in page


def test_the_compliance_page(client, hall):
    _login(client, hall.user(0))
    motion = services.motion_submit(actor=hall.user(0), council=hall.council, title="Peace", text="Peace.")
    page = client.get(_url("compliance", hall, motion.pk)).content.decode()
    assert "No named vote" in page


def test_the_admin_shows_the_record_read_only(client, hall):
    hall.organizer.is_staff = True
    hall.organizer.save()
    client.force_login(hall.organizer)
    for model in ("sitting", "motion", "attendancerecord", "decision", "instruction", "speech"):
        assert client.get(f"/admin/deliberation/{model}/").status_code == 200, model
    assert client.get(f"/admin/deliberation/sitting/{hall.sitting.pk}/change/").status_code == 200
    assert client.get("/admin/deliberation/sitting/add/").status_code == 403


def test_the_chair_moves_a_speaker_up_from_the_page(client, hall):
    sitting = open_sitting(hall)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    services.speech_request(actor=hall.user(0), item=item)
    second = services.speech_request(actor=hall.user(1), item=item)
    _login(client, hall.chair)
    page = client.get(_url("sitting", hall, sitting.pk)).content.decode()
    assert 'name="place" value="0"' in page  # the second speaker's "up" button
    client.post(_url("sitting_action", hall, sitting.pk, "move-speaker"), {"speech": second.pk, "place": "0"})
    from councils.deliberation import selectors

    assert selectors.speakers(item=item).waiting[0].speech.pk == second.pk
