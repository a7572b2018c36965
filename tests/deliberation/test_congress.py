"""The congress: convened with seats apportioned among child councils, credentials checked, opened
on a quorum of accredited delegates, and a walkout that changes the quorum."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.deliberation import selectors, services
from councils.deliberation.models import Credential, Sitting
from councils.federation.models import Council, Officer, Seat, SeatAllocation
from councils.federation.services import seat_resign
from tests.deliberation.conftest import delegate_seat
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatFactory,
)


@pytest.fixture
def congress(db):
    organization = OrganizationFactory()
    top = CouncilFactory(organization=organization, name="All-Russian Congress", members_per_seat=2)
    children = []
    for size in (6, 4):
        child = CouncilFactory(organization=organization, parent=top)
        constituency = ConstituencyFactory(council=child)
        MemberFactory.create_batch(size, constituency=constituency)
        children.append(child)
    organizer = OfficerFactory(organization=organization, role=Officer.Role.ORGANIZER).user
    return organization, top, children, organizer


def _delegates(top: Council, child: Council, n: int) -> list[Seat]:
    return [
        delegate_seat(top, SeatFactory(constituency=child.constituencies.first()), slot)
        for slot in range(1, n + 1)
    ]


def test_convening_apportions_seats_among_child_councils(congress):
    _organization, top, children, organizer = congress
    sitting = services.congress_convene(
        actor=organizer, council=top, title="Second Congress", starts_at=timezone.now(), place="Smolny"
    )
    assert sitting.kind == Sitting.Kind.CONGRESS
    seats = dict(
        SeatAllocation.objects.filter(council=top, end__isnull=True).values_list("child_council", "seats")
    )
    assert seats == {children[0].pk: 3, children[1].pk: 2}
    assert Event.objects.filter(kind="congress.convened").get().data["seats"] == 5


def test_a_council_without_children_is_no_congress(congress):
    _organization, _top, children, organizer = congress
    with pytest.raises(ValidationError):
        services.congress_convene(
            actor=organizer, council=children[1], title="x", starts_at=timezone.now(), place="y"
        )


def test_credentials_quorum_and_walkout(congress):
    _organization, top, children, organizer = congress
    sitting = services.congress_convene(
        actor=organizer, council=top, title="Second Congress", starts_at=timezone.now(), place="Smolny"
    )
    delegates = _delegates(top, children[0], 3) + _delegates(top, children[1], 2)
    services.attendance_record(actor=organizer, sitting=sitting, seats=delegates, present=True)
    with pytest.raises(ValidationError) as caught:
        services.sitting_open(actor=organizer, sitting=sitting)
    assert "credentials" in str(caught.value)

    # A recalled deputy below loses the delegate seat: the check refuses it.
    services.credentials_check(actor=organizer, sitting=sitting)
    assert Credential.objects.filter(sitting=sitting, status="accredited").count() == 5
    seat_resign(actor=SYSTEM, seat=delegates[4].derives_from)
    services.credentials_check(actor=organizer, sitting=sitting)
    refused = Credential.objects.get(sitting=sitting, seat=delegates[4])
    assert refused.status == Credential.Status.REFUSED

    q = selectors.quorum(sitting=sitting)
    assert (q.held, q.present, q.needed, q.accredited_only) == (4, 4, 3, True)
    services.sitting_open(actor=organizer, sitting=sitting)

    # A walkout: three delegates leave at once; the quorum is lost.
    services.attendance_record(actor=organizer, sitting=sitting, seats=delegates[:3], present=False)
    q = selectors.quorum(sitting=sitting)
    assert (q.present, q.quorate) == (1, False)
    event = Event.objects.filter(kind="attendance.recorded").latest("pk")
    assert len(event.data["checked_out"]) == 3 and event.data["present"] == 1


def test_credentials_only_for_a_congress(congress):
    _organization, _top, children, organizer = congress
    sitting = services.sitting_create(
        actor=organizer, council=children[0], title="x", starts_at=timezone.now(), place="y"
    )
    with pytest.raises(ValidationError):
        services.credentials_check(actor=organizer, sitting=sitting)
