"""The chair's actions by the JSON API, as the sitting page offers them: attendance, opening, the
agenda, the list of speakers, a vote counted in the hall, closing; refused to a deputy."""

from __future__ import annotations

from councils.audit.models import Event
from councils.deliberation import services
from councils.deliberation.models import Amendment, Motion, Sitting, Speech
from tests.deliberation.conftest import Hall, api_client, post_json


def _base(hall: Hall) -> str:
    return f"/api/organizations/{hall.organization.slug}/sittings/{hall.sitting.pk}"


def test_the_chair_runs_a_sitting_by_api(hall):
    motion = services.motion_submit(
        actor=hall.user(0), council=hall.council, title="Peace", text="Peace.\nLand."
    )
    amendment = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Land to the peasants."
    )
    chair, base = api_client(hall.chair), _base(hall)
    state = post_json(
        chair, f"{base}/attendance/record", {"seats": [s.pk for s in hall.seats], "present": True}
    ).json()
    assert state["quorum"]["present"] == 5
    assert post_json(chair, f"{base}/open").json()["sitting"]["state"] == "open"
    state = post_json(
        chair, f"{base}/agenda", {"kind": "motion", "motion": motion.pk, "planned_seconds": 600}
    ).json()
    item = state["agenda"][0]
    assert item["title"] == "Peace" and item["motion"] == motion.pk
    state = post_json(chair, f"{base}/agenda/{item['id']}/start").json()
    assert state["current_item"] == item["id"]

    first = services.speech_request(actor=hall.user(2), item=hall.sitting.items.get())
    second = services.speech_request(actor=hall.user(3), item=hall.sitting.items.get())
    state = post_json(chair, f"{base}/speakers/{second.pk}/move", {"place": 0}).json()
    assert [w["speech"] for w in state["waiting"]] == [second.pk, first.pk]
    state = post_json(chair, f"{base}/speakers/next").json()
    assert state["current_speaker"]["speech"] == second.pk
    state = post_json(chair, f"{base}/speakers/end").json()
    assert state["current_speaker"] is None
    post_json(chair, f"{base}/speakers/{first.pk}/withdraw")
    assert Speech.objects.get(pk=first.pk).withdrawn_at is not None
    post_json(chair, f"{base}/speakers/close", {"closed": True})
    assert hall.sitting.items.get().speakers_closed

    response = post_json(chair, f"{base}/decisions", {"amendment": amendment.pk, "yes": 4, "no": 1})
    assert response.status_code == 201 and response.json()["adopted"] is True
    response = post_json(chair, f"{base}/decisions", {"motion": motion.pk, "yes": 5, "no": 0})
    assert response.status_code == 201
    assert Amendment.objects.get(pk=amendment.pk).state == "adopted"
    assert Motion.objects.get(pk=motion.pk).adopted_text == "Peace.\nLand to the peasants."
    state = post_json(chair, f"{base}/agenda/{item['id']}/finish", {"outcome": "Adopted."}).json()
    assert state["current_item"] is None
    assert post_json(chair, f"{base}/close").json()["sitting"]["state"] == "closed"
    assert Event.objects.filter(kind="decision.recorded").count() == 2


def test_a_deputy_cannot_use_the_chairs_api(hall):
    deputy, base = api_client(hall.user(0)), _base(hall)
    for url, data in (
        (f"{base}/attendance/record", {"seats": [hall.seats[1].pk], "present": True}),
        (f"{base}/open", None),
        (f"{base}/agenda", {"kind": "report", "title": "Report"}),
        (f"{base}/close", None),
    ):
        assert post_json(deputy, url, data).status_code == 403, url
    hall.sitting.refresh_from_db()
    assert hall.sitting.state == Sitting.State.PLANNED and not hall.sitting.items.exists()
    assert not Event.objects.filter(kind="attendance.recorded").exists()


def test_bad_input_to_the_chairs_api_names_the_field_and_changes_nothing(hall):
    chair, base = api_client(hall.chair), _base(hall)
    response = post_json(chair, f"{base}/attendance/record", {"seats": [987654321], "present": True})
    assert response.status_code == 400 and "987654321" in response.json()["errors"]["seats"][0]
    response = post_json(chair, f"{base}/decisions", {"yes": 1, "no": 0})
    assert response.status_code == 400 and "motion" in response.json()["errors"]
    response = post_json(chair, f"{base}/speakers/next")
    assert response.status_code == 400 and "item" in response.json()["errors"]
    response = post_json(chair, f"{base}/open")  # nobody is present: not quorate
    assert response.status_code == 400 and "not quorate" in response.json()["errors"]["sitting"][0]
    response = post_json(chair, f"{base}/agenda", {"kind": "party", "title": "x"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert not hall.sitting.items.exists() and not Event.objects.filter(kind="attendance.recorded").exists()
