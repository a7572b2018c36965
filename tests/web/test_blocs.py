"""The blocs page: members read the history; organizers form, change and end blocs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.federation import services
from councils.federation.models import Bloc
from tests.factories import FactionFactory
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


def test_an_organizer_forms_changes_and_ends_a_bloc_through_the_page(client, pg):
    srs = FactionFactory(organization=pg.org, name="SRs", position=5)
    client.force_login(pg.organizer)
    url = reverse("blocs", args=[pg.org.slug])
    assert "Form a bloc" in client.get(url).content.decode()

    response = client.post(
        reverse("bloc_form", args=[pg.org.slug]),
        {"name": "Menshevik-SR bloc", "factions": [pg.mensheviks.pk, srs.pk]},
        follow=True,
    )
    assert "The bloc Menshevik-SR bloc is formed." in response.content.decode()
    bloc = Bloc.objects.get()

    response = client.post(
        reverse("bloc_change", args=[pg.org.slug, bloc.pk]),
        {f"bloc-{bloc.pk}-factions": [pg.mensheviks.pk, pg.bolsheviks.pk]},
        follow=True,
    )
    assert "The factions of Menshevik-SR bloc are changed." in response.content.decode()
    assert sorted(bloc.memberships.filter(end__isnull=True).values_list("faction__name", flat=True)) == [
        pg.bolsheviks.name,
        pg.mensheviks.name,
    ]

    response = client.post(reverse("bloc_end", args=[pg.org.slug, bloc.pk]), follow=True)
    page = response.content.decode()
    assert "The bloc Menshevik-SR bloc has ended." in page
    assert "ended on" in page
    bloc.refresh_from_db()
    assert bloc.end is not None


def test_a_refused_bloc_says_why_beside_the_form_and_changes_nothing(client, pg):
    client.force_login(pg.organizer)
    response = client.post(
        reverse("bloc_form", args=[pg.org.slug]), {"name": "Alone", "factions": [pg.mensheviks.pk]}
    )
    assert response.status_code == 400
    beside_factions = response.content.decode().split('id="id_factions-error"')[1].split("</ul>")[0]
    assert "A bloc joins at least two factions." in beside_factions
    assert not Bloc.objects.exists()


def test_a_bloc_name_in_force_already_is_refused_beside_the_name(client, pg):
    services.bloc_form(
        actor=pg.organizer, organization=pg.org, name="Left", factions=[pg.bolsheviks, pg.mensheviks]
    )
    client.force_login(pg.organizer)
    response = client.post(
        reverse("bloc_form", args=[pg.org.slug]),
        {"name": "Left", "factions": [pg.bolsheviks.pk, pg.mensheviks.pk]},
    )
    assert response.status_code == 400
    beside_name = response.content.decode().split('id="id_name-error"')[1].split("</ul>")[0]
    assert "A bloc of this name is in force already." in beside_name
    assert Bloc.objects.count() == 1


def test_a_member_reads_the_blocs_but_has_no_form_and_may_not_post(client, pg):
    services.bloc_form(
        actor=pg.organizer, organization=pg.org, name="Left", factions=[pg.bolsheviks, pg.mensheviks]
    )
    client.force_login(pg.dora.user)
    page = client.get(reverse("blocs", args=[pg.org.slug])).content.decode()
    assert "Left" in page and "in force" in page
    assert "Form a bloc" not in page and "Change the factions" not in page
    bloc = Bloc.objects.get()
    assert client.post(reverse("bloc_end", args=[pg.org.slug, bloc.pk])).status_code == 403
    assert (
        client.post(
            reverse("bloc_form", args=[pg.org.slug]), {"name": "X", "factions": [pg.bolsheviks.pk]}
        ).status_code
        == 403
    )
    bloc.refresh_from_db()
    assert bloc.end is None
