"""Deliberation's JSON API: a sitting's live state, checking in, asking to speak, a motion and its
compliance report, with the API's error shapes."""

from __future__ import annotations

from councils.deliberation import services
from tests.deliberation.conftest import api_client, open_sitting


def test_a_deputy_checks_in_and_asks_to_speak_by_api(hall):
    sitting = open_sitting(hall, present=3)
    item = services.agenda_item_add(actor=hall.chair, sitting=sitting, kind="report", title="The war")
    services.agenda_item_start(actor=hall.chair, item=item)
    client = api_client(hall.user(4))
    base = f"/api/organizations/{hall.organization.slug}/sittings/{sitting.pk}"
    state = client.get(base).json()
    assert state["quorum"] == {
        "held": 5,
        "present": 3,
        "needed": 3,
        "quorate": True,
        "accredited_only": False,
    }
    assert state["current_item"] == item.pk and state["agenda"][0]["title"] == "The war"
    state = client.post(f"{base}/attendance", {"present": True}, content_type="application/json").json()
    assert state["quorum"]["present"] == 4
    state = client.post(
        f"{base}/speakers", {"kind": "point_of_order"}, content_type="application/json"
    ).json()
    assert state["waiting"][0]["name"] == hall.seats[4].holder.name
    again = client.post(f"{base}/speakers", {"kind": "point_of_order"}, content_type="application/json")
    assert again.status_code == 400 and "item" in again.json()["errors"]


def test_an_outsider_gets_403(hall):
    response = api_client(hall.outsider).get(f"/api/organizations/{hall.organization.slug}/sittings")
    assert response.status_code == 403


def test_motion_and_compliance(hall):
    motion = services.motion_submit(
        actor=hall.user(0), council=hall.council, title="Peace", text="Peace.\nLand."
    )
    services.amendment_submit(actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Bread.")
    client = api_client(hall.user(2))
    data = client.get(f"/api/organizations/{hall.organization.slug}/motions/{motion.pk}").json()
    assert data["title"] == "Peace" and data["amendments"][0]["text"] == "Bread."
    rows = client.get(f"/api/organizations/{hall.organization.slug}/motions/{motion.pk}/compliance").json()
    assert rows == []
