"""Offices end and stay on record: who may act after an organizer or returning officer leaves office."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils.audit.models import Event
from councils.federation import access, services
from councils.federation.errors import NotAllowed
from councils.federation.models import Faction, Officer
from tests.factories import MemberFactory, OfficerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_organizer_whose_office_ends_may_no_longer_change_the_structure_or_see_it():
    org = OrganizationFactory()
    chair = OfficerFactory(organization=org).user
    leaving = OfficerFactory(organization=org)

    services.officer_remove(actor=chair, officer=leaving)

    with pytest.raises(NotAllowed, match=services.NOT_ORGANIZER):
        services.faction_create(actor=leaving.user, organization=org, name="Reds")
    with pytest.raises(NotAllowed):
        access.organization_for(leaving.user, org.slug)
    assert not Faction.objects.filter(organization=org).exists()


def test_the_ended_office_stays_on_record_and_the_person_may_be_appointed_again():
    org = OrganizationFactory()
    chair = OfficerFactory(organization=org).user
    teller = OfficerFactory(organization=org, role=Officer.Role.RETURNING_OFFICER)

    ended = services.officer_remove(actor=chair, officer=teller)
    again = services.officer_appoint(
        actor=chair, organization=org, user=teller.user, role=Officer.Role.RETURNING_OFFICER
    )

    assert ended.ended_at is not None
    assert Officer.objects.filter(organization=org, user=teller.user).count() == 2
    assert list(Officer.objects.current().filter(user=teller.user)) == [again]
    event = Event.objects.filter(kind="officer.removed").get()
    assert event.data["role"] == Officer.Role.RETURNING_OFFICER


def test_a_member_whose_office_ends_still_sees_the_organization_as_a_member():
    member = MemberFactory()
    org = member.organization
    chair = OfficerFactory(organization=org).user
    office = OfficerFactory(organization=org, user=member.user, role=Officer.Role.RETURNING_OFFICER)

    services.officer_remove(actor=chair, officer=office)

    assert access.organization_for(member.user, org.slug) == org


def test_the_last_organizer_cannot_leave_office_and_nothing_changes():
    org = OrganizationFactory()
    only = OfficerFactory(organization=org)
    events = Event.objects.count()

    with pytest.raises(ValidationError, match="no organizer left"):
        services.officer_remove(actor=only.user, officer=only)

    only.refresh_from_db()
    assert only.ended_at is None
    assert Event.objects.count() == events


def test_an_office_ends_once():
    org = OrganizationFactory()
    chair = OfficerFactory(organization=org).user
    teller = OfficerFactory(organization=org, role=Officer.Role.RETURNING_OFFICER)
    services.officer_remove(actor=chair, officer=teller)

    with pytest.raises(ValidationError, match="already ended"):
        services.officer_remove(actor=chair, officer=teller)
    assert Event.objects.filter(kind="officer.removed").count() == 1


def test_only_an_organizer_may_end_an_office():
    org = OrganizationFactory()
    OfficerFactory(organization=org)
    teller = OfficerFactory(organization=org, role=Officer.Role.RETURNING_OFFICER)

    with pytest.raises(NotAllowed, match=services.NOT_ORGANIZER):
        services.officer_remove(actor=teller.user, officer=teller)
    with pytest.raises(NotAllowed):
        services.officer_remove(actor=UserFactory(), officer=teller)


def test_the_admin_ends_an_office_through_the_service(client):
    org = OrganizationFactory()
    chair = OfficerFactory(organization=org, user=UserFactory(is_staff=True))
    teller = OfficerFactory(organization=org, role=Officer.Role.RETURNING_OFFICER)
    client.force_login(chair.user)

    response = client.post(
        reverse("admin:federation_officer_changelist"),
        {"action": "end_office", "_selected_action": [teller.pk, chair.pk]},
        follow=True,
    )

    teller.refresh_from_db()
    chair.refresh_from_db()
    assert teller.ended_at is not None
    # The chair is the last organizer: refused beside its row, the teller's office still ended.
    assert chair.ended_at is None
    assert "no organizer left" in response.content.decode()
