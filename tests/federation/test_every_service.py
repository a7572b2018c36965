"""The rule that holds everywhere: every service writes exactly one audit event of a registered
kind for the change it makes, cascades included."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.kinds import kind_get
from councils.audit.models import Event
from councils.federation import services
from councils.federation.models import Election, Seat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(days=200)


def at(days: float):
    return T0 + timedelta(days=days)


def _public_services() -> set[str]:
    return {
        name
        for name in services.__all__
        if name.islower() and callable(getattr(services, name)) and name != "tick"
    }


def test_every_service_writes_exactly_one_event_of_a_registered_kind():
    called: set[str] = set()

    def run(service: str, /, **kwargs):
        before = Event.objects.count()
        result = getattr(services, service)(**kwargs)
        new = list(Event.objects.order_by("id")[before:])
        assert len(new) == 1, f"{service} wrote {len(new)} events"
        kind_get(new[0].kind)  # registered, or this raises
        called.add(service)
        return result

    admin = UserFactory(is_superuser=True)
    org = run("organization_create", actor=admin, name="Petrograd", at=at(0))
    teller = run(
        "officer_appoint",
        actor=admin,
        organization=org,
        user=UserFactory(),
        role="returning_officer",
        at=at(0),
    )
    reds = run("faction_create", actor=admin, organization=org, name="Reds", at=at(0))
    blues = run("faction_create", actor=admin, organization=org, name="Blues", at=at(0))
    city = run(
        "council_create",
        actor=admin,
        organization=org,
        name="City",
        seat_rule="fixed",
        total_seats=1,
        at=at(0),
    )
    district = run(
        "council_create",
        actor=admin,
        organization=org,
        name="District",
        parent=city,
        members_per_seat=2,
        at=at(0),
    )
    works = run(
        "constituency_create", actor=admin, organization=org, council=district, name="Works", at=at(0)
    )
    yard = run("constituency_create", actor=admin, organization=org, council=district, name="Yard", at=at(0))
    rows = list(csv.reader(io.StringIO("".join(f"Worker {i},w{i}@example.org,works\n" for i in range(6)))))
    run("members_import", actor=admin, organization=org, rows=rows, at=at(1))
    lone = run("member_add", actor=admin, organization=org, user=UserFactory(), constituency=yard, at=at(1))
    members = list(works.members.order_by("pk"))
    run("council_apportion", actor=admin, council=district, at=at(2))
    run("council_apportion", actor=admin, council=city, at=at(2))
    election = run("election_open", actor=admin, council=district, constituency=works, at=at(3))
    [deputy, other, *_rest] = run(
        "election_declare",
        actor=admin,
        election=election,
        elected=[(members[0], reds), (members[1], blues)],
        at=at(4),
    )
    upper = run("election_open", actor=admin, council=city, child_council=district, at=at(5))
    run("election_declare", actor=admin, election=upper, elected=[(members[0], None)], at=at(6))
    run("deputy_change_faction", actor=admin, member=members[0], faction=blues, at=at(7))
    petition = run("petition_open", actor=members[2].user, seat=deputy, at=at(8))
    run("petition_sign", actor=members[3].user, petition=petition, at=at(9))
    run("petition_withdraw", actor=members[3].user, petition=petition, at=at(10))
    run("seat_resign", actor=admin, seat=Seat.objects.get(pk=other.pk), at=at(11))
    run("member_move", actor=admin, member=members[4], constituency=yard, at=at(12))
    run("member_invite", actor=admin, member=members[5], at=at(12))
    run("members_invite_pending", actor=admin, organization=org, at=at(12))
    run("member_leave", actor=lone.user, member=lone, at=at(13))
    greens = run("faction_create", actor=admin, organization=org, name="Greens", at=at(13))
    bloc = run(
        "bloc_form", actor=admin, organization=org, name="Left bloc", factions=[reds, blues], at=at(14.5)
    )
    run("bloc_change", actor=admin, bloc=bloc, factions=[reds, blues, greens], at=at(15))
    run("bloc_end", actor=admin, bloc=bloc, at=at(16))
    run("officer_remove", actor=admin, officer=teller, at=at(14))

    assert called == _public_services(), f"not exercised: {_public_services() - called}"


def test_tick_writes_one_event_per_change_it_writes():
    admin = UserFactory(is_superuser=True)
    org = services.organization_create(actor=admin, name="Moscow", at=at(0))
    district = services.council_create(
        actor=admin, organization=org, name="District", members_per_seat=1, term_days=30, at=at(0)
    )
    works = services.constituency_create(
        actor=admin, organization=org, council=district, name="Works", at=at(0)
    )
    services.members_import(
        actor=SYSTEM,
        organization=org,
        rows=[["A", "a@example.org", "works"], ["B", "b@example.org", "works"]],
        at=at(1),
    )
    services.council_apportion(actor=admin, council=district, at=at(1))
    election = services.election_open(actor=admin, council=district, constituency=works, at=at(2))
    [member, *_] = works.members.all()
    services.election_declare(actor=admin, election=election, elected=[(member, None)], at=at(3))
    before = Event.objects.count()

    report = services.tick(at=at(40))

    assert report.elections_opened == 1
    assert Event.objects.count() - before == report.elections_opened + report.petitions_expired
    assert Election.objects.filter(council=district, status="open", kind="regular").count() == 1
