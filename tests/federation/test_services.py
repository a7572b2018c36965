"""The federation's rules, through its services: seats, elections, recall and its cascade, factions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.audit.models import Event
from councils.federation import selectors, services
from councils.federation.errors import NotAllowed
from councils.federation.models import Council, Election, Faction, Member, RecallPetition, Seat
from tests.factories import FactionFactory, MemberFactory, OfficerFactory, OrganizationFactory, UserFactory

T0 = timezone.now() - timedelta(days=100)


def days(n: float):
    return T0 + timedelta(days=n)


@dataclass
class Federation:
    """Three levels: a works elects to a district council, which sends delegates to a city
    council, which sends delegates to a congress."""

    organizer: object
    org: object
    reds: Faction
    blues: Faction
    congress: Council
    city: Council
    district: Council
    works: object
    deputies: list[Member]
    constituents: list[Member]


@pytest.fixture
def fed(db) -> Federation:
    organizer = UserFactory()
    org = OrganizationFactory()
    OfficerFactory(organization=org, user=organizer)
    reds = FactionFactory(organization=org, name="Reds", position=0)
    blues = FactionFactory(organization=org, name="Blues", position=1)
    a = {"actor": organizer, "organization": org}
    congress = services.council_create(**a, name="Congress", seat_rule="fixed", total_seats=2, at=days(0))
    city = services.council_create(
        **a, name="City", parent=congress, seat_rule="fixed", total_seats=2, at=days(0)
    )
    district = services.council_create(
        **a, name="District", parent=city, seat_rule="ratio", members_per_seat=3, at=days(0)
    )
    works = services.constituency_create(
        **a, council=district, name="Putilov Works", section="workers", at=days(0)
    )
    people = [MemberFactory(constituency=works, joined_at=days(-10)) for _ in range(6)]
    # 6 members, one deputy per 3: the works has 2 seats; 50% of 6 = 3 signatures recall.
    for council in (district,):
        services.council_apportion(actor=organizer, council=council, at=days(1))
    election = services.election_open(actor=organizer, council=district, constituency=works, at=days(1))
    services.election_declare(
        actor=organizer, election=election, elected=[(people[0], reds), (people[1], blues)], at=days(2)
    )
    for upper, child in ((city, district), (congress, city)):
        services.council_apportion(actor=organizer, council=upper, at=days(3))
        e = services.election_open(actor=organizer, council=upper, child_council=child, at=days(3))
        services.election_declare(
            actor=organizer, election=e, elected=[(people[0], None), (people[1], None)], at=days(4)
        )
    return Federation(organizer, org, reds, blues, congress, city, district, works, people[:2], people[2:])


def open_seat(member: Member, council: Council) -> Seat:
    return Seat.objects.get(holder=member, council=council, end__isnull=True)


def test_delegates_carry_their_faction_up_the_tree(fed):
    comp = selectors.composition_at(council=fed.congress, at=days(5))
    assert [(f.faction, f.seats) for f in comp.factions] == [(fed.reds, 1), (fed.blues, 1)]
    assert comp.vacant == 0
    assert comp.majority is None  # 1 of 2 is not more than half


def test_recall_reaching_threshold_ends_the_seat_and_every_seat_derived_from_it(fed):
    red = fed.deputies[0]
    petition = services.petition_open(
        actor=fed.constituents[0].user, seat=open_seat(red, fed.district), at=days(10)
    )
    assert petition.required == 3
    outcome = services.petition_sign(actor=fed.constituents[1].user, petition=petition, at=days(11))
    assert not outcome.recalled
    outcome = services.petition_sign(actor=fed.constituents[2].user, petition=petition, at=days(12))
    assert outcome.recalled and outcome.signatures == 3

    ended = Seat.objects.filter(holder=red).order_by("council__name")
    assert {(s.council.name, s.end_reason) for s in ended} == {
        ("District", "recall"),
        ("City", "derived"),
        ("Congress", "derived"),
    }
    assert all(s.end == days(12) for s in ended)
    for council in (fed.district, fed.city, fed.congress):
        comp = selectors.composition_at(council=council, at=days(13))
        assert comp.vacant == 1, council.name
        assert comp.majority == fed.blues  # the remaining deputy holds all filled seats
    # A by-election opens for each vacancy, at each level.
    assert Election.objects.filter(kind="by_election", status="open").count() == 3
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.SUCCEEDED
    # One event for the signature that caused all of it.
    event = Event.objects.filter(kind="petition.signed").order_by("-sequence").first()
    assert event.data["recalled"] is True
    assert len(event.data["ended_seats"]) == 3


def test_composition_at_a_past_date_shows_the_recalled_deputy(fed):
    red = fed.deputies[0]
    petition = services.petition_open(
        actor=fed.constituents[0].user, seat=open_seat(red, fed.district), at=days(10)
    )
    for m in fed.constituents[1:3]:
        services.petition_sign(actor=m.user, petition=petition, at=days(12))
    before = selectors.composition_at(council=fed.congress, at=days(11))
    after = selectors.composition_at(council=fed.congress, at=days(12))
    assert red.name in [r.holder for r in before.seats]
    assert red.name not in [r.holder for r in after.seats]
    history = selectors.composition_history(council=fed.congress)
    assert [p.counts.get(fed.reds.pk, 0) for p in history][-2:] == [1, 0]


def test_a_by_election_fills_the_vacancy(fed):
    red = fed.deputies[0]
    services.seat_resign(actor=red.user, seat=open_seat(red, fed.district), at=days(20))
    by = Election.objects.get(council=fed.district, kind="by_election", status="open")
    newcomer = fed.constituents[0]
    [seat] = services.election_declare(
        actor=fed.organizer, election=by, elected=[(newcomer, fed.reds)], at=days(21)
    )
    assert seat.slot == 1  # the slot the resigned deputy left
    assert selectors.composition_at(council=fed.district, at=days(22)).vacant == 0


def test_one_member_signs_once_and_may_withdraw_and_sign_again(fed):
    seat = open_seat(fed.deputies[0], fed.district)
    signer = fed.constituents[1]
    petition = services.petition_open(actor=fed.constituents[0].user, seat=seat, at=days(10))
    services.petition_sign(actor=signer.user, petition=petition, at=days(10.5))
    with pytest.raises(ValidationError, match="already signed"):
        services.petition_sign(actor=signer.user, petition=petition, at=days(10.6))
    services.petition_withdraw(actor=signer.user, petition=petition, at=days(11))
    with pytest.raises(ValidationError, match="not signed"):
        services.petition_withdraw(actor=signer.user, petition=petition, at=days(11.1))
    outcome = services.petition_sign(actor=signer.user, petition=petition, at=days(11.2))
    assert outcome.signatures == 2


def test_only_constituents_sign(fed):
    seat = open_seat(fed.deputies[0], fed.district)
    petition = services.petition_open(actor=fed.constituents[0].user, seat=seat, at=days(10))
    elsewhere = MemberFactory(
        organization=fed.org, constituency__council=fed.district, constituency__organization=fed.org
    )
    for outsider in (elsewhere.user, UserFactory(), fed.organizer):
        with pytest.raises(NotAllowed):
            services.petition_sign(actor=outsider, petition=petition, at=days(11))
    assert petition.signatures.count() == 1


def test_a_petition_expires_after_the_council_period(fed):
    seat = open_seat(fed.deputies[0], fed.district)
    petition = services.petition_open(actor=fed.constituents[0].user, seat=seat, at=days(10))
    with pytest.raises(ValidationError, match="expired"):
        services.petition_sign(actor=fed.constituents[1].user, petition=petition, at=days(41))
    report = services.tick(at=days(41))
    assert report.petitions_expired == 1
    assert services.tick(at=days(41)).petitions_expired == 0  # a second runner finds nothing to do
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.EXPIRED
    assert seat.__class__.objects.get(pk=seat.pk).end is None


def test_changing_faction_changes_the_composition_from_that_date(fed):
    blue = fed.deputies[1]
    services.deputy_change_faction(actor=blue.user, member=blue, faction=fed.reds, at=days(30))
    assert selectors.composition_at(council=fed.congress, at=days(29)).majority is None
    comp = selectors.composition_at(council=fed.congress, at=days(31))
    assert comp.majority == fed.reds
    # The delegate seat above still derives from the deputy's (new) seat below.
    upper = open_seat(blue, fed.city)
    assert upper.derives_from == open_seat(blue, fed.district)
    assert upper.faction == fed.reds


def test_only_organizers_change_structure(fed):
    member = fed.constituents[0]
    with pytest.raises(NotAllowed):
        services.council_create(actor=member.user, organization=fed.org, name="Rogue", members_per_seat=5)
    with pytest.raises(NotAllowed):
        services.faction_create(actor=member.user, organization=fed.org, name="Rogues")
    other_org_organizer = UserFactory()
    OfficerFactory(user=other_org_organizer, organization=OrganizationFactory())
    with pytest.raises(NotAllowed):
        services.council_apportion(actor=other_org_organizer, council=fed.district)


def test_a_recall_vote_mode_is_taken_now_that_voting_opens_recall_votes(fed):
    council = services.council_create(
        actor=fed.organizer, organization=fed.org, name="Later", members_per_seat=5, recall_mode="vote"
    )
    assert council.recall_mode == "vote"


def test_election_declaration_checks_the_elected(fed):
    services.seat_resign(actor=fed.organizer, seat=open_seat(fed.deputies[0], fed.district), at=days(20))
    by = Election.objects.get(council=fed.district, kind="by_election", status="open")
    stranger = MemberFactory(
        organization=fed.org, constituency__council=fed.district, constituency__organization=fed.org
    )
    with pytest.raises(ValidationError, match="not a member of Putilov"):
        services.election_declare(actor=fed.organizer, election=by, elected=[(stranger, None)], at=days(21))
    with pytest.raises(ValidationError, match="fills 1 seat;"):
        services.election_declare(
            actor=fed.organizer,
            election=by,
            elected=[(fed.constituents[0], None), (fed.constituents[1], None)],
            at=days(21),
        )
    with pytest.raises(NotAllowed):
        services.election_declare(actor=fed.constituents[0].user, election=by, elected=[], at=days(21))
    assert Election.objects.get(pk=by.pk).status == "open"


def test_a_delegate_must_sit_in_the_child_council(fed):
    e = services.election_open(
        actor=fed.organizer, council=fed.city, child_council=fed.district, kind="regular", at=days(40)
    )
    with pytest.raises(ValidationError, match="holds no seat in District"):
        services.election_declare(
            actor=fed.organizer, election=e, elected=[(fed.constituents[0], None)], at=days(41)
        )


def test_a_regular_election_ends_the_previous_term_and_keeps_reelected_delegates(fed):
    red, blue = fed.deputies
    newcomer = fed.constituents[0]
    e = services.election_open(actor=fed.organizer, council=fed.district, constituency=fed.works, at=days(50))
    services.election_declare(
        actor=fed.organizer, election=e, elected=[(red, fed.reds), (newcomer, fed.reds)], at=days(51)
    )
    # The re-elected deputy's delegate seats continue; the one not re-elected leaves the tree.
    assert open_seat(red, fed.congress).derives_from.derives_from == open_seat(red, fed.district)
    assert not Seat.objects.filter(holder=blue, end__isnull=True).exists()
    assert Seat.objects.get(holder=blue, council=fed.district).end_reason == "term"
    assert selectors.composition_at(council=fed.district, at=days(52)).majority == fed.reds
    assert selectors.composition_at(council=fed.city, at=days(52)).vacant == 1


def test_the_database_refuses_two_open_seats_for_one_slot(fed):
    from django.db import IntegrityError, transaction

    seat = open_seat(fed.deputies[0], fed.district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            organization=fed.org,
            council=fed.district,
            constituency=fed.works,
            slot=seat.slot,
            holder=fed.constituents[0],
            start=days(60),
        )


def test_ratio_and_fixed_seat_rules(fed):
    # 6 members at one deputy per 3 gives 2; the city's 2 fixed seats all go to its only child.
    comp = selectors.composition_at(council=fed.district, at=days(5))
    assert comp.allocated == 2
    assert selectors.composition_at(council=fed.city, at=days(5)).allocated == 2
    second = services.constituency_create(
        actor=fed.organizer, organization=fed.org, council=fed.district, name="Obukhov", at=days(5)
    )
    for _ in range(10):
        MemberFactory(constituency=second)
    allocations = services.council_apportion(actor=fed.organizer, council=fed.district, at=days(6))
    assert sorted(a.seats for a in allocations) == [2, 3]


def test_members_import_is_all_or_nothing(fed):
    rows = [("Anna", "anna@example.org", fed.works.slug), ("", "bad", "nowhere")]
    with pytest.raises(ValidationError) as info:
        services.members_import(actor=fed.organizer, organization=fed.org, rows=rows, first_line=2)
    messages = info.value.messages
    assert "line 3: the name is empty" in messages
    assert any(m.startswith("line 3: invalid email") for m in messages)
    assert any(m.startswith("line 3: unknown constituency") for m in messages)
    assert not Member.objects.filter(name="Anna").exists()
    report = services.members_import(actor=fed.organizer, organization=fed.org, rows=rows[:1])
    assert report.members == 1 and Member.objects.get(name="Anna").constituency == fed.works


def test_a_by_election_refuses_a_sitting_deputy_and_a_delegate_already_sent(fed):
    red, blue = fed.deputies
    services.seat_resign(actor=fed.organizer, seat=open_seat(red, fed.district), at=days(20))
    by = Election.objects.get(council=fed.district, kind="by_election", status="open")
    with pytest.raises(ValidationError, match="already holds a seat for Putilov Works"):
        services.election_declare(actor=fed.organizer, election=by, elected=[(blue, None)], at=days(21))
    city_by = Election.objects.get(council=fed.city, kind="by_election", status="open")
    with pytest.raises(ValidationError, match="already holds a seat for District in City"):
        services.election_declare(actor=fed.organizer, election=city_by, elected=[(blue, None)], at=days(21))
    assert Seat.objects.filter(holder=blue, end__isnull=True).count() == 3


def test_a_member_who_left_cannot_be_elected(fed):
    services.seat_resign(actor=fed.organizer, seat=open_seat(fed.deputies[0], fed.district), at=days(20))
    by = Election.objects.get(council=fed.district, kind="by_election", status="open")
    gone = fed.constituents[0]
    gone = services.member_leave(actor=gone.user, member=gone, at=days(19))
    with pytest.raises(ValidationError, match="not a member of this organization"):
        services.election_declare(actor=fed.organizer, election=by, elected=[(gone, None)], at=days(21))


def test_an_unknown_kind_of_election_is_refused(fed):
    with pytest.raises(ValidationError) as info:
        services.election_open(actor=fed.organizer, council=fed.district, constituency=fed.works, kind="snap")
    assert "kind" in info.value.message_dict


def test_members_import_reuses_an_existing_account_whatever_the_case_of_its_email(fed):
    existing = UserFactory(username="anna", email="Anna.K@Example.org")
    report = services.members_import(
        actor=fed.organizer,
        organization=fed.org,
        rows=[
            ("Anna K", "anna.k@example.org", fed.works.name),
            ("Boris", "boris@example.org", fed.works.slug),
        ],
    )
    assert (report.members, report.users_created) == (2, 1)
    assert Member.objects.get(name="Anna K").user == existing
    boris = Member.objects.get(name="Boris")
    assert boris.user.email == "boris@example.org" and not boris.user.has_usable_password()
    assert boris.joined_at is not None and boris.user.date_joined is not None


# --- apportionment is deterministic --------------------------------------------------------------


def test_the_same_sizes_give_the_same_seats_and_the_lot_is_recorded(db):
    """Sainte-Laguë over sizes 10, 10 and 4 for 4 seats ties two parts for the last seat: the lot
    is seeded from the inputs, so every apportionment gives the same seats, and the seed and the
    tie are recorded in the apportionment and its event."""
    from councils.federation.models import Apportionment, SeatAllocation

    organizer = UserFactory()
    org = OrganizationFactory()
    OfficerFactory(organization=org, user=organizer)
    council = services.council_create(
        actor=organizer, organization=org, name="Soviet", seat_rule="fixed", total_seats=4, minimum_seats=0
    )
    parts = []
    for name, size in (("Putilov", 10), ("Obukhov", 10), ("Arsenal", 4)):
        c = services.constituency_create(actor=organizer, organization=org, council=council, name=name)
        for _ in range(size):
            MemberFactory(organization=org, constituency=c)
        parts.append(c)

    outcomes = set()
    for _ in range(3):
        allocations = services.council_apportion(actor=organizer, council=council)
        outcomes.add(tuple(sorted((str(a.part_object), a.seats) for a in allocations)))
    assert len(outcomes) == 1
    [outcome] = outcomes
    assert sum(seats for _name, seats in outcome) == 4

    record = Apportionment.objects.filter(council=council).latest("pk")
    assert record.seed is not None
    assert record.sizes == {"Putilov": 10, "Obukhov": 10, "Arsenal": 4}
    [tie] = record.ties
    # Arsenal's 4 beats the 10/3 of the others for the third seat; those two tie for the fourth.
    assert sorted(tie["tied"]) == ["Obukhov", "Putilov"] and tie["seats"] == 1
    assert dict(outcome)[tie["winners"][0]] == 2 and dict(outcome)["Arsenal"] == 1
    event = Event.objects.filter(organization=org, kind="council.apportioned").latest("id")
    assert event.data["seed"] == record.seed and event.data["ties"] == record.ties
    current = SeatAllocation.objects.filter(council=council, end__isnull=True, apportionment__isnull=False)
    assert current.count() == 3


# --- mandates are one row; members move and leave ------------------------------------------------


def test_a_change_of_faction_keeps_the_seat_and_what_refers_to_it(fed):
    red = fed.deputies[0]
    seat = open_seat(red, fed.district)
    delegate = open_seat(red, fed.city)
    petition = services.petition_open(actor=fed.constituents[0].user, seat=seat, at=days(9))
    services.deputy_change_faction(actor=red.user, member=red, faction=fed.blues, at=days(10))

    # The same rows: nothing was re-pointed.
    assert open_seat(red, fed.district).pk == seat.pk
    assert open_seat(red, fed.city).derives_from_id == seat.pk
    assert open_seat(red, fed.city).pk == delegate.pk
    petition.refresh_from_db()
    assert petition.seat_id == seat.pk and petition.status == RecallPetition.Status.OPEN
    # History by dated affiliations: red before the change, blue after, in every council.
    for council in (fed.district, fed.city, fed.congress):
        before = selectors.composition_at(council=council, at=days(9))
        after = selectors.composition_at(council=council, at=days(11))
        assert {f.faction: f.seats for f in before.factions} == {fed.reds: 1, fed.blues: 1}
        assert {f.faction: f.seats for f in after.factions} == {fed.blues: 2}
    assert [(a.faction, a.end) for a in seat.affiliations.order_by("start")] == [
        (fed.reds, days(10)),
        (fed.blues, None),
    ]


def test_a_re_elected_deputy_keeps_their_seat_and_gains_a_term(fed):
    red, blue = fed.deputies
    seat = open_seat(red, fed.district)
    election = services.election_open(
        actor=fed.organizer, council=fed.district, constituency=fed.works, at=days(20)
    )
    newcomer = fed.constituents[0]
    services.election_declare(
        actor=fed.organizer, election=election, elected=[(red, fed.reds), (newcomer, fed.blues)], at=days(21)
    )
    renewed = open_seat(red, fed.district)
    assert renewed.pk == seat.pk
    assert [t.election_id for t in renewed.terms.order_by("start")][-1] == election.pk
    assert renewed.term_ends == days(21) + timedelta(days=fed.district.term_days)
    # Their delegate seats above carry on untouched; the deputy not re-elected leaves, and with them
    # their delegate seats.
    assert open_seat(red, fed.city).derives_from_id == seat.pk
    assert not Seat.objects.filter(holder=blue, end__isnull=True).exists()
    assert {s.end_reason for s in Seat.objects.filter(holder=blue)} == {"term", "derived"}


def test_a_deputy_who_moves_loses_the_seat_and_what_derives_from_it(fed):
    red = fed.deputies[0]
    signer = fed.constituents[0]
    petition = services.petition_open(
        actor=signer.user, seat=open_seat(fed.deputies[1], fed.district), at=days(9)
    )
    other = services.constituency_create(
        actor=fed.organizer, organization=fed.org, council=fed.district, name="Obukhov Works", at=days(1)
    )

    outcome = services.member_move(actor=fed.organizer, member=red, constituency=other, at=days(10))

    assert outcome.member.constituency == other and outcome.member.moved_from_id == red.pk
    red.refresh_from_db()
    assert (red.left_at, red.left_reason) == (days(10), Member.LeftReason.MOVED)
    assert {(s.council.name, s.end_reason) for s in Seat.objects.filter(holder=red)} == {
        ("District", "moved"),
        ("City", "derived"),
        ("Congress", "derived"),
    }
    assert outcome.by_elections == 3
    # A mover who had signed a petition in the old constituency is no longer a constituent there.
    services.member_move(actor=fed.organizer, member=signer, constituency=other, at=days(11))
    assert petition.signatures.filter(withdrawn_at__isnull=True).count() == 0
    event = Event.objects.filter(kind="member.moved").order_by("id").first()
    assert event.summary == f"{red.name} moved from Putilov Works to Obukhov Works"


def test_a_member_who_leaves_ends_their_seats_and_only_they_or_an_organizer_may(fed):
    blue = fed.deputies[1]
    with pytest.raises(NotAllowed):
        services.member_leave(actor=fed.constituents[0].user, member=blue, at=days(10))
    services.member_leave(actor=blue.user, member=blue, at=days(10))
    assert {s.end_reason for s in Seat.objects.filter(holder=blue)} == {"left", "derived"}
    assert selectors.composition_at(council=fed.congress, at=days(11)).vacant == 1
    with pytest.raises(ValidationError, match="no longer a member"):
        services.member_leave(actor=fed.organizer, member=blue, at=days(12))


def test_signatures_go_to_the_petitions_stream_and_a_recall_to_the_organizations(fed):
    from councils.audit.models import Stream
    from councils.audit.services import chain_verify

    red = fed.deputies[0]
    petition = services.petition_open(
        actor=fed.constituents[0].user, seat=open_seat(red, fed.district), at=days(10)
    )
    services.petition_sign(actor=fed.constituents[1].user, petition=petition, at=days(11))
    services.petition_withdraw(actor=fed.constituents[1].user, petition=petition, at=days(12))
    services.petition_sign(actor=fed.constituents[1].user, petition=petition, at=days(13))
    services.petition_sign(actor=fed.constituents[2].user, petition=petition, at=days(14))

    own = Stream.objects.get(pk=Event.objects.get(kind="petition.opened").stream_id)
    mine = Stream.objects.get(owner_type="federation.recallpetition", owner_id=str(petition.pk))
    kinds = list(Event.objects.filter(stream=mine).order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["petition.signed", "petition.withdrawn", "petition.signed"]
    # The signature that ended the seat changed the councils: it is in the organization's stream.
    assert Event.objects.filter(kind="petition.signed", stream=own).get().data["recalled"] is True
    assert chain_verify(organization=fed.org).ok
