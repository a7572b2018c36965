"""A weighted voter splits their weight between candidates in an open plurality, block or approval
poll; the count, the running result, the named votes and the booth respect the split."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from councils.voting import selectors, services
from councils.voting.models import Elector, Participation, Poll
from tests.voting.secret_helpers import make_committee
from tests.voting.test_services import cast, finish, ids

pytestmark = pytest.mark.django_db

CANDIDATES = ["Lenin", "Martov", "Chernov"]


def weighted(body, method="plurality", seats=1, weight=10):
    poll = body.poll(kind="election", method=method, seats=seats, candidates=CANDIDATES)
    Elector.objects.filter(poll=poll, member=body.deputies[0]).update(weight=weight)
    return poll


def test_a_split_plurality_vote_is_counted_with_each_share(body):
    poll = weighted(body)
    lenin, martov, _chernov = ids(poll)
    cast(
        poll,
        body.deputies[0],
        {"parts": [{"ranking": [martov], "weight": 6}, {"ranking": [lenin], "weight": 4}]},
    )
    cast(poll, body.deputies[1], {"ranking": [lenin]})
    stored = Participation.objects.get(poll=poll, principal=body.deputies[0]).ballot
    assert stored == {"parts": [{"ranking": [martov], "weight": 6}, {"ranking": [lenin], "weight": 4}]}
    assert selectors.running_result(poll=poll) == {"Lenin": 5, "Martov": 6, "Chernov": 0}
    poll = finish(body, poll)
    assert poll.result["elected"] == ["Martov"]
    assert poll.result["stages"][0]["votes"]["Lenin"] == "5"
    [vote] = [v for v in selectors.named_votes(poll=poll) if v.member_id == body.deputies[0].pk]
    assert vote.choice == "Martov: 6; Lenin: 4"


def test_a_split_approval_vote_shares_the_weight_between_sets_of_marks(body):
    poll = weighted(body, method="approval", weight=3)
    lenin, martov, chernov = ids(poll)
    cast(
        poll,
        body.deputies[0],
        {"parts": [{"ranking": [lenin, martov], "weight": 2}, {"ranking": [chernov], "weight": 1}]},
    )
    poll = finish(body, poll)
    votes = poll.result["stages"][0]["votes"]
    assert (votes["Lenin"], votes["Martov"], votes["Chernov"]) == ("2", "2", "1")


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([{"ranking": [0], "weight": 6}, {"ranking": [1], "weight": 3}], "whole weight, 10; it adds up to 9"),
        ([{"ranking": [0, 1], "weight": 10}], "Too many marks"),
        ([{"ranking": [0], "weight": -1}, {"ranking": [1], "weight": 11}], "whole number"),
        ([{"ranking": [0]}], "needs a ranking and a weight"),
        ([], "A split vote is"),
    ],
)
def test_a_bad_split_is_refused_and_nothing_is_stored(body, parts, message):
    poll = weighted(body)
    c = ids(poll)
    for part in parts:
        if "ranking" in part:
            part["ranking"] = [c[i] for i in part["ranking"]]
    with pytest.raises(ValidationError, match=message) as info:
        cast(poll, body.deputies[0], {"parts": parts})
    assert "ballot" in info.value.message_dict
    assert not Participation.objects.filter(poll=poll).exists()


def test_a_ranked_poll_takes_no_split(body):
    poll = weighted(body, method="irv")
    a, b, _c = ids(poll)
    with pytest.raises(ValidationError, match="ranked"):
        cast(
            poll, body.deputies[0], {"parts": [{"ranking": [a], "weight": 5}, {"ranking": [b], "weight": 5}]}
        )


def test_a_secret_poll_takes_no_split(body):
    make_committee(body)
    poll = body.poll(kind="election", method="plurality", candidates=CANDIDATES, secrecy=Poll.Secrecy.SECRET)
    a, b, _c = ids(poll)
    with pytest.raises(ValidationError, match="secret poll takes no split"):
        services.ballot_clean(
            poll, {"parts": [{"ranking": [a], "weight": 1}, {"ranking": [b], "weight": 1}]}, weight=2
        )


def test_the_booth_offers_a_weighted_voter_a_split_between_candidates(body):
    poll = weighted(body, weight=3)
    lenin, martov, _chernov = ids(poll)
    client = Client()
    client.force_login(body.deputies[0].user)
    url = reverse("poll", args=[body.organization.slug, poll.pk])
    assert "Split your weight of 3" in client.get(url).content.decode()
    done = client.post(
        reverse("poll_vote", args=[body.organization.slug, poll.pk]),
        {"use-split": "1", f"split-{lenin}": "1", f"split-{martov}": "2", "key": "k1"},
        follow=True,
    )
    assert "Your vote is taken" in done.content.decode()
    ballot = Participation.objects.get(poll=poll).ballot
    assert sorted((p["ranking"], p["weight"]) for p in ballot["parts"]) == [([lenin], 1), ([martov], 2)]


def test_the_api_takes_a_split_vote(body):
    poll = weighted(body, weight=4)
    lenin, martov, _chernov = ids(poll)
    client = Client()
    client.force_login(body.deputies[0].user)
    cast_url = f"/api/organizations/{body.organization.slug}/polls/{poll.pk}/ballots"
    payload = {"parts": [{"ranking": [lenin], "weight": 1}, {"ranking": [martov], "weight": 3}]}
    done = client.post(cast_url, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="split")
    assert done.status_code == 201, done.content
    assert done.json()["ballot"] == payload
