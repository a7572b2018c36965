"""The majority sentence, for every case, and the blocs on the council and organization pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from councils.federation import selectors, services
from councils.web.majority import bloc_sentence, bloc_sentences, majority_sentence
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=50)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory(slug="soviets")


@pytest.fixture
def factions(org):
    names = ["Bolsheviks", "SRs", "Mensheviks"]
    return {n: FactionFactory(organization=org, name=n, position=i) for i, n in enumerate(names)}


def council_with(org, factions, **seats):
    """A council with 68 allocated seats, filled as ``seats`` says (faction name -> seats)."""
    council = CouncilFactory(organization=org)
    works = ConstituencyFactory(council=council, organization=org)
    SeatAllocationFactory(constituency=works, council=council, seats=68, start=LONG_AGO)
    for name, n in seats.items():
        for _ in range(n):
            SeatFactory(constituency=works, faction=factions.get(name), start=LONG_AGO)
    return council


def test_no_seat_filled(org, factions):
    composition = selectors.composition_at(council=council_with(org, factions))
    assert majority_sentence(composition) == "No majority: no seat is filled on this date."
    assert bloc_sentences(composition) == []


def test_a_faction_holds_a_majority(org, factions):
    composition = selectors.composition_at(council=council_with(org, factions, Bolsheviks=40, SRs=28))
    assert (
        majority_sentence(composition) == "Majority: Bolsheviks, with 40 of the 68 filled seats (35 needed)."
    )


def test_one_seat_filled_reads_in_the_singular(org, factions):
    composition = selectors.composition_at(council=council_with(org, factions, SRs=1))
    assert majority_sentence(composition) == "Majority: SRs, with 1 of the 1 filled seat (1 needed)."


def test_no_faction_holds_a_majority_and_the_largest_is_named(org, factions):
    composition = selectors.composition_at(
        council=council_with(org, factions, Bolsheviks=20, SRs=30, Mensheviks=18)
    )
    assert majority_sentence(composition) == (
        "No majority: no faction holds more than half of the 68 filled seats (35 needed). "
        "The largest, SRs, holds 30 seats."
    )


def test_no_majority_and_a_tie_for_the_largest(org, factions):
    composition = selectors.composition_at(
        council=council_with(org, factions, Bolsheviks=30, SRs=30, Mensheviks=8)
    )
    assert (
        majority_sentence(composition)
        == "No majority: no faction holds more than half of the 68 filled seats (35 needed)."
    )


def test_an_independent_alone(org, factions):
    composition = selectors.composition_at(council=council_with(org, factions, independent=1))
    assert (
        majority_sentence(composition)
        == "No majority: no faction holds more than half of the 1 filled seat (1 needed)."
    )


def test_the_majority_map_row_reads_the_same(org, factions):
    council_with(org, factions, Bolsheviks=40, SRs=28)
    [row] = selectors.majority_map(organization=org)
    assert majority_sentence(row) == "Majority: Bolsheviks, with 40 of the 68 filled seats (35 needed)."


def test_a_bloc_with_and_without_a_majority(org, factions):
    council = council_with(org, factions, Bolsheviks=33, SRs=20, Mensheviks=15)
    services.bloc_form(
        actor=OfficerFactory(organization=org).user,
        organization=org,
        name="Menshevik-SR bloc",
        factions=[factions["SRs"], factions["Mensheviks"]],
        at=LONG_AGO + timedelta(days=1),
    )
    composition = selectors.composition_at(council=council)
    assert bloc_sentences(composition) == ["The Menshevik-SR bloc holds 35 of 68 filled seats: a majority."]
    [count] = composition.blocs
    short = selectors.BlocCount(bloc=count.bloc, factions=count.factions, seats=34, majority=False)
    assert (
        bloc_sentence(short, filled=68, needed=35)
        == "The Menshevik-SR bloc holds 34 of 68 filled seats: no majority (35 needed)."
    )


def test_the_pages_show_the_sentences_and_the_bloc(client, org, factions):
    council = council_with(org, factions, Bolsheviks=33, SRs=20, Mensheviks=15)
    organizer = OfficerFactory(organization=org).user
    services.bloc_form(
        actor=organizer,
        organization=org,
        name="Menshevik-SR bloc",
        factions=[factions["SRs"], factions["Mensheviks"]],
    )
    client.force_login(organizer)

    page = client.get(reverse("council", args=[org.slug, council.slug])).content.decode()
    assert "No majority: no faction holds more than half of the 68 filled seats (35 needed)." in page
    assert "The Menshevik-SR bloc holds 35 of 68 filled seats: a majority." in page
    assert "no faction holds 35" not in page

    page = client.get(reverse("organization", args=[org.slug])).content.decode()
    assert "The Menshevik-SR bloc holds 35 of 68 filled seats: a majority." in page
    assert "Menshevik-SR bloc (35 seats)" in page  # the majority map's bloc column
