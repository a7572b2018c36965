"""Blocs: factions form dated coalitions; the composition and the majority map say whether a bloc
holds a majority."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.audit.models import Event
from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import Bloc, BlocMembership
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatAllocationFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(days=100)


def days(n: float):
    return T0 + timedelta(days=n)


@pytest.fixture
def org():
    return OrganizationFactory(slug="soviets")


@pytest.fixture
def organizer(org):
    return OfficerFactory(organization=org).user


@pytest.fixture
def factions(org):
    names = ["Bolsheviks", "SRs", "Mensheviks", "Others"]
    return {
        n: FactionFactory(organization=org, name=n, short_name=n, position=i) for i, n in enumerate(names)
    }


@pytest.fixture
def council(org, factions):
    """A council of 10 filled seats: Bolsheviks 4, SRs 3, Mensheviks 2, Others 1."""
    council = CouncilFactory(organization=org, slug="petrograd", name="Petrograd Soviet")
    works = ConstituencyFactory(council=council, organization=org)
    SeatAllocationFactory(constituency=works, council=council, seats=10, start=days(-50))
    for name, n in (("Bolsheviks", 4), ("SRs", 3), ("Mensheviks", 2), ("Others", 1)):
        for _ in range(n):
            SeatFactory(constituency=works, faction=factions[name], start=days(-50))
    return council


def test_an_organizer_forms_a_bloc_that_the_composition_counts(org, organizer, factions, council):
    bloc = services.bloc_form(
        actor=organizer,
        organization=org,
        name="Menshevik-SR bloc",
        factions=[factions["SRs"], factions["Mensheviks"], factions["Others"]],
        at=days(-10),
    )

    composition = selectors.composition_at(council=council)
    [count] = composition.blocs
    assert (count.bloc, count.seats, count.majority) == (bloc, 6, True)
    assert [f.name for f in count.factions] == ["SRs", "Mensheviks", "Others"]
    assert composition.bloc_majority == count
    assert composition.majority is None
    event = Event.objects.filter(organization=org).latest("id")
    assert event.kind == "bloc.formed"
    assert event.data["faction_names"] == ["SRs", "Mensheviks", "Others"]
    assert event.summary == "Bloc Menshevik-SR bloc formed: SRs, Mensheviks, Others"


def test_before_it_was_formed_and_after_it_ended_the_bloc_is_not_counted(org, organizer, factions, council):
    bloc = services.bloc_form(
        actor=organizer,
        organization=org,
        name="B",
        factions=[factions["SRs"], factions["Mensheviks"]],
        at=days(-10),
    )
    services.bloc_end(actor=organizer, bloc=bloc, at=days(-5))

    assert selectors.composition_at(council=council, at=days(-11)).blocs == []
    [during] = selectors.composition_at(council=council, at=days(-7)).blocs
    assert (during.seats, during.majority) == (5, False)  # 5 of 10 is no majority
    assert selectors.composition_at(council=council).blocs == []
    bloc.refresh_from_db()
    assert bloc.end == days(-5)
    assert not BlocMembership.objects.filter(bloc=bloc, end__isnull=True).exists()


def test_a_change_of_factions_is_dated_and_keeps_the_history(org, organizer, factions, council):
    bloc = services.bloc_form(
        actor=organizer,
        organization=org,
        name="B",
        factions=[factions["SRs"], factions["Mensheviks"]],
        at=days(-10),
    )
    services.bloc_change(
        actor=organizer, bloc=bloc, factions=[factions["SRs"], factions["Others"]], at=days(-5)
    )

    [before] = selectors.composition_at(council=council, at=days(-7)).blocs
    [after] = selectors.composition_at(council=council).blocs
    assert [f.name for f in before.factions] == ["SRs", "Mensheviks"]
    assert [f.name for f in after.factions] == ["SRs", "Others"]
    assert (before.seats, after.seats) == (5, 4)
    [history] = selectors.blocs(organization=org)
    assert [(p.faction.name, p.end is None) for p in history.periods] == [
        ("SRs", True),
        ("Mensheviks", False),
        ("Others", True),
    ]
    assert [f.name for f in history.current] == ["SRs", "Others"]
    assert Event.objects.filter(organization=org).latest("id").data["left"] == [factions["Mensheviks"].pk]


def test_the_majority_map_shows_the_bloc_holding_a_council(org, organizer, factions, council):
    services.bloc_form(
        actor=organizer,
        organization=org,
        name="Left",
        factions=[factions["Bolsheviks"], factions["Others"]],
        at=days(-10),
    )
    [row] = selectors.majority_map(organization=org)
    assert row.bloc_majority is None  # 5 of 10
    [row] = selectors.majority_map(organization=org, at=days(-20))
    assert row.blocs == []


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"factions": ["SRs"]}, "factions", "at least two factions"),
        ({"factions": ["SRs", "SRs"]}, "factions", "at least two factions"),
        ({"name": ""}, "name", ""),
        ({"name": "x" * 121}, "name", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    org, organizer, factions, kwargs, field, message
):
    arguments = {"name": "Bloc", "factions": ["SRs", "Mensheviks"], **kwargs}
    arguments["factions"] = [factions[n] for n in arguments["factions"]]
    with pytest.raises(ValidationError) as raised:
        services.bloc_form(actor=organizer, organization=org, **arguments)
    assert field in raised.value.message_dict
    assert message in " ".join(raised.value.message_dict[field])
    assert not Bloc.objects.exists() and not Event.objects.filter(organization=org).exists()


def test_a_faction_of_another_organization_is_refused(org, organizer, factions):
    stranger = FactionFactory(name="Elsewhere")
    with pytest.raises(ValidationError, match="another organization"):
        services.bloc_form(actor=organizer, organization=org, name="B", factions=[factions["SRs"], stranger])


def test_a_faction_sits_in_one_bloc_at_a_time_past_moments_included(org, organizer, factions):
    first = services.bloc_form(
        actor=organizer,
        organization=org,
        name="A",
        factions=[factions["SRs"], factions["Mensheviks"]],
        at=days(-10),
    )
    with pytest.raises(ValidationError, match="SRs sits in the bloc A"):
        services.bloc_form(
            actor=organizer, organization=org, name="B", factions=[factions["SRs"], factions["Others"]]
        )
    services.bloc_end(actor=organizer, bloc=first, at=days(-5))
    # Formed before the first one ended: the SRs were in A then.
    with pytest.raises(ValidationError, match="SRs sits in the bloc A"):
        services.bloc_form(
            actor=organizer,
            organization=org,
            name="B",
            factions=[factions["SRs"], factions["Others"]],
            at=days(-6),
        )
    services.bloc_form(
        actor=organizer,
        organization=org,
        name="A",
        factions=[factions["SRs"], factions["Others"]],
        at=days(-4),
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        BlocMembership.objects.create(
            bloc=first, faction=factions["Others"], organization=org, start=days(-1)
        )


def test_changes_come_in_order_and_an_ended_bloc_stays_ended(org, organizer, factions):
    bloc = services.bloc_form(
        actor=organizer,
        organization=org,
        name="A",
        factions=[factions["SRs"], factions["Mensheviks"]],
        at=days(-10),
    )
    with pytest.raises(ValidationError) as raised:
        services.bloc_change(
            actor=organizer, bloc=bloc, factions=[factions["SRs"], factions["Others"]], at=days(-11)
        )
    assert "at" in raised.value.message_dict
    with pytest.raises(ValidationError, match="already joins exactly"):
        services.bloc_change(actor=organizer, bloc=bloc, factions=[factions["Mensheviks"], factions["SRs"]])
    services.bloc_end(actor=organizer, bloc=bloc, at=days(-5))
    with pytest.raises(ValidationError, match="has ended"):
        services.bloc_end(actor=organizer, bloc=bloc)
    with pytest.raises(ValidationError, match="has ended"):
        services.bloc_change(actor=organizer, bloc=bloc, factions=[factions["SRs"], factions["Others"]])


def test_only_organizers_form_change_and_end_blocs(org, organizer, factions):
    member = MemberFactory(constituency=ConstituencyFactory(council=CouncilFactory(organization=org)))
    pair = [factions["SRs"], factions["Mensheviks"]]
    for actor in (member.user, UserFactory()):
        with pytest.raises(NotAllowed):
            services.bloc_form(actor=actor, organization=org, name="A", factions=pair)
    bloc = services.bloc_form(actor=organizer, organization=org, name="A", factions=pair)
    with pytest.raises(NotAllowed):
        services.bloc_change(actor=member.user, bloc=bloc, factions=[factions["SRs"], factions["Others"]])
    with pytest.raises(NotAllowed):
        services.bloc_end(actor=member.user, bloc=bloc)
    assert Event.objects.filter(organization=org, kind__startswith="bloc.").count() == 1


def test_two_blocs_in_force_may_not_share_a_name(org, organizer, factions):
    services.bloc_form(
        actor=organizer, organization=org, name="Left", factions=[factions["SRs"], factions["Mensheviks"]]
    )
    with pytest.raises(ValidationError) as raised:
        services.bloc_form(
            actor=organizer,
            organization=org,
            name=" Left ",
            factions=[factions["Bolsheviks"], factions["Others"]],
        )
    assert raised.value.message_dict == {"name": ["A bloc of this name is in force already."]}
