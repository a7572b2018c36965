"""Who may act: the named rules, the explicit system actor, and the one organization access check."""

from __future__ import annotations

import pytest
import rules
from django.http import Http404

from councils.accounts.actors import SYSTEM
from councils.federation import access, services
from councils.federation.errors import NotAllowed, NotSignedIn
from councils.federation.models import Faction
from tests.factories import (
    ConstituencyFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_service_told_no_actor_refuses_instead_of_skipping_its_checks():
    org = OrganizationFactory()
    with pytest.raises(TypeError, match="needs an actor"):
        services.faction_create(actor=None, organization=org, name="Reds")
    assert not Faction.objects.filter(organization=org).exists()


def test_the_system_actor_may_change_structure_but_a_stranger_may_not():
    org = OrganizationFactory()
    services.faction_create(actor=SYSTEM, organization=org, name="Reds")
    with pytest.raises(NotAllowed, match=services.NOT_ORGANIZER):
        services.faction_create(actor=UserFactory(), organization=org, name="Blues")
    assert list(Faction.objects.filter(organization=org).values_list("name", flat=True)) == ["Reds"]


def test_an_inactive_organizer_is_refused():
    org = OrganizationFactory()
    organizer = UserFactory(is_active=False)
    OfficerFactory(organization=org, user=organizer)
    with pytest.raises(NotAllowed):
        services.faction_create(actor=organizer, organization=org, name="Reds")


def test_a_deputy_may_resign_their_own_seat_but_not_another_deputys():
    seat = SeatFactory()
    other = MemberFactory(organization=seat.organization, constituency=seat.constituency)
    assert rules.has_perm("federation.resign_seat", seat.holder.user, seat)
    assert not rules.has_perm("federation.resign_seat", other.user, seat)
    with pytest.raises(NotAllowed, match=services.NOT_HOLDER):
        services.seat_resign(actor=other.user, seat=seat)
    seat.refresh_from_db()
    assert seat.end is None


def test_only_constituents_may_sign_and_the_system_may_not():
    constituency = ConstituencyFactory()
    constituent = MemberFactory(organization=constituency.organization, constituency=constituency)
    elsewhere = MemberFactory(organization=constituency.organization)
    assert rules.has_perm("federation.sign_petition", constituent.user, constituency)
    assert not rules.has_perm("federation.sign_petition", elsewhere.user, constituency)
    assert not rules.has_perm("federation.sign_petition", SYSTEM, constituency)


def test_one_access_check_names_what_is_wrong():
    org = OrganizationFactory(name="Petrograd Soviet")
    member = MemberFactory(organization=org)
    officer = OfficerFactory(organization=org).user
    outsider = UserFactory()
    assert access.organization_for(member.user, org.slug) == org
    assert access.organization_for(officer, org.slug) == org
    with pytest.raises(NotAllowed, match="Only members and officers of Petrograd Soviet"):
        access.organization_for(outsider, org.slug)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotSignedIn):
        access.organization_for(AnonymousUser(), org.slug)
    with pytest.raises(Http404):
        access.organization_for(member.user, "no-such-organization")


def test_a_member_who_left_no_longer_sees_the_organization():

    member = services.member_leave(actor=SYSTEM, member=MemberFactory())
    assert list(access.organizations_visible_to(member.user)) == []
    assert not access.may_view(member.user, member.organization)
