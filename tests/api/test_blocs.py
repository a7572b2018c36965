"""The blocs' endpoints: members read them, organizers form, change and end them."""

from __future__ import annotations

import pytest

from councils.federation.models import Bloc
from tests.api.conftest import token_client
from tests.factories import FactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def factions(world):
    return [
        world.faction,
        FactionFactory(organization=world.organization, name="SRs", position=2),
        FactionFactory(organization=world.organization, name="Mensheviks", position=3),
    ]


def test_an_organizer_forms_changes_and_ends_a_bloc_and_members_read_it(world, factions, member_client):
    organizer = token_client(world.organizer)
    _b, srs, mensheviks = factions

    formed = organizer.post(
        world.url("/blocs"),
        {"name": "Menshevik-SR bloc", "factions": [srs.pk, mensheviks.pk]},
        "application/json",
    )
    assert formed.status_code == 201, formed.content
    bloc = formed.json()
    assert [f["name"] for f in bloc["factions"]] == ["SRs", "Mensheviks"]
    assert bloc["end"] is None

    changed = organizer.post(
        world.url(f"/blocs/{bloc['id']}/change"), {"factions": [srs.pk, world.faction.pk]}, "application/json"
    )
    assert changed.status_code == 200, changed.content
    assert {f["name"] for f in changed.json()["factions"]} == {"SRs", "Bolsheviks"}

    composition = member_client.get(world.url(f"/councils/{world.council.slug}/composition")).json()
    assert composition["blocs"] == [
        {
            "bloc": bloc["id"],
            "name": "Menshevik-SR bloc",
            "factions": [
                {k: f[k] for k in ("id", "name", "short_name", "colour", "position")}
                for f in changed.json()["factions"]
            ],
            "seats": 1,
            "majority": True,
        }
    ]
    [row] = member_client.get(world.url("/majority-map")).json()
    assert row["bloc_majority"]["name"] == "Menshevik-SR bloc"

    ended = organizer.post(world.url(f"/blocs/{bloc['id']}/end"))
    assert ended.status_code == 200 and ended.json()["end"] is not None
    [listed] = member_client.get(world.url("/blocs")).json()
    assert listed["id"] == bloc["id"] and listed["end"] is not None
    assert len(listed["periods"]) == 3


def test_a_member_may_not_form_a_bloc(world, factions):
    member = token_client(world.member.user)
    response = member.post(
        world.url("/blocs"), {"name": "B", "factions": [f.pk for f in factions[:2]]}, "application/json"
    )
    assert response.status_code == 403
    assert not Bloc.objects.exists()


def test_bad_input_names_the_field(world, factions):
    organizer = token_client(world.organizer)
    one = organizer.post(world.url("/blocs"), {"name": "B", "factions": [factions[0].pk]}, "application/json")
    assert one.status_code == 400 and "factions" in one.json()["errors"]
    other = FactionFactory()
    foreign = organizer.post(
        world.url("/blocs"), {"name": "B", "factions": [factions[0].pk, other.pk]}, "application/json"
    )
    assert foreign.status_code == 400
    assert foreign.json()["errors"]["factions"] == [f"No faction {other.pk} in this organization."]
    empty = organizer.post(world.url("/blocs"), {"name": "", "factions": []}, "application/json")
    assert empty.status_code == 422
    assert organizer.post(world.url("/blocs/999/end")).status_code == 404
    assert not Bloc.objects.exists()


def test_an_outsider_reads_no_bloc(world, outsider_client):
    assert outsider_client.get(world.url("/blocs")).status_code == 403
