"""Who may do what in deliberation, per role: the organizer, the sitting's chair and secretary, a
deputy of the council, a member who holds no seat there, an outsider, and the system."""

from __future__ import annotations

import pytest
import rules

from councils.accounts.actors import SYSTEM
from councils.deliberation import services
from tests.factories import MemberFactory, UserFactory

PERMISSIONS = [
    # permission, object, roles that hold it
    ("deliberation.plan_sitting", "council", {"organizer", "system"}),
    ("deliberation.set_procedure", "council", {"organizer", "system"}),
    ("deliberation.chair", "sitting", {"organizer", "chair", "secretary", "system"}),
    ("deliberation.speak", "item", {"deputy", "system"}),
    ("deliberation.submit_motion", "council", {"organizer", "deputy", "system"}),
    ("deliberation.support_motion", "motion", {"deputy", "system"}),
    ("deliberation.amend", "motion", {"organizer", "deputy", "system"}),
    ("deliberation.withdraw_motion", "motion", {"organizer", "submitter", "system"}),
    ("deliberation.decide", "motion", {"organizer", "chair", "secretary", "system"}),
]


@pytest.fixture
def roles(hall):
    secretary = MemberFactory(constituency=hall.seats[0].constituency).user
    hall.sitting.secretary = secretary
    hall.sitting.save()
    item = services.agenda_item_add(actor=SYSTEM, sitting=hall.sitting, kind="report", title="Report")
    motion = services.motion_submit(actor=hall.user(0), council=hall.council, title="Bread", text="Bread.")
    objects = {"council": hall.council, "sitting": hall.sitting, "item": item, "motion": motion}
    people = {
        "organizer": hall.organizer,
        "chair": hall.chair,
        "secretary": secretary,
        "submitter": hall.user(0),
        "deputy": hall.user(1),
        "member": MemberFactory(constituency=hall.seats[0].constituency).user,
        "outsider": UserFactory(),
        "system": SYSTEM,
    }
    return objects, people


@pytest.mark.parametrize(("permission", "target", "holders"), PERMISSIONS, ids=[p[0] for p in PERMISSIONS])
def test_each_role(roles, permission, target, holders):
    objects, people = roles
    for role, user in people.items():
        # The submitter is a deputy too: they hold what deputies hold.
        expected = role in holders or (role == "submitter" and "deputy" in holders)
        assert rules.has_perm(permission, user, objects[target]) is expected, (permission, role)
