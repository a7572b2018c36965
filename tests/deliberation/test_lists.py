"""Long lists on deliberation's pages: the sittings and motions a page at a time, and the attendance
form a chair uses for a congress of thousands (filter, check many, record everyone shown)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import selectors, services
from councils.deliberation.models import AttendanceRecord, Motion, Presence, Sitting
from councils.federation.models import Seat
from tests.deliberation.conftest import Hall, delegate_seat
from tests.factories import ConstituencyFactory, CouncilFactory, MemberFactory, SeatFactory


def _url(name: str, hall: Hall, *args: object) -> str:
    return reverse(name, args=[hall.organization.slug, *args])


def test_the_sittings_list_comes_a_page_at_a_time(client, hall):
    for i in range(30):
        services.sitting_create(
            actor=SYSTEM,
            council=hall.council,
            title=f"Sitting {i:02d}",
            starts_at=timezone.now() + timedelta(days=i + 2),
            place="Smolny",
        )
    client.force_login(hall.user(0))
    first = client.get(_url("sittings", hall)).content.decode()
    assert "Sitting 29" in first and "Sitting 05" in first and "Sitting 04" not in first  # newest first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(_url("sittings", hall), {"page": 2}).content.decode()
    assert "Sitting 04" in second and "First sitting" in second and "Sitting 29" not in second
    missing = client.get(_url("sittings", hall), {"page": 3})
    assert missing.status_code == 404 and "There is no page 3 of this list" in missing.content.decode()


def test_the_motions_list_comes_a_page_at_a_time(client, hall):
    for i in range(55):
        services.motion_submit(
            actor=hall.user(i % 5), council=hall.council, title=f"Motion {i:02d}", text="x"
        )
    client.force_login(hall.user(0))
    first = client.get(_url("motions", hall)).content.decode()
    assert "Motion 00" in first and "Motion 49" in first and "Motion 50" not in first
    assert "Page 1 of 2" in first
    second = client.get(_url("motions", hall), {"page": "2"}).content.decode()
    assert "Motion 54" in second and "Motion 49" not in second
    assert client.get(_url("motions", hall), {"page": "x"}).status_code == 404
    assert Motion.objects.count() == 55


@pytest.fixture
def congress(hall: Hall) -> tuple[Hall, Sitting, dict[str, list[Seat]]]:
    """The hall's organization with a congress above two councils, each sending three delegates."""
    top = CouncilFactory(organization=hall.organization, name="Congress")
    delegations: dict[str, list[Seat]] = {}
    for name, people in (
        ("Petrograd Soviet", ["Ivan Lenz", "Olga Marr", "Petr Nov"]),
        ("Moscow Soviet", ["Ilya Rask", "Sofia Tal", "Yuri Uhl"]),
    ):
        child = CouncilFactory(organization=hall.organization, parent=top, name=name)
        constituency = ConstituencyFactory(council=child)
        delegations[name] = [
            delegate_seat(top, SeatFactory(constituency=constituency, holder__name=person), slot)
            for slot, person in enumerate(people, start=1)
        ]
    chair = MemberFactory(constituency=hall.seats[0].constituency).user
    sitting = services.sitting_create(
        actor=SYSTEM, council=top, title="Congress", starts_at=timezone.now(), place="Smolny", chair=chair
    )
    hall.chair = chair
    return hall, sitting, delegations


def test_the_chair_filters_the_delegates_by_council_name_and_presence(client, congress):
    hall, sitting, delegations = congress
    services.attendance_record(
        actor=hall.chair, sitting=sitting, seats=delegations["Moscow Soviet"][:1], present=True
    )
    client.force_login(hall.chair)
    url = _url("sitting_attendance", hall, sitting.pk)
    moscow = delegations["Moscow Soviet"][0].child_council_id
    page = client.get(url, {"council": moscow}).content.decode()
    assert "Ilya Rask" in page and "Sofia Tal" in page and "Ivan Lenz" not in page
    assert "Record all 3 deputies shown" in page
    page = client.get(url, {"q": "olga"}).content.decode()
    assert "Olga Marr" in page and "Petr Nov" not in page
    page = client.get(url, {"state": "present"}).content.decode()
    assert "Ilya Rask" in page and "Sofia Tal" not in page
    page = client.get(url, {"council": "99999999"})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


def test_the_chair_records_the_checked_delegates_in_one_change(client, congress):
    hall, sitting, delegations = congress
    chosen = [delegations["Petrograd Soviet"][0], delegations["Moscow Soviet"][2]]
    client.force_login(hall.chair)
    response = client.post(
        _url("sitting_action", hall, sitting.pk, "record-attendance"),
        {"seats": [s.pk for s in chosen], "present": "1", "scope": "checked", "q": "a"},
    )
    assert response.status_code == 302 and response["Location"].endswith("/attendance/?q=a")
    assert set(Presence.objects.filter(present=True).values_list("seat_id", flat=True)) == {
        s.pk for s in chosen
    }
    event = Event.objects.filter(kind="attendance.recorded").get()
    assert sorted(event.data["checked_in"]) == sorted(s.pk for s in chosen) and event.data["by_chair"]


def test_the_chair_records_everyone_a_filter_shows(client, congress):
    hall, sitting, delegations = congress
    moscow = delegations["Moscow Soviet"][0].child_council_id
    client.force_login(hall.chair)
    client.post(
        _url("sitting_action", hall, sitting.pk, "record-attendance"),
        {"present": "1", "scope": "shown", "council": moscow},
    )
    present = set(Presence.objects.filter(present=True).values_list("seat_id", flat=True))
    assert present == {s.pk for s in delegations["Moscow Soviet"]}
    # A walkout: everyone shown as present, recorded absent at once.
    client.post(
        _url("sitting_action", hall, sitting.pk, "record-attendance"),
        {"present": "0", "scope": "shown", "state": "present"},
    )
    assert not Presence.objects.filter(present=True).exists()
    assert Event.objects.filter(kind="attendance.recorded").count() == 2
    assert selectors.quorum(sitting=sitting).present == 0


def test_bad_attendance_input_says_what_is_wrong_and_changes_nothing(client, congress):
    hall, sitting, _delegations = congress
    client.force_login(hall.chair)
    action = _url("sitting_action", hall, sitting.pk, "record-attendance")
    for data, message in (
        ({"present": "1", "seats": ["12x"]}, "12x is not a seat number."),
        ({"present": "1"}, "Check at least one deputy"),
        ({"present": "1", "seats": [hall.seats[0].pk]}, "are not held in Congress now."),
        ({"present": "1", "seats": ["987654321"]}, "Seats 987654321 are not held in Congress now."),
    ):
        page = client.post(action, data, follow=True).content.decode()
        assert message in page, data
    assert not AttendanceRecord.objects.filter(sitting=sitting).exists()


def test_only_the_chair_records_attendance(client, congress):
    hall, sitting, delegations = congress
    client.force_login(delegations["Petrograd Soviet"][0].holder.user)
    page = client.get(_url("sitting_attendance", hall, sitting.pk)).content.decode()
    assert "Ivan Lenz" in page and 'type="checkbox"' not in page and "Record attendance" not in page
    response = client.post(
        _url("sitting_action", hall, sitting.pk, "record-attendance"),
        {"present": "1", "seats": [delegations["Petrograd Soviet"][1].pk]},
    )
    assert response.status_code == 403
    assert not AttendanceRecord.objects.filter(sitting=sitting).exists()


def test_states_and_speakers_events_read_correctly_in_russian(hall):
    """A motion (предложение, neuter) and an amendment (поправка, feminine) are adopted in different
    words; a change to the list of speakers is a sentence, whatever the speaker's gender."""
    from django.utils import translation

    from councils.deliberation.models import Amendment

    services.attendance_record(actor=hall.chair, sitting=hall.sitting, seats=hall.seats, present=True)
    services.sitting_open(actor=hall.chair, sitting=hall.sitting)
    item = services.agenda_item_add(actor=hall.chair, sitting=hall.sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    services.speech_request(actor=hall.user(0), item=item)
    services.speech_start(actor=hall.chair, item=item)
    motion = services.motion_submit(actor=hall.user(0), council=hall.council, title="Peace", text="Peace.")
    services.motion_withdraw(actor=hall.user(0), motion=motion)
    name = hall.seats[0].holder.name
    with translation.override("ru"):
        assert str(Motion.State.ADOPTED.label) == "принято"
        assert str(Amendment.State.ADOPTED.label) == "принята"
        summaries = [
            e.summary for e in Event.objects.filter(kind__in=["speakers.changed", "motion.state_changed"])
        ]
    assert f"Список ораторов по пункту 1: заявка на слово: {name}" in summaries
    assert f"Список ораторов по пункту 1: слово предоставлено: {name}" in summaries
    assert f"Предложение {motion.number}: снято" in summaries
    with translation.override("en"):
        assert f"List of speakers of item 1: {name} has the floor" in [
            e.summary for e in Event.objects.filter(kind="speakers.changed")
        ]


def test_the_long_lists_escape_what_people_typed(client, hall):
    """The agenda, the amendments and the attendance list are built in Python: every text in them
    is escaped, as a template would."""
    evil = '<script>alert("x")</script>'
    services.attendance_record(actor=hall.chair, sitting=hall.sitting, seats=hall.seats, present=True)
    services.sitting_open(actor=hall.chair, sitting=hall.sitting)
    services.agenda_item_add(actor=hall.chair, sitting=hall.sitting, kind="report", title=f"Report {evil}")
    motion = services.motion_submit(
        actor=hall.user(0), council=hall.council, title="Peace", text=f"Peace {evil}."
    )
    services.amendment_submit(
        actor=hall.user(1),
        motion=motion,
        first_line=1,
        last_line=1,
        text=f"War {evil}\nand more",
        reason=evil,
    )
    member = hall.seats[2].holder
    member.name = f"Vera {evil}"
    member.save()
    client.force_login(hall.chair)
    for url in (
        _url("sitting", hall, hall.sitting.pk),
        _url("motion", hall, motion.pk),
        _url("sitting_attendance", hall, hall.sitting.pk),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url
    page = client.get(_url("motion", hall, motion.pk)).content.decode()
    assert "&lt;/script&gt;<br>and more" in page
