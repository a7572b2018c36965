"""The admin goes through the services: what an organizer adds is audited, history is read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.audit.models import Event
from councils.federation.models import Bloc, Council, Faction, Seat
from tests.factories import (
    ConstituencyFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
    UserFactory,
)


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Putilov Federation", slug="putilov")


@pytest.fixture
def organizer(org):
    # Fixed names: the people searches below must not find the organizer by a random name.
    user = UserFactory(
        username="organizer",
        first_name="Olga",
        last_name="Zorina",
        email="organizer@example.org",
        is_staff=True,
    )
    OfficerFactory(organization=org, user=user)
    return user


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


def test_an_organizers_new_faction_is_created_by_the_service_and_audited(organizer_client, org, organizer):
    response = organizer_client.post(
        reverse("admin:federation_faction_add"),
        {
            "organization": org.pk,
            "name": "Bolsheviks",
            "short_name": "Bolsheviks",
            "colour": "#c0392b",
            "position": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    faction = Faction.objects.get(organization=org, name="Bolsheviks")
    event = Event.objects.get(organization=org, kind="faction.created")
    assert event.actor == organizer
    assert event.object_id == str(faction.pk)


def test_a_refused_faction_shows_the_services_error_and_writes_nothing(organizer_client, org):
    FactionFactory(organization=org, name="Mensheviks")

    response = organizer_client.post(
        reverse("admin:federation_faction_add"),
        {"organization": org.pk, "name": "Mensheviks", "short_name": "M", "colour": "#2c6fbb", "position": 1},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Faction.objects.filter(organization=org, name="Mensheviks").count() == 1
    assert not Event.objects.filter(organization=org).exists()


def test_a_council_with_an_incomplete_seat_rule_names_the_missing_field(organizer_client, org):
    response = organizer_client.post(
        reverse("admin:federation_council_add"),
        {
            "organization": org.pk,
            "name": "Petrograd Soviet",
            "slug": "petrograd",
            "seat_rule": "ratio",
            "minimum_seats": 1,
            "apportionment_method": "sainte-lague",
            "term_days": 365,
            "recall_threshold": "0.5",
            "recall_mode": "immediate",
            "petition_days": 30,
        },
    )

    assert response.status_code == 200
    assert "members_per_seat" in response.context["adminform"].form.errors
    assert not Council.objects.exists()


def test_an_organizer_cannot_add_to_an_organization_they_do_not_organize(organizer_client):
    other = OrganizationFactory()

    response = organizer_client.post(
        reverse("admin:federation_faction_add"),
        {
            "organization": other.pk,
            "name": "Bolsheviks",
            "short_name": "B",
            "colour": "#c0392b",
            "position": 0,
        },
    )

    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Faction.objects.exists()


def test_seats_are_read_only(organizer_client, org):
    seat = SeatFactory(constituency=ConstituencyFactory(council__organization=org))

    assert organizer_client.get(reverse("admin:federation_seat_changelist")).status_code == 200
    assert organizer_client.get(reverse("admin:federation_seat_add")).status_code == 403
    page = organizer_client.get(reverse("admin:federation_seat_change", args=[seat.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert organizer_client.get(reverse("admin:federation_seat_delete", args=[seat.pk])).status_code == 403
    start = seat.start
    organizer_client.post(reverse("admin:federation_seat_change", args=[seat.pk]), {"start": "2000-01-01"})
    seat.refresh_from_db()
    assert seat.start == start


def test_the_audit_log_is_read_only(organizer_client, org):
    FactionFactory(organization=org)
    assert organizer_client.get(reverse("admin:audit_event_changelist")).status_code == 200
    assert organizer_client.get(reverse("admin:audit_event_add")).status_code == 403


def test_resign_seat_action_ends_the_seat_through_the_service(organizer_client, org):
    constituency = ConstituencyFactory(council__organization=org)
    SeatAllocationFactory(constituency=constituency, seats=1)
    seat = SeatFactory(constituency=constituency, slot=1)

    response = organizer_client.post(
        reverse("admin:federation_seat_changelist"),
        {"action": "resign_seat", "_selected_action": [seat.pk]},
        follow=True,
    )

    assert response.status_code == 200
    seat.refresh_from_db()
    assert seat.end_reason == Seat.EndReason.RESIGNATION
    assert Event.objects.filter(organization=org, kind="seat.resigned").exists()


def test_apportion_seats_action_allocates_seats(organizer_client, org):
    constituency = ConstituencyFactory(council__organization=org, council__members_per_seat=2)
    for _ in range(4):
        MemberFactory(constituency=constituency)

    organizer_client.post(
        reverse("admin:federation_council_changelist"),
        {"action": "apportion_seats", "_selected_action": [constituency.council.pk]},
    )

    assert constituency.allocations.get(end__isnull=True).seats == 2


def test_an_organizer_sees_only_their_organizations_seats(organizer_client, org):
    mine = SeatFactory(constituency=ConstituencyFactory(council__organization=org))
    theirs = SeatFactory()

    response = organizer_client.get(reverse("admin:federation_seat_changelist"))

    shown = list(response.context["cl"].result_list)
    assert mine in shown
    assert theirs not in shown


def test_a_member_without_office_cannot_enter_the_admin(client, org):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:federation_seat_changelist")).status_code == 403


# --- adding a member: the person is picked by name or address ------------------------------------


def _search(client, term: str) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "federation", "model_name": "member", "field_name": "user"},
    )
    assert response.status_code == 200, response.content
    return [r["text"] for r in response.json()["results"]]


def test_add_member_picks_the_person_by_search_not_by_id(organizer_client, org):
    page = organizer_client.get(reverse("admin:federation_member_add")).content.decode()
    assert "admin-autocomplete" in page
    assert "vManyToManyRawIdAdminField" not in page and "vForeignKeyRawIdAdminField" not in page


def test_an_organizer_finds_their_organizations_people_by_name_and_others_only_by_whole_address(
    organizer_client, org
):
    constituency = ConstituencyFactory(council__organization=org)
    MemberFactory(
        constituency=constituency,
        user=UserFactory(username="anna@putilov.example", email="anna@putilov.example", first_name="Anna"),
    )
    UserFactory(username="annushka@moscow.example", email="annushka@moscow.example", first_name="Annushka")
    assert _search(organizer_client, "Ann") == ["anna@putilov.example"]
    assert _search(organizer_client, "putilov") == ["anna@putilov.example"]
    # A person of no organization of theirs: found by their whole address only.
    assert _search(organizer_client, "annushka@moscow") == []
    assert _search(organizer_client, "ANNUSHKA@moscow.example") == ["annushka@moscow.example"]


def test_an_organizer_does_not_get_the_list_of_accounts(organizer_client):
    assert organizer_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_member_added_in_the_admin_is_invited(
    organizer_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    constituency = ConstituencyFactory(council__organization=org, name="Putilov Works")
    person = UserFactory(username="boris@putilov.example", email="boris@putilov.example")
    person.set_unusable_password()
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:federation_member_add"),
            {
                "organization": org.pk,
                "user": person.pk,
                "constituency": constituency.pk,
                "name": "Boris Ivanov",
            },
        )
    assert response.status_code == 302, response.content
    [message] = mailoutbox
    assert message.to == ["boris@putilov.example"]
    assert "/accounts/invitation/" in message.body


def test_a_bloc_is_formed_through_the_service_and_ended_by_the_action(organizer_client, org, organizer):
    reds = FactionFactory(organization=org, name="Reds")
    blues = FactionFactory(organization=org, name="Blues")
    assert organizer_client.get(reverse("admin:federation_bloc_add")).status_code == 200

    response = organizer_client.post(
        reverse("admin:federation_bloc_add"),
        {"organization": org.pk, "name": "Left bloc", "factions": [reds.pk, blues.pk]},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    bloc = Bloc.objects.get(organization=org)
    assert Event.objects.get(organization=org, kind="bloc.formed").actor == organizer
    assert organizer_client.get(reverse("admin:federation_bloc_change", args=[bloc.pk])).status_code == 200

    organizer_client.post(
        reverse("admin:federation_bloc_changelist"),
        {"action": "end_blocs", "_selected_action": [bloc.pk]},
        follow=True,
    )
    bloc.refresh_from_db()
    assert bloc.end is not None
    assert Event.objects.filter(organization=org, kind="bloc.ended").count() == 1


def test_a_bloc_of_one_faction_is_refused_beside_the_field(organizer_client, org):
    reds = FactionFactory(organization=org, name="Reds")
    response = organizer_client.post(
        reverse("admin:federation_bloc_add"), {"organization": org.pk, "name": "Alone", "factions": [reds.pk]}
    )
    assert response.status_code == 200
    assert "at least two factions" in str(response.context["adminform"].form.errors)
    assert not Bloc.objects.exists()
