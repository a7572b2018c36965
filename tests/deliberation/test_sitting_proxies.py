"""Proxies for a sitting: a deputy hands their vote for the sitting to another deputy; when a poll of
the sitting opens with the giver absent and the holder present, the holder casts the giver's vote
too; a giver who is present votes themself; the council's limit per holder and one live proxy per
giver hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from councils.audit.models import Event
from councils.deliberation import services
from councils.deliberation.models import Motion, SittingProxy
from councils.deliberation.selectors.sittings import quorum
from councils.deliberation.services import polls
from councils.deliberation.services.proxies import sitting_proxy_give, sitting_proxy_withdraw
from councils.federation.errors import NotAllowed
from councils.voting import services as voting
from councils.voting.errors import AlreadyVoted
from councils.voting.models import Elector, Proxy
from tests.deliberation.conftest import api_client, open_sitting
from tests.deliberation.test_motions import THESES
from tests.factories import MemberFactory

YES, NO = {"answer": "yes"}, {"answer": "no"}


def _member(hall, i):
    return hall.seats[i].holder


def _motion(hall):
    return services.motion_submit(actor=hall.user(0), council=hall.council, title="Theses", text=THESES)


def test_a_deputy_hands_their_vote_and_takes_it_back(hall):
    proxy = sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 0))
    assert (proxy.giver, proxy.holder, proxy.withdrawn_at) == (_member(hall, 4), _member(hall, 0), None)
    given = Event.objects.get(kind="sitting.proxy_given")
    assert given.actor_id == hall.user(4).pk and given.data["by_chair"] is False
    with pytest.raises(ValidationError) as caught:
        sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 1))
    assert "already handed their vote" in str(caught.value)
    sitting_proxy_withdraw(actor=hall.user(4), proxy=proxy)
    proxy.refresh_from_db()
    assert proxy.withdrawn_at is not None
    assert Event.objects.filter(kind="sitting.proxy_withdrawn").count() == 1
    with pytest.raises(ValidationError):
        sitting_proxy_withdraw(actor=hall.user(4), proxy=proxy)
    # Withdrawn, the deputy may hand it to someone else.
    sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 1))
    assert SittingProxy.objects.filter(sitting=hall.sitting, withdrawn_at__isnull=True).count() == 1


def test_the_holder_may_not_hold_more_than_the_council_allows(hall):
    assert hall.council.proxies_per_holder == 1
    sitting_proxy_give(actor=hall.user(3), sitting=hall.sitting, holder=_member(hall, 0))
    with pytest.raises(ValidationError) as caught:
        sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 0))
    assert "the most this council allows (1)" in str(caught.value)
    hall.council.proxies_per_holder = 2
    hall.council.save(update_fields=["proxies_per_holder"])
    sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 0))
    # A holder cannot pass on what they hold.
    with pytest.raises(ValidationError) as caught:
        sitting_proxy_give(actor=hall.user(0), sitting=hall.sitting, holder=_member(hall, 1))
    assert "cannot pass them on" in str(caught.value)


def test_bad_holders_are_refused_and_nothing_is_stored(hall):
    with pytest.raises(ValidationError) as caught:
        sitting_proxy_give(actor=hall.user(1), sitting=hall.sitting, holder=_member(hall, 1))
    assert "yourself" in str(caught.value)
    stranger = MemberFactory(organization=hall.organization)
    with pytest.raises(ValidationError) as caught:
        sitting_proxy_give(actor=hall.user(1), sitting=hall.sitting, holder=stranger)
    assert "holds no seat" in str(caught.value) and "holder" in caught.value.message_dict
    with pytest.raises(NotAllowed):
        sitting_proxy_give(actor=hall.outsider, sitting=hall.sitting, holder=_member(hall, 1))
    assert not SittingProxy.objects.exists()


def test_the_database_keeps_one_live_proxy_per_giver(hall):
    now = timezone.now()
    SittingProxy.objects.create(
        sitting=hall.sitting, giver=_member(hall, 1), holder=_member(hall, 2), given_at=now
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SittingProxy.objects.create(
            sitting=hall.sitting, giver=_member(hall, 1), holder=_member(hall, 3), given_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SittingProxy.objects.create(
            sitting=hall.sitting,
            giver=_member(hall, 1),
            holder=_member(hall, 1),
            given_at=now,
            withdrawn_at=now,
        )


def test_the_chair_records_a_paper_proxy_and_others_may_not(hall):
    with pytest.raises(NotAllowed):
        sitting_proxy_give(
            actor=hall.user(2), sitting=hall.sitting, giver=_member(hall, 4), holder=_member(hall, 2)
        )
    proxy = sitting_proxy_give(
        actor=hall.chair, sitting=hall.sitting, giver=_member(hall, 4), holder=_member(hall, 2)
    )
    assert Event.objects.get(kind="sitting.proxy_given").data["by_chair"] is True
    # Neither the holder nor another deputy may withdraw it; the chair may.
    for i in (2, 3):
        with pytest.raises(NotAllowed):
            sitting_proxy_withdraw(actor=hall.user(i), proxy=proxy)
    sitting_proxy_withdraw(actor=hall.chair, proxy=proxy)
    assert SittingProxy.objects.get().withdrawn_at is not None


def test_an_absent_giver_votes_through_their_present_holder(hall):
    sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 0))
    sitting = open_sitting(hall, present=3)  # deputies 0, 1, 2 present; 3 and 4 absent
    motion = _motion(hall)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=motion)
    electors = set(Elector.objects.filter(poll=poll).values_list("seat_id", flat=True))
    assert electors == {hall.seats[i].pk for i in (0, 1, 2, 4)}
    assert Proxy.objects.filter(poll=poll, giver=_member(hall, 4), holder=_member(hall, 0)).exists()
    assert Event.objects.filter(kind="sitting.poll_opened").latest("pk").data["proxies"] == 1
    voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES)
    voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES, principal=_member(hall, 4))
    voting.ballot_cast(actor=hall.user(1), poll=poll, ballot=NO)
    # The giver's vote is cast once: not again by themself.
    with pytest.raises(AlreadyVoted):
        voting.ballot_cast(actor=hall.user(4), poll=poll, ballot=NO)
    poll = polls.sitting_poll_close(actor=hall.chair, poll=poll)
    votes = poll.result["stages"][0]["votes"]
    assert (int(votes["yes"]), int(votes["no"])) == (2, 1)
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED
    # The quorum still counts only the deputies present.
    assert quorum(sitting=sitting).present == 3


def test_a_present_giver_votes_themself(hall):
    sitting_proxy_give(actor=hall.user(2), sitting=hall.sitting, holder=_member(hall, 0))
    sitting = open_sitting(hall, present=3)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=_motion(hall))
    assert not Proxy.objects.filter(poll=poll).exists()
    assert Elector.objects.filter(poll=poll).count() == 3
    with pytest.raises(NotAllowed):
        voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES, principal=_member(hall, 2))
    voting.ballot_cast(actor=hall.user(2), poll=poll, ballot=NO)


def test_an_absent_holder_carries_nothing(hall):
    sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 3))
    sitting = open_sitting(hall, present=3)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=_motion(hall))
    assert Elector.objects.filter(poll=poll).count() == 3
    assert not Proxy.objects.filter(poll=poll).exists()


def test_withdrawing_during_an_open_poll_withdraws_the_uncast_proxy(hall):
    proxy = sitting_proxy_give(actor=hall.user(4), sitting=hall.sitting, holder=_member(hall, 0))
    sitting = open_sitting(hall, present=3)
    poll = polls.sitting_poll_open(actor=hall.chair, sitting=sitting, motion=_motion(hall))
    sitting_proxy_withdraw(actor=hall.user(4), proxy=proxy)
    assert Proxy.objects.get(poll=poll).withdrawn_at is not None
    with pytest.raises(NotAllowed):
        voting.ballot_cast(actor=hall.user(0), poll=poll, ballot=YES, principal=_member(hall, 4))
    assert Event.objects.get(kind="sitting.proxy_withdrawn").data["polls"] == [poll.pk]


def _url(name, hall, *args):
    return reverse(name, args=[hall.organization.slug, *args])


def test_a_deputy_hands_their_vote_on_the_page_and_the_chair_sees_it(client, hall):
    client.force_login(hall.user(4))
    page = client.get(_url("sitting", hall, hall.sitting.pk)).content.decode()
    assert "Hand over my vote" in page
    response = client.post(
        _url("sitting_action", hall, hall.sitting.pk, "proxy-give"),
        {"holder": _member(hall, 1).pk},
        follow=True,
    )
    page = response.content.decode()
    assert "vote for this sitting is handed to Boris Petrov" in page
    assert "Boris Petrov casts your vote" in page
    client.force_login(hall.chair)
    page = client.get(_url("sitting", hall, hall.sitting.pk)).content.decode()
    assert "Daria Volkova to Boris Petrov" in page
    proxy = SittingProxy.objects.get()
    client.post(_url("sitting_action", hall, hall.sitting.pk, "proxy-withdraw"), {"proxy": proxy.pk})
    proxy.refresh_from_db()
    assert proxy.withdrawn_at is not None
    # A bad form says what is wrong and stores nothing.
    response = client.post(
        _url("sitting_action", hall, hall.sitting.pk, "proxy-give"),
        {"giver": _member(hall, 2).pk},
        follow=True,
    )
    assert "Choose the deputy who will carry the vote" in response.content.decode()
    assert SittingProxy.objects.filter(withdrawn_at__isnull=True).count() == 0


def test_proxies_by_api(hall):
    base = f"/api/organizations/{hall.organization.slug}/sittings/{hall.sitting.pk}/proxies"
    deputy = api_client(hall.user(3))
    response = deputy.post(base, {"holder": _member(hall, 0).pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["holder_name"] == _member(hall, 0).name
    proxy_id = response.json()["id"]
    # Another deputy may neither record a proxy for someone else nor withdraw this one.
    other = api_client(hall.user(2))
    refused = other.post(
        base, {"holder": _member(hall, 0).pk, "giver": _member(hall, 4).pk}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert other.post(f"{base}/{proxy_id}/withdraw").status_code == 403
    assert other.get(base).json() == []
    over = api_client(hall.user(4)).post(
        base, {"holder": _member(hall, 0).pk}, content_type="application/json"
    )
    assert over.status_code == 400 and "holder" in over.json()["errors"]
    chair = api_client(hall.chair)
    assert [p["id"] for p in chair.get(base).json()] == [proxy_id]
    withdrawn = deputy.post(f"{base}/{proxy_id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    assert chair.get(base).json() == []
