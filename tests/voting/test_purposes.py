"""What polls decide: a recall vote ending a seat or keeping it, elections of deputies and of
delegates filling seats, and a list election apportioning an assembly's seats among lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.audit.services import chain_verify
from councils.federation import services as fed_services
from councils.federation.models import Council, Election, Officer, RecallPetition, Seat, SeatAllocation
from councils.voting import services
from councils.voting.handlers.elections import election_poll_create
from councils.voting.handlers.lists import list_poll_create
from councils.voting.models import Candidate, Poll
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def vote(poll, member, **ballot):
    return services.ballot_cast(actor=member.user, poll=poll, ballot=ballot)


def choose(poll, member, *names):
    by_name = dict(Candidate.objects.filter(poll=poll).values_list("name", "pk"))
    return vote(poll, member, ranking=[by_name[n] for n in names])


def settle(officer, poll):
    services.poll_close(actor=officer, poll=poll)
    services.poll_count(actor=officer, poll=poll)
    return services.poll_publish(actor=officer, poll=poll)


def officer_of(organization):
    user = UserFactory()
    OfficerFactory(organization=organization, user=user, role=Officer.Role.RETURNING_OFFICER)
    return user


# --- recall vote --------------------------------------------------------------------------------


@pytest.fixture
def recall_setup(db):
    """A council whose recall mode is "vote", a deputy, and nine other constituents (threshold 0.3:
    3 signatures of 10 members)."""
    council = CouncilFactory(recall_mode=Council.RecallMode.VOTE, recall_threshold=Decimal("0.3"))
    constituency = ConstituencyFactory(council=council)
    SeatAllocation.objects.create(
        council=council, constituency=constituency, seats=1, start=timezone.now() - timedelta(days=300)
    )
    seat = SeatFactory(constituency=constituency, council=council)
    others = [MemberFactory(constituency=constituency) for _ in range(9)]
    return council, seat, others, officer_of(council.organization)


def reach_threshold(seat, others):
    petition = fed_services.petition_open(actor=others[0].user, seat=seat)
    fed_services.petition_sign(actor=others[1].user, petition=petition)
    outcome = fed_services.petition_sign(actor=others[2].user, petition=petition)
    petition.refresh_from_db()
    return petition, outcome


def test_a_petition_at_the_threshold_opens_a_recall_vote_of_the_constituency(recall_setup):
    _council, seat, others, _officer = recall_setup
    petition, outcome = reach_threshold(seat, others)
    assert outcome.vote and not outcome.recalled
    assert petition.status == RecallPetition.Status.VOTING
    seat.refresh_from_db()
    assert seat.end is None  # the deputy sits until the vote decides
    poll = Poll.objects.get(recall_petition=petition)
    assert poll.purpose == Poll.Purpose.RECALL and poll.state == Poll.State.OPEN
    assert poll.electorate_constituency_id == seat.constituency_id
    assert poll.electors.count() == 10  # the deputy is a constituent too
    assert poll.quorum == Poll.Quorum.SHARE and poll.quorum_value == Decimal("0.3")
    with pytest.raises(ValidationError, match="recall vote"):
        fed_services.petition_open(actor=others[3].user, seat=seat)


def test_a_recall_vote_cannot_be_cancelled_and_stays_open(recall_setup):
    _council, seat, others, officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    with pytest.raises(ValidationError, match="recall vote cannot be cancelled"):
        services.poll_cancel(actor=officer, poll=poll)
    poll.refresh_from_db()
    petition.refresh_from_db()
    assert poll.state == Poll.State.OPEN and petition.status == RecallPetition.Status.VOTING


def test_a_recall_vote_adopted_ends_the_seat_and_opens_the_by_election(recall_setup):
    _council, seat, others, officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    for m in others[:4]:
        vote(poll, m, answer="yes")
    vote(poll, others[4], answer="no")
    settle(officer, poll)
    seat.refresh_from_db()
    petition.refresh_from_db()
    assert seat.end is not None and seat.end_reason == Seat.EndReason.RECALL
    assert petition.status == RecallPetition.Status.SUCCEEDED
    assert Election.objects.filter(cause=seat, kind=Election.Kind.BY_ELECTION, status="open").exists()
    event = Event.objects.get(kind="petition.decided")
    assert event.data["recalled"] is True and event.data["by_elections"]
    assert chain_verify(organization=seat.council.organization).ok


def test_a_recall_vote_rejected_keeps_the_deputy(recall_setup):
    _council, seat, others, officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    vote(poll, others[0], answer="yes")
    for m in others[1:5]:
        vote(poll, m, answer="no")
    settle(officer, poll)
    seat.refresh_from_db()
    petition.refresh_from_db()
    assert seat.end is None
    assert petition.status == RecallPetition.Status.KEPT
    assert not Election.objects.filter(cause=seat).exists()
    # The deputy may be petitioned again.
    assert fed_services.petition_open(actor=others[5].user, seat=seat).status == "open"


def test_a_recall_vote_without_quorum_keeps_the_deputy(recall_setup):
    _council, seat, others, officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    vote(poll, others[0], answer="yes")
    vote(poll, others[1], answer="yes")  # 2 of 10 voted, the threshold is 3
    settle(officer, poll)
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.KEPT


def test_tick_closes_counts_and_publishes_a_recall_vote_at_its_time(recall_setup):
    council, seat, others, _officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    for m in others[:4]:
        vote(poll, m, answer="yes")
    later = timezone.now() + timedelta(days=council.petition_days, minutes=1)
    report = services.polls_tick(at=later)
    assert report.closed == 1 and report.settled == 1
    poll.refresh_from_db()
    assert poll.state == Poll.State.PUBLISHED
    seat.refresh_from_db()
    assert seat.end_reason == Seat.EndReason.RECALL
    assert services.polls_tick(at=later + timedelta(minutes=1)).settled == 0


def test_a_seat_ended_otherwise_during_the_vote_closes_the_petition(recall_setup):
    _council, seat, others, officer = recall_setup
    petition, _ = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    vote(poll, others[0], answer="yes")
    fed_services.seat_resign(actor=seat.holder.user, seat=seat)
    settle(officer, poll)
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.CLOSED


# --- elections of deputies and delegates ---------------------------------------------------------


@pytest.fixture
def constituency_election(db):
    council = CouncilFactory()
    constituency = ConstituencyFactory(council=council)
    SeatAllocation.objects.create(
        council=council, constituency=constituency, seats=2, start=timezone.now() - timedelta(days=300)
    )
    members = [MemberFactory(constituency=constituency) for _ in range(8)]
    officer = officer_of(council.organization)
    election = fed_services.election_open(actor=officer, council=council, constituency=constituency)
    return council, constituency, members, officer, election


def test_a_constituency_elects_its_deputies_by_stv_and_the_result_fills_the_seats(constituency_election):
    council, _constituency, members, officer, election = constituency_election
    bolsheviks = FactionFactory(organization=council.organization, name="Bolsheviks")
    candidates = [(members[0], bolsheviks), (members[1], None), (members[2], bolsheviks)]
    poll = election_poll_create(
        actor=officer, election=election, method="scottish-stv", candidates=candidates
    )
    assert poll.purpose == Poll.Purpose.DEPUTIES and poll.seats == 2
    poll = services.poll_open(actor=officer, poll=poll)
    names = [m.name for m, _f in candidates]
    for voter in members[:4]:
        choose(poll, voter, names[0], names[2])
    for voter in members[4:7]:
        choose(poll, voter, names[1])
    choose(poll, members[7], names[2], names[0])
    settle(officer, poll)
    election.refresh_from_db()
    assert election.status == Election.Status.DECLARED
    seats = Seat.objects.filter(council=council, end__isnull=True)
    assert {s.holder_id for s in seats} == {members[0].pk, members[1].pk}
    assert {s.holder_id: s.faction for s in seats}[members[0].pk] == bolsheviks
    assert Event.objects.filter(kind="election.declared").count() == 1


def test_an_election_poll_refuses_a_candidate_from_elsewhere_and_a_second_poll(constituency_election):
    _council, _constituency, members, officer, election = constituency_election
    stranger = MemberFactory(organization=election.council.organization)
    with pytest.raises(ValidationError) as info:
        election_poll_create(
            actor=officer,
            election=election,
            method="block",
            candidates=[(members[0], None), (stranger, None)],
        )
    assert "candidates" in info.value.message_dict
    election_poll_create(
        actor=officer, election=election, method="block", candidates=[(members[0], None), (members[1], None)]
    )
    with pytest.raises(ValidationError, match="already decides"):
        election_poll_create(
            actor=officer,
            election=election,
            method="block",
            candidates=[(members[0], None), (members[1], None)],
        )
    assert Poll.objects.count() == 1


def test_a_member_may_not_create_an_election_poll(constituency_election):
    _council, _constituency, members, _officer, election = constituency_election
    from councils.federation.errors import NotAllowed

    with pytest.raises(NotAllowed):
        election_poll_create(
            actor=members[0].user, election=election, method="block", candidates=[(members[0], None)]
        )


def test_a_poll_without_quorum_leaves_the_election_open_for_paper_results(constituency_election):
    _council, _constituency, members, officer, election = constituency_election
    poll = election_poll_create(
        actor=officer,
        election=election,
        method="block",
        candidates=[(members[0], None), (members[1], None)],
        quorum="majority",
    )
    poll = services.poll_open(actor=officer, poll=poll)
    choose(poll, members[3], members[0].name)
    settle(officer, poll)
    election.refresh_from_db()
    assert election.status == Election.Status.OPEN
    fed_services.election_declare(actor=officer, election=election, elected=[(members[0], None)])
    election.refresh_from_db()
    assert election.status == Election.Status.DECLARED


def test_a_council_elects_its_delegates_weighted_by_the_members_they_represent(db):
    city = CouncilFactory(seat_rule=Council.SeatRule.FIXED, members_per_seat=None, total_seats=10)
    district = CouncilFactory(organization=city.organization, parent=city)
    small = ConstituencyFactory(council=district)
    large = ConstituencyFactory(council=district)
    officer = officer_of(city.organization)
    small_deputies = [SeatFactory(council=district, constituency=small) for _ in range(2)]
    large_deputy = SeatFactory(council=district, constituency=large)
    for _ in range(8):  # large: 9 members for one deputy; small: 2 members for two deputies
        MemberFactory(constituency=large)
    SeatAllocation.objects.create(
        council=city, child_council=district, seats=1, size=11, start=timezone.now() - timedelta(days=300)
    )
    election = fed_services.election_open(actor=officer, council=city, child_council=district)
    candidates = [(s.holder, None) for s in [*small_deputies, large_deputy]]
    poll = election_poll_create(
        actor=officer, election=election, method="plurality", candidates=candidates, weighting="represented"
    )
    assert poll.purpose == Poll.Purpose.DELEGATES and poll.electorate_council_id == district.pk
    poll = services.poll_open(actor=officer, poll=poll)
    weights = dict(poll.electors.values_list("member_id", "weight"))
    assert weights[large_deputy.holder_id] == 9 and weights[small_deputies[0].holder_id] == 1
    for s in small_deputies:
        choose(poll, s.holder, small_deputies[0].holder.name)
    choose(poll, large_deputy.holder, large_deputy.holder.name)
    settle(officer, poll)
    delegate = Seat.objects.get(council=city, end__isnull=True)
    assert delegate.holder_id == large_deputy.holder_id
    assert delegate.derives_from_id == large_deputy.pk


def test_a_delegate_candidate_must_sit_in_the_child_council(db):
    city = CouncilFactory(seat_rule=Council.SeatRule.FIXED, members_per_seat=None, total_seats=10)
    district = CouncilFactory(organization=city.organization, parent=city)
    constituency = ConstituencyFactory(council=district)
    officer = officer_of(city.organization)
    deputy = SeatFactory(council=district, constituency=constituency)
    plain = MemberFactory(constituency=constituency)
    election = fed_services.election_open(actor=officer, council=city, child_council=district, seats=1)
    with pytest.raises(ValidationError, match="holds no seat"):
        election_poll_create(
            actor=officer,
            election=election,
            method="plurality",
            candidates=[(deputy.holder, None), (plain, None)],
        )


# --- list election -----------------------------------------------------------------------------


@pytest.fixture
def assembly(db):
    """A Constituent Assembly with one district of 20 members electing 5 seats, three lists."""
    council = CouncilFactory(name="Constituent Assembly", apportionment_method="dhondt")
    district = ConstituencyFactory(council=council, name="Petrograd capital")
    SeatAllocation.objects.create(
        council=council, constituency=district, seats=5, start=timezone.now() - timedelta(days=300)
    )
    members = [MemberFactory(constituency=district) for _ in range(20)]
    officer = officer_of(council.organization)
    election = fed_services.election_open(actor=officer, council=council, constituency=district)
    org = council.organization
    factions = [FactionFactory(organization=org, name=n) for n in ("Bolsheviks", "SRs", "Kadets")]
    lists = [(factions[0], members[0:4]), (factions[1], members[4:6]), (factions[2], members[6:8])]
    return council, members, officer, election, factions, lists


def test_a_list_election_apportions_the_seats_and_fills_them_in_list_order(assembly):
    council, members, officer, election, _factions, lists = assembly
    poll = list_poll_create(actor=officer, election=election, lists=lists, threshold="0.1")
    assert poll.purpose == Poll.Purpose.LIST and poll.method == "plurality"
    poll = services.poll_open(actor=officer, poll=poll)
    for m in members[:11]:
        choose(poll, m, "Bolsheviks")
    for m in members[11:18]:
        choose(poll, m, "SRs")
    choose(poll, members[18], "Kadets")  # 1 of 19: under the 10% threshold
    services.poll_close(actor=officer, poll=poll)
    poll = services.poll_count(actor=officer, poll=poll)
    table = poll.result["apportionment"]
    # D'Hondt, 5 seats among 11 and 7 votes: 3 and 2; the Kadets are excluded by the threshold.
    assert table["seats"] == {"Bolsheviks": 3, "SRs": 2, "Kadets": 0}
    assert table["excluded_by_threshold"] == ["Kadets"]
    assert poll.result["outcome"] == "seats: Bolsheviks 3, SRs 2, Kadets 0"
    services.poll_publish(actor=officer, poll=poll)
    seats = Seat.objects.filter(council=council, end__isnull=True).select_related("holder")
    by_faction = {}
    for s in seats:
        by_faction.setdefault(s.faction.name, set()).add(s.holder_id)
    assert (
        by_faction
        == {
            "Bolsheviks": {m.pk for m in members[0:3]},  # the first three of the list, in order
            "SRs": {m.pk for m in members[4:6]},
        }
    )


def test_a_list_with_fewer_candidates_than_seats_leaves_them_unfilled(assembly):
    council, members, officer, election, factions, _lists = assembly
    lists = [(factions[0], members[0:1]), (factions[1], members[4:6])]
    poll = list_poll_create(actor=officer, election=election, lists=lists)
    poll = services.poll_open(actor=officer, poll=poll)
    for m in members[6:18]:
        choose(poll, m, "Bolsheviks")
    choose(poll, members[18], "SRs")
    settle(officer, poll)
    row = Poll.objects.get(pk=poll.pk).result["lists"][0]
    assert row["seats"] == 5 and row["unfilled"] == 4
    assert Seat.objects.filter(council=council, end__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"threshold": "1.5"}, "threshold"),
        ({"method": "condorcet"}, "method"),
    ],
)
def test_a_list_election_refuses_bad_rules(assembly, kwargs, field):
    _council, _members, officer, election, _factions, lists = assembly
    with pytest.raises(ValidationError) as info:
        list_poll_create(actor=officer, election=election, lists=lists, **kwargs)
    assert field in info.value.message_dict
    assert not Poll.objects.exists()


def test_a_list_election_refuses_a_candidate_on_two_lists(assembly):
    _council, members, officer, election, factions, _lists = assembly
    with pytest.raises(ValidationError, match="two lists"):
        list_poll_create(
            actor=officer,
            election=election,
            lists=[(factions[0], members[0:2]), (factions[1], members[1:3])],
        )


def test_the_system_settles_nothing_but_recall_votes(assembly):
    _council, _members, officer, election, _factions, lists = assembly
    poll = list_poll_create(actor=officer, election=election, lists=lists)
    poll = services.poll_open(actor=officer, poll=poll)
    services.poll_close(actor=SYSTEM, poll=poll)
    assert services.polls_tick().settled == 0


def test_the_list_elections_page_shows_the_apportionment_table(assembly):
    from django.test import Client
    from django.urls import reverse

    council, members, officer, election, _factions, lists = assembly
    poll = list_poll_create(actor=officer, election=election, lists=lists, threshold="0.1")
    poll = services.poll_open(actor=officer, poll=poll)
    for m in members[:11]:
        choose(poll, m, "Bolsheviks")
    for m in members[11:18]:
        choose(poll, m, "SRs")
    choose(poll, members[18], "Kadets")
    settle(officer, poll)
    client = Client()
    client.force_login(members[0].user)
    html = client.get(reverse("poll", args=[council.organization.slug, poll.pk])).content.decode()
    assert "Seats won by the lists: Bolsheviks 3, SRs 2, Kadets 0." in html
    assert "The 5 seats apportioned among the lists by D&#x27;Hondt" in html
    first_three = ", ".join(m.name for m in members[0:3])
    assert f"<td>{first_three}</td>".replace("'", "&#x27;") in html
    assert "A list needed 10 % of the votes to take part. Below it: Kadets." in html
