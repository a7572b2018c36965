"""The pages and endpoints that create the polls deciding an election (deputies, delegates, a list
election), and the links from an election and a petition to their polls."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from councils.voting.models import Candidate, ListPlace, ListRule, Poll
from tests.voting import test_purposes
from tests.voting.test_purposes import reach_threshold

# The fixtures of the purposes' service tests, shared.
assembly = test_purposes.assembly
constituency_election = test_purposes.constituency_election
recall_setup = test_purposes.recall_setup

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_elects_a_constituencys_deputies_by_a_poll_from_the_election_page(constituency_election):
    council, _constituency, members, officer, election = constituency_election
    client = client_of(officer)
    election_page = client.get(
        reverse("election", args=[council.organization.slug, election.pk])
    ).content.decode()
    new_url = reverse("election_poll_new", args=[council.organization.slug, election.pk])
    assert new_url in election_page and "Elect by an online poll" in election_page
    form = client.get(new_url).content.decode()
    assert members[0].name in form and "weighting" not in form  # members vote one each
    done = client.post(
        new_url,
        {
            "method": "scottish-stv",
            "candidates": [members[0].pk, members[1].pk, members[2].pk],
            "secrecy": "open",
            "quorum": "none",
        },
    )
    poll = Poll.objects.get(election=election)
    assert done.status_code == 302 and done["Location"].endswith(f"/polls/{poll.pk}/")
    assert poll.purpose == Poll.Purpose.DEPUTIES and poll.state == Poll.State.DRAFT and poll.seats == 2
    assert list(Candidate.objects.filter(poll=poll).values_list("member_id", flat=True)) == [
        m.pk for m in members[:3]
    ]
    # The election page links to its poll.
    again = client.get(reverse("election", args=[council.organization.slug, election.pk])).content.decode()
    assert reverse("poll", args=[council.organization.slug, poll.pk]) in again


def test_the_poll_form_shows_the_services_refusal_and_creates_nothing(constituency_election):
    council, _constituency, members, officer, election = constituency_election
    url = reverse("election_poll_new", args=[council.organization.slug, election.pk])
    done = client_of(officer).post(
        url, {"method": "block", "candidates": [members[0].pk], "secrecy": "open", "quorum": "none"}
    )
    assert done.status_code == 400
    html = done.content.decode()
    assert "2 seats need at least as many candidates; 1 given." in html
    assert not Poll.objects.filter(election=election).exists()


def test_a_member_may_not_open_the_poll_form(constituency_election):
    council, _constituency, members, _officer, election = constituency_election
    url = reverse("election_poll_new", args=[council.organization.slug, election.pk])
    assert client_of(members[0].user).get(url).status_code == 403


def test_an_officer_creates_a_list_election_with_ordered_lists(assembly):
    council, members, officer, election, factions, _lists = assembly
    url = reverse("list_poll_new", args=[council.organization.slug, election.pk])
    client = client_of(officer)
    assert "List of Bolsheviks" in client.get(url).content.decode()
    data = {
        "method": "sainte-lague",
        "threshold": "0.05",
        "secrecy": "open",
        "quorum": "none",
        f"list-{factions[0].pk}": f"{members[1].name}\n{members[0].name}\n",
        f"list-{factions[1].pk}": members[4].name,
    }
    done = client.post(url, data)
    assert done.status_code == 302, done.content.decode()
    poll = Poll.objects.get(election=election)
    assert poll.purpose == Poll.Purpose.LIST
    rule = ListRule.objects.get(poll=poll)
    assert rule.method == "sainte-lague" and str(rule.threshold) == "0.050"
    bolsheviks = Candidate.objects.get(poll=poll, faction=factions[0])
    assert list(ListPlace.objects.filter(candidate=bolsheviks).values_list("member_id", flat=True)) == [
        members[1].pk,
        members[0].pk,
    ]


def test_a_list_naming_a_stranger_is_refused_with_the_name(assembly):
    council, members, officer, election, factions, _lists = assembly
    url = reverse("list_poll_new", args=[council.organization.slug, election.pk])
    data = {
        "method": "dhondt",
        "threshold": "0",
        "secrecy": "open",
        "quorum": "none",
        f"list-{factions[0].pk}": "Nobody Known",
        f"list-{factions[1].pk}": members[4].name,
    }
    done = client_of(officer).post(url, data)
    assert (
        done.status_code == 400
        and "Nobody Known is not a member of the constituency" in done.content.decode()
    )
    assert not Poll.objects.filter(election=election).exists()


def test_the_api_creates_an_election_poll_and_a_list_election(constituency_election, assembly):
    council, _constituency, members, officer, election = constituency_election
    client = client_of(officer)
    made = client.post(
        f"/api/organizations/{council.organization.slug}/elections/{election.pk}/polls",
        {"method": "approval", "candidates": [{"member": m.pk} for m in members[:3]]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["purpose"] == "deputies" and len(made.json()["candidates"]) == 3
    a_council, a_members, a_officer, a_election, factions, _lists = assembly
    body = {
        "lists": [
            {"faction": factions[0].pk, "members": [a_members[0].pk, a_members[1].pk]},
            {"faction": factions[1].pk, "members": [a_members[4].pk]},
        ],
        "threshold": "0.05",
    }
    url = f"/api/organizations/{a_council.organization.slug}/elections/{a_election.pk}/list-polls"
    listed = client_of(a_officer).post(url, body, content_type="application/json")
    assert listed.status_code == 201, listed.content
    assert listed.json()["purpose"] == "list"
    body["lists"][0]["faction"] = 999999
    refused = client_of(a_officer).post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "No faction 999999 here" in refused.content.decode()


def test_a_petition_in_its_recall_vote_links_to_the_poll(recall_setup):
    council, seat, others, _officer = recall_setup
    petition, _outcome = reach_threshold(seat, others)
    poll = Poll.objects.get(recall_petition=petition)
    page = client_of(others[3].user).get(
        reverse("constituency", args=[council.organization.slug, seat.constituency.slug])
    )
    html = page.content.decode()
    assert reverse("poll", args=[council.organization.slug, poll.pk]) in html
    assert "Vote in the recall vote" in html
