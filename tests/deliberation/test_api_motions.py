"""A deputy's actions on a motion by the JSON API, as the motion page offers them: support, amend,
withdraw, forward to the council above, instruct the delegates; refusals say why and change nothing."""

from __future__ import annotations

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import services
from councils.deliberation.models import Amendment, Instruction, Motion, MotionSupport
from tests.deliberation.conftest import Hall, api_client, post_json

TEXT = "All power to the soviets.\nPeace without annexations.\nLand to the peasants."


def _url(hall: Hall, motion: Motion) -> str:
    return f"/api/organizations/{hall.organization.slug}/motions/{motion.pk}"


def _motion(hall: Hall) -> Motion:
    return services.motion_submit(actor=hall.user(0), council=hall.council, title="Theses", text=TEXT)


def test_deputies_support_a_motion_and_are_counted(hall):
    motion = _motion(hall)
    response = post_json(api_client(hall.user(1)), f"{_url(hall, motion)}/support")
    assert response.status_code == 200
    assert response.json()["supporters"] == [hall.seats[1].holder.name]
    data = post_json(api_client(hall.user(2)), f"{_url(hall, motion)}/support").json()
    assert sorted(data["supporters"]) == sorted([hall.seats[1].holder.name, hall.seats[2].holder.name])


def test_supporting_twice_or_ones_own_motion_is_refused_with_a_reason(hall):
    motion = _motion(hall)
    deputy = api_client(hall.user(1))
    post_json(deputy, f"{_url(hall, motion)}/support")
    again = post_json(deputy, f"{_url(hall, motion)}/support")
    assert again.status_code == 400
    assert again.json()["errors"]["motion"] == ["You already support this motion."]
    own = post_json(api_client(hall.user(0)), f"{_url(hall, motion)}/support")
    assert own.status_code == 400 and "own motion" in own.json()["errors"]["motion"][0]
    assert MotionSupport.objects.filter(motion=motion).count() == 1


def test_someone_without_a_seat_may_not_support_or_amend(hall):
    motion = _motion(hall)
    chair = api_client(hall.chair)  # a member of the organization, with no seat in the council
    response = post_json(chair, f"{_url(hall, motion)}/support")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a deputy holding a seat in this council may do this."
    response = post_json(
        chair, f"{_url(hall, motion)}/amendments", {"first_line": 1, "last_line": 1, "text": "x"}
    )
    assert response.status_code == 403
    assert not MotionSupport.objects.exists() and not Amendment.objects.exists()
    assert post_json(api_client(hall.outsider), f"{_url(hall, motion)}/support").status_code == 403


def test_a_deputy_proposes_an_amendment_and_it_is_listed(hall):
    motion = _motion(hall)
    response = post_json(
        api_client(hall.user(1)),
        f"{_url(hall, motion)}/amendments",
        {"first_line": 3, "last_line": 3, "text": "Land to those who till it.", "reason": "Clearer."},
    )
    assert response.status_code == 201
    assert response.json()["number"] == 1 and response.json()["state"] == "submitted"
    listed = api_client(hall.user(2)).get(_url(hall, motion)).json()["amendments"]
    assert [(a["number"], a["first_line"], a["text"]) for a in listed] == [
        (1, 3, "Land to those who till it.")
    ]


def test_an_amendment_outside_the_text_names_the_field_and_changes_nothing(hall):
    motion = _motion(hall)
    deputy = api_client(hall.user(1))
    response = post_json(
        deputy, f"{_url(hall, motion)}/amendments", {"first_line": 4, "last_line": 4, "text": "x"}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["first_line"] == ["The motion has lines 1 to 3."]
    response = post_json(deputy, f"{_url(hall, motion)}/amendments", {"first_line": 0, "last_line": 1})
    assert response.status_code == 422
    assert not Amendment.objects.exists() and not Event.objects.filter(kind="amendment.submitted").exists()


def test_only_the_submitter_withdraws_an_amendment(hall):
    motion = _motion(hall)
    amendment = services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=1, last_line=1, text="x"
    )
    url = f"{_url(hall, motion)}/amendments/{amendment.pk}/withdraw"
    refused = post_json(api_client(hall.user(2)), url)
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Only the submitter")
    response = post_json(api_client(hall.user(1)), url)
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    listed = api_client(hall.user(2)).get(_url(hall, motion)).json()["amendments"]
    assert listed[0]["state"] == "withdrawn"


def test_the_submitter_withdraws_a_motion_another_deputy_may_not(hall):
    motion = _motion(hall)
    refused = post_json(api_client(hall.user(1)), f"{_url(hall, motion)}/withdraw")
    assert refused.status_code == 403
    assert Motion.objects.get(pk=motion.pk).state == Motion.State.SUBMITTED
    response = post_json(api_client(hall.user(0)), f"{_url(hall, motion)}/withdraw")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    late = post_json(api_client(hall.user(1)), f"{_url(hall, motion)}/support")
    assert late.status_code == 400 and late.json()["errors"]["motion"] == ["The motion is already decided."]


def test_an_adopted_motion_is_forwarded_to_the_council_above(hall, federation):
    congress, _delegates = federation
    motion = _motion(hall)
    organizer = api_client(hall.organizer)
    early = post_json(organizer, f"{_url(hall, motion)}/forward")
    assert early.status_code == 400
    assert early.json()["errors"]["motion"] == ["Only an adopted motion can be forwarded."]
    services.decision_record(actor=hall.organizer, motion=motion, yes=4, no=1)
    assert post_json(api_client(hall.user(1)), f"{_url(hall, motion)}/forward").status_code == 403
    response = post_json(organizer, f"{_url(hall, motion)}/forward")
    assert response.status_code == 201
    forwarded = response.json()
    assert forwarded["council"] == congress.name and forwarded["origin"] == motion.pk
    assert forwarded["text"] == TEXT
    origin = api_client(hall.user(1)).get(_url(hall, motion)).json()
    assert origin["state"] == "forwarded" and origin["forwarded_as"] == forwarded["id"]


def test_a_child_council_instructs_its_delegates(hall, federation):
    congress, _delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    url = f"{_url(hall, motion)}/instructions"
    organizer = api_client(hall.organizer)
    data = {"council": hall.council.pk, "position": "no", "yes": 4, "no": 1}
    assert post_json(api_client(hall.user(1)), url, data).status_code == 403
    response = post_json(organizer, url, data)
    assert response.status_code == 201
    body = response.json()
    assert body["adopted"] is True and body["instruction"]["position"] == "no"
    assert body["detail"] == f"{hall.council.name} instructs its delegates: vote no."
    rejected = post_json(organizer, url, {**data, "position": "yes", "yes": 1, "no": 4}).json()
    assert rejected == {
        "adopted": False,
        "instruction": None,
        "detail": f"{hall.council.name} rejected the instruction.",
    }
    in_force = Instruction.objects.get(council=hall.council, motion=motion, ended_at__isnull=True)
    assert in_force.position == Instruction.Position.NO


def test_a_bad_instruction_names_the_field_and_changes_nothing(hall, federation):
    congress, _delegates = federation
    motion = services.motion_submit(
        actor=SYSTEM, council=congress, title="War", text="Continue.", faction=hall.reds
    )
    url = f"{_url(hall, motion)}/instructions"
    organizer = api_client(hall.organizer)
    response = post_json(organizer, url, {"council": hall.council.pk, "position": "maybe", "yes": 4, "no": 1})
    assert response.status_code == 400 and "position" in response.json()["errors"]
    own = _motion(hall)  # a motion of the council itself, not of the council above
    response = post_json(
        organizer,
        f"{_url(hall, own)}/instructions",
        {"council": hall.council.pk, "position": "no", "yes": 4, "no": 1},
    )
    assert response.status_code == 404
    assert not Instruction.objects.exists()
