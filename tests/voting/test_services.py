"""The voting services: creating, opening, casting, proxies, roll calls, closing, counting, publishing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.audit.models import Event
from councils.audit.services import chain_verify
from councils.federation.errors import NotAllowed
from councils.voting import services
from councils.voting.errors import AlreadyVoted
from councils.voting.models import Candidate, Elector, Participation, Poll, Proxy
from tests.factories import ConstituencyFactory, CouncilFactory, MemberFactory, SeatFactory
from tests.voting.conftest import make_body
from tests.voting.secret_helpers import make_committee

pytestmark = pytest.mark.django_db


def cast(poll, member, ballot, **kwargs):
    return services.ballot_cast(actor=member.user, poll=poll, ballot=ballot, **kwargs)


def ids(poll):
    return list(Candidate.objects.filter(poll=poll).order_by("position").values_list("pk", flat=True))


def finish(body, poll):
    services.poll_close(actor=body.officer, poll=poll)
    return services.poll_count(actor=body.officer, poll=poll)


# --- creating ---------------------------------------------------------------------------------


def test_an_officer_creates_a_draft_poll_with_one_event(body):
    poll = body.poll(open=False, title="Peace without annexations")
    assert poll.state == Poll.State.DRAFT
    event = Event.objects.get(kind="poll.created")
    assert event.data["title"] == "Peace without annexations"
    assert event.data["electorate"] == body.council.name


def test_a_member_who_is_not_an_officer_may_not_create_a_poll(body):
    with pytest.raises(NotAllowed, match="organizer or a returning officer"):
        services.poll_create(
            actor=body.deputies[0].user,
            organization=body.organization,
            title="x",
            kind="motion",
            electorate_council=body.council,
        )
    assert not Poll.objects.exists()


def test_a_ranked_secret_poll_is_refused_saying_a_mixnet_comes_later(body):
    with pytest.raises(ValidationError) as info:
        body.poll(
            kind="election", method="scottish-stv", seats=2, candidates=["A", "B", "C"], secrecy="secret"
        )
    assert "mixnet" in str(info.value.message_dict["secrecy"])
    assert not Poll.objects.exists()


@pytest.mark.parametrize("method", ["plurality", "approval"])
def test_secret_plurality_and_approval_polls_and_secret_motions_may_be_created(body, method):
    make_committee(body)
    poll = body.poll(open=False, kind="election", method=method, candidates=["A", "B"], secrecy="secret")
    assert poll.is_secret
    assert body.poll(open=False, secrecy="secret").is_secret


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "election", "method": "irv", "seats": 2, "candidates": ["A", "B", "C"]}, "seats"),
        ({"kind": "election", "method": "block", "seats": 3, "candidates": ["A", "B"]}, "candidates"),
        ({"kind": "election", "method": "approval", "candidates": ["A", "A"]}, "candidates"),
        ({"kind": "election", "method": "borda", "candidates": ["A"]}, "method"),
        ({"kind": "motion", "candidates": ["A"]}, "candidates"),
        ({"kind": "motion", "majority": "absolute", "majority_base": "cast"}, "majority_base"),
        ({"kind": "motion", "quorum": "share", "quorum_value": Decimal("1.5")}, "quorum_value"),
        ({"kind": "motion", "quorum": "number"}, "quorum_value"),
        ({"kind": "motion", "title": " "}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field(body, kwargs, field):
    with pytest.raises(ValidationError) as info:
        body.poll(open=False, **kwargs)
    assert field in info.value.message_dict
    assert not Poll.objects.exists()


def test_an_electorate_of_another_organization_is_refused(body):
    other = CouncilFactory()
    with pytest.raises(ValidationError) as info:
        services.poll_create(
            actor=body.officer,
            organization=body.organization,
            title="x",
            kind="motion",
            electorate_council=other,
        )
    assert "electorate" in info.value.message_dict


# --- opening ----------------------------------------------------------------------------------


def test_opening_fixes_the_electorate_as_the_deputies_holding_seats_then(body):
    poll = body.poll()
    assert poll.state == Poll.State.OPEN
    electors = set(Elector.objects.filter(poll=poll).values_list("member_id", flat=True))
    assert electors == {d.pk for d in body.deputies}
    event = Event.objects.get(kind="poll.opened")
    assert event.data["electors"] == 5 and event.data["weight"] == 5
    # A seat won afterwards does not add to the fixed electorate.
    SeatFactory(constituency=body.constituency, council=body.council)
    assert Elector.objects.filter(poll=poll).count() == 5


def test_a_constituency_poll_has_its_current_members_as_electors(body):
    poll = body.poll(electorate_constituency=body.constituency)
    assert Elector.objects.filter(poll=poll).count() == 5 + 3


def test_represented_weights_share_a_constituencys_members_among_its_deputies():
    council = CouncilFactory()
    big = ConstituencyFactory(council=council)
    small = ConstituencyFactory(council=council)
    big_seat = SeatFactory(constituency=big, council=council)
    small_seat = SeatFactory(constituency=small, council=council)
    for _ in range(9):
        MemberFactory(constituency=big)
    body = make_body(deputies=0)
    officer = body.officer
    from councils.federation.models import Officer

    Officer.objects.create(organization=council.organization, user=officer, role="organizer")
    poll = services.poll_create(
        actor=officer,
        organization=council.organization,
        title="w",
        kind="motion",
        electorate_council=council,
        weighting="represented",
    )
    services.poll_open(actor=officer, poll=poll)
    weights = dict(Elector.objects.filter(poll=poll).values_list("member_id", "weight"))
    assert weights == {big_seat.holder_id: 10, small_seat.holder_id: 1}


def test_an_empty_electorate_cannot_open(body):
    empty = ConstituencyFactory(council=body.council)
    poll = body.poll(open=False, electorate_constituency=empty)
    with pytest.raises(ValidationError, match="empty"):
        services.poll_open(actor=body.officer, poll=poll)
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT


# --- casting ----------------------------------------------------------------------------------


def test_a_deputy_votes_once_and_the_participation_names_them(body):
    poll = body.poll()
    outcome = cast(poll, body.deputies[0], {"answer": "yes"})
    assert not outcome.replayed
    row = Participation.objects.get(poll=poll)
    assert row.principal_id == body.deputies[0].pk == row.cast_by_id
    assert row.ballot == {"answers": {"yes": 1}}
    assert row.weight == 1


def test_a_retry_with_the_same_key_returns_the_first_answer_and_stores_nothing(body):
    poll = body.poll()
    first = cast(poll, body.deputies[0], {"answer": "yes"}, idempotency_key="k-1")
    again = cast(poll, body.deputies[0], {"answer": "no"}, idempotency_key="k-1")
    assert again.replayed
    assert again.participation.pk == first.participation.pk
    assert again.participation.ballot == {"answers": {"yes": 1}}
    assert Participation.objects.filter(poll=poll).count() == 1


def test_another_key_for_a_voter_who_voted_is_a_conflict_and_the_first_vote_stands(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "yes"}, idempotency_key="k-1")
    with pytest.raises(AlreadyVoted, match="already voted"):
        cast(poll, body.deputies[0], {"answer": "no"}, idempotency_key="k-2")
    with pytest.raises(AlreadyVoted, match="already voted"):
        cast(poll, body.deputies[0], {"answer": "no"})
    assert Participation.objects.get(poll=poll).ballot == {"answers": {"yes": 1}}


def test_a_key_used_by_another_voter_is_refused(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "yes"}, idempotency_key="shared")
    with pytest.raises(AlreadyVoted, match="another voter"):
        cast(poll, body.deputies[1], {"answer": "no"}, idempotency_key="shared")
    assert Participation.objects.filter(poll=poll).count() == 1


def test_outsiders_drafts_and_closed_polls_take_no_vote(body):
    poll = body.poll()
    member = MemberFactory(constituency=body.constituency)  # a member, not a deputy
    with pytest.raises(NotAllowed, match="electorate"):
        cast(poll, member, {"answer": "yes"})
    draft = body.poll(open=False)
    with pytest.raises(ValidationError, match="draft"):
        cast(draft, body.deputies[0], {"answer": "yes"})
    services.poll_close(actor=body.officer, poll=poll)
    with pytest.raises(ValidationError, match="closed"):
        cast(poll, body.deputies[0], {"answer": "yes"})
    assert not Participation.objects.exists()


def test_a_poll_past_its_closing_time_takes_no_vote_before_tick_writes_it_down(body):
    poll = body.poll(closes_at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)
    assert poll.state_at(later) == Poll.State.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        cast(poll, body.deputies[0], {"answer": "yes"}, at=later)
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    "ballot",
    [
        {"answer": "maybe"},
        {"answers": {"yes": 2}},
        {"choice": "yes"},
        "yes",
        {"answers": {"yes": -1, "no": 2}},
    ],
)
def test_an_invalid_motion_ballot_is_refused(body, ballot):
    poll = body.poll()
    with pytest.raises(ValidationError) as info:
        cast(poll, body.deputies[0], ballot)
    assert "ballot" in info.value.message_dict
    assert not Participation.objects.exists()


def test_a_weighted_voter_may_split_their_weight_in_an_open_poll(body):
    poll = body.poll()
    Elector.objects.filter(poll=poll, member=body.deputies[0]).update(weight=5)
    cast(poll, body.deputies[0], {"answers": {"yes": 3, "no": 2}})
    assert Participation.objects.get(poll=poll).ballot == {"answers": {"yes": 3, "no": 2}}
    with pytest.raises(ValidationError, match="whole weight"):
        cast(poll, body.deputies[1], {"answers": {"yes": 3, "no": 2}})


@pytest.mark.parametrize(
    ("method", "seats", "marks", "message"),
    [
        ("plurality", 1, [0, 1], "Too many marks"),
        ("block", 2, [0, 1, 2], "Too many marks"),
        ("irv", 1, [0, 0], "more than once"),
        ("scottish-stv", 2, [99], "no candidate"),
    ],
)
def test_too_many_marks_or_an_invalid_ranking_is_refused(body, method, seats, marks, message):
    poll = body.poll(kind="election", method=method, seats=seats, candidates=["A", "B", "C"])
    candidates = ids(poll)
    ranking = [candidates[m] if m < len(candidates) else 10**9 for m in marks]
    with pytest.raises(ValidationError, match=message):
        cast(poll, body.deputies[0], {"ranking": ranking})
    assert not Participation.objects.exists()


def test_a_secret_poll_takes_no_plain_ballot(body):
    make_committee(body)
    poll = body.poll(secrecy="secret")
    with pytest.raises(ValidationError, match="encrypted"):
        cast(poll, body.deputies[0], {"answer": "yes"})


# --- proxies ----------------------------------------------------------------------------------


def test_a_proxy_holder_casts_the_givers_vote_and_is_recorded_as_casting_it(body):
    poll = body.poll()
    giver, holder = body.deputies[0], body.deputies[1]
    services.proxy_give(actor=giver.user, poll=poll, holder=holder)
    cast(poll, holder, {"answer": "no"}, principal=giver)
    cast(poll, holder, {"answer": "yes"})
    row = Participation.objects.get(poll=poll, principal=giver)
    assert row.cast_by_id == holder.pk
    assert Event.objects.filter(kind="poll.proxy_given").count() == 1


def test_nobody_casts_for_a_deputy_who_gave_them_no_proxy(body):
    poll = body.poll()
    with pytest.raises(NotAllowed, match="not handed you their vote"):
        cast(poll, body.deputies[1], {"answer": "no"}, principal=body.deputies[0])
    assert not Participation.objects.exists()


def test_a_holder_may_hold_no_more_proxies_than_the_council_allows(body):
    poll = body.poll()
    holder = body.deputies[0]
    services.proxy_give(actor=body.deputies[1].user, poll=poll, holder=holder)
    with pytest.raises(ValidationError, match="most this council allows"):
        services.proxy_give(actor=body.deputies[2].user, poll=poll, holder=holder)
    body.council.proxies_per_holder = 2
    body.council.save()
    services.proxy_give(actor=body.deputies[2].user, poll=poll, holder=holder)
    assert Proxy.objects.filter(poll=poll, holder=holder).count() == 2


def test_a_deputy_who_voted_cannot_hand_their_vote_on(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "yes"})
    with pytest.raises(ValidationError, match="already voted"):
        services.proxy_give(actor=body.deputies[0].user, poll=poll, holder=body.deputies[1])


# --- counting motions -------------------------------------------------------------------------


def test_a_motion_is_adopted_by_a_simple_majority_of_votes_cast(body):
    poll = body.poll()
    for deputy, answer in zip(body.deputies, ["yes", "yes", "no", "abstain"], strict=False):
        cast(poll, deputy, {"answer": answer})
    poll = finish(body, poll)
    assert poll.state == Poll.State.COUNTED
    assert poll.result["adopted"] is True
    assert poll.result["decision"]["yes"] == 2 and poll.result["decision"]["no"] == 1
    assert poll.result["turnout"] == {
        "electors": 5,
        "electorate_weight": 5,
        "voters": 4,
        "voted_weight": 4,
        "entered": {},
    }
    assert "Adopted" in poll.result["explanation"]


def test_two_thirds_of_votes_cast_and_abstentions_counted(body):
    poll = body.poll(majority="two-thirds", abstentions="count")
    for deputy, answer in zip(body.deputies, ["yes", "yes", "no", "abstain"], strict=False):
        cast(poll, deputy, {"answer": answer})
    poll = finish(body, poll)
    assert poll.result["adopted"] is False  # 2 of 4 counted as cast


def test_without_its_quorum_a_motion_is_not_decided(body):
    poll = body.poll(quorum="majority")
    cast(poll, body.deputies[0], {"answer": "yes"})
    cast(poll, body.deputies[1], {"answer": "yes"})
    poll = finish(body, poll)
    assert poll.result["quorum_met"] is False
    assert poll.result["outcome"] == "no quorum"


def test_an_absolute_majority_counts_the_members_not_the_votes(body):
    poll = body.poll(majority="absolute")
    cast(poll, body.deputies[0], {"answer": "yes"})
    cast(poll, body.deputies[1], {"answer": "yes"})
    poll = finish(body, poll)
    assert poll.result["adopted"] is False  # 2 of 5 members


def test_split_weights_are_counted_as_split(body):
    poll = body.poll()
    Elector.objects.filter(poll=poll, member=body.deputies[0]).update(weight=10)
    cast(poll, body.deputies[0], {"answers": {"yes": 4, "no": 6}})
    cast(poll, body.deputies[1], {"answer": "yes"})
    poll = finish(body, poll)
    assert poll.result["decision"]["yes"] == 5 and poll.result["decision"]["no"] == 6
    assert poll.result["adopted"] is False


# --- counting elections -----------------------------------------------------------------------


def _elect(body, method, seats, ballots, candidates=("Lenin", "Martov", "Chernov", "Spiridonova")):
    poll = body.poll(kind="election", method=method, seats=seats, candidates=list(candidates))
    c = ids(poll)
    for deputy, marks in zip(body.deputies, ballots, strict=False):
        cast(poll, deputy, {"ranking": [c[m] for m in marks]})
    return finish(body, poll)


@pytest.mark.parametrize(
    ("method", "seats", "ballots", "elected"),
    [
        ("plurality", 1, [[0], [0], [1], [2], [0]], ["Lenin"]),
        ("block", 2, [[0, 1], [0, 1], [1, 0], [2, 3], [3]], ["Lenin", "Martov"]),
        ("approval", 2, [[0, 1, 2], [2], [2, 1], [1], [3]], ["Martov", "Chernov"]),
        ("irv", 1, [[0, 1], [1, 2], [2, 1], [2, 1], [0]], ["Chernov"]),
        ("scottish-stv", 2, [[0, 1], [0, 1], [0, 2], [2, 1], [3, 2]], ["Lenin", "Chernov"]),
        ("meek-stv", 2, [[0, 1], [0, 1], [0, 2], [2, 1], [3, 2]], ["Lenin", "Chernov"]),
        ("schulze", 1, [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [0, 1]], ["Lenin"]),
    ],
)
def test_every_method_counts_with_its_stages(body, method, seats, ballots, elected):
    poll = _elect(body, method, seats, ballots)
    assert sorted(poll.result["elected"]) == sorted(elected)
    assert poll.result["method"] == method
    assert poll.result["stages"], "every count records its stages"
    assert poll.result["seed"] == services.poll_seed(poll)
    assert poll.result["candidate_ids"]["Lenin"] == ids(poll)[0]


def test_an_stv_count_stores_transfers_between_stages(body):
    body = make_body(deputies=9)
    poll = _elect(
        body,
        "scottish-stv",
        2,
        [[0, 1], [0, 1], [0, 1], [0, 1], [0, 2], [2], [3, 2], [3, 1], [1]],
    )
    stages = poll.result["stages"]
    assert len(stages) > 1
    assert any(any(v != "0" for v in s["transfers"].values()) for s in stages[1:])


def test_a_blank_ballot_counts_as_cast_for_nobody(body):
    poll = _elect(body, "plurality", 1, [[0], []])
    assert poll.result["turnout"]["voters"] == 2
    assert poll.result["elected"] == ["Lenin"]


def test_counting_the_same_votes_again_gives_the_same_result(body):
    poll = _elect(body, "scottish-stv", 2, [[0], [1], [2], [3], [0]])
    again = services.count_result(poll)
    assert again["elected"] == poll.result["elected"]
    assert again["stages"] == poll.result["stages"]


# --- roll call, publish, cancel, tick ----------------------------------------------------------


def test_a_chair_enters_named_votes_and_totals_of_a_show_of_hands(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "no"})
    services.poll_roll_call_enter(
        actor=body.officer, poll=poll, votes={body.deputies[1].pk: {"answer": "yes"}}, totals={"yes": 2}
    )
    row = Participation.objects.get(poll=poll, principal=body.deputies[1])
    assert row.source == Participation.Source.ROLL_CALL and row.cast_by_id is None
    poll = finish(body, poll)
    assert poll.result["decision"]["yes"] == 3
    assert Event.objects.filter(kind="poll.roll_call_entered").count() == 1


def test_a_roll_call_refuses_a_deputy_who_voted_and_totals_above_the_electorate(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "no"})
    with pytest.raises(ValidationError, match="already voted"):
        services.poll_roll_call_enter(
            actor=body.officer, poll=poll, votes={body.deputies[0].pk: {"answer": "yes"}}
        )
    with pytest.raises(ValidationError, match="more than the electorate"):
        services.poll_roll_call_enter(actor=body.officer, poll=poll, totals={"yes": 5})
    assert Participation.objects.filter(poll=poll).count() == 1


def test_publishing_declares_a_counted_poll_and_each_step_writes_one_event(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "yes"})
    poll = finish(body, poll)
    poll = services.poll_publish(actor=body.officer, poll=poll)
    assert poll.state == Poll.State.PUBLISHED
    kinds = list(Event.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-5:] == ["poll.created", "poll.opened", "poll.closed", "poll.counted", "poll.published"]
    assert chain_verify(organization=body.organization).ok


def test_the_close_seals_the_participations_by_their_digest(body):
    poll = body.poll()
    cast(poll, body.deputies[0], {"answer": "yes"})
    cast(poll, body.deputies[1], {"answer": "no"})
    services.poll_close(actor=body.officer, poll=poll)
    sealed = Event.objects.get(kind="poll.closed").data
    assert sealed["participations"] == 2
    assert services.participation_digest(poll)[2] == sealed["digest"]
    Participation.objects.filter(poll=poll, principal=body.deputies[1]).update(ballot={"answers": {"yes": 1}})
    assert services.participation_digest(poll)[2] != sealed["digest"]


def test_a_cancelled_poll_is_not_counted(body):
    poll = body.poll()
    services.poll_cancel(actor=body.officer, poll=poll, reason="withdrawn by the mover")
    with pytest.raises(ValidationError):
        services.poll_close(actor=body.officer, poll=poll)
    with pytest.raises(ValidationError, match=r"cancelled"):
        cast(poll, body.deputies[0], {"answer": "yes"})


def test_only_officers_run_the_poll(body):
    poll = body.poll()
    for service in (services.poll_close, services.poll_cancel):
        with pytest.raises(NotAllowed):
            service(actor=body.deputies[0].user, poll=poll)


def test_tick_opens_and_closes_polls_at_their_times(body):
    now = timezone.now()
    poll = body.poll(open=False, opens_at=now + timedelta(minutes=5), closes_at=now + timedelta(hours=1))
    assert services.polls_tick(at=now).opened == 0
    assert services.polls_tick(at=now + timedelta(minutes=6)).opened == 1
    poll.refresh_from_db()
    assert poll.state == Poll.State.OPEN and Elector.objects.filter(poll=poll).count() == 5
    report = services.polls_tick(at=now + timedelta(hours=2))
    assert report.closed == 1
    poll.refresh_from_db()
    assert poll.state == Poll.State.CLOSED and poll.closed_at == now + timedelta(hours=1)
    assert services.polls_tick(at=now + timedelta(hours=3)) == services.PollTickReport(0, 0)
    assert Event.objects.filter(kind="poll.closed", actor=None).count() == 1
