"""Polls of the whole organization's members: a list election of a Constituent Assembly voted by
the members of every constituency, and a referendum of the membership."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.audit.models import Event
from councils.federation import services as fed_services
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Officer,
    Organization,
    SeatAllocation,
)
from councils.federation.models import Seat as SeatModel
from councils.voting import services
from councils.voting.handlers.lists import list_poll_create
from councils.voting.models import Candidate, Elector, Poll
from tests.factories import (
    ConstituencyFactory,
    CouncilFactory,
    FactionFactory,
    MemberFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class Federation:
    """A soviet with two factories, a Constituent Assembly whose one district holds the lists'
    candidates, an organizer and a returning officer."""

    organization: Organization
    assembly: Council
    district: Constituency
    putilov: list[Member]
    obukhov: list[Member]
    candidates: list[Member]
    organizer: User
    returning_officer: User
    factions: list[Faction]
    election: Election

    @property
    def lists(self) -> list[tuple[Faction, list[Member]]]:
        c = self.candidates
        return [(self.factions[0], c[0:4]), (self.factions[1], c[4:6]), (self.factions[2], c[6:8])]


def officer(organization: Organization, role: str) -> User:
    user = UserFactory()
    OfficerFactory(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def federation(db) -> Federation:
    soviet = CouncilFactory(name="Petrograd Soviet")
    organization = soviet.organization
    putilov = ConstituencyFactory(council=soviet, name="Putilov works")
    obukhov = ConstituencyFactory(council=soviet, name="Obukhov works")
    assembly = CouncilFactory(
        organization=organization, name="Constituent Assembly", apportionment_method="dhondt"
    )
    district = ConstituencyFactory(council=assembly, name="Petrograd capital")
    SeatAllocation.objects.create(
        council=assembly, constituency=district, seats=5, start=timezone.now() - timedelta(days=300)
    )
    organizer = officer(organization, Officer.Role.ORGANIZER)
    election = fed_services.election_open(actor=organizer, council=assembly, constituency=district)
    return Federation(
        organization=organization,
        assembly=assembly,
        district=district,
        putilov=[MemberFactory(constituency=putilov) for _ in range(7)],
        obukhov=[MemberFactory(constituency=obukhov) for _ in range(6)],
        candidates=[MemberFactory(constituency=district) for _ in range(8)],
        organizer=organizer,
        returning_officer=officer(organization, Officer.Role.RETURNING_OFFICER),
        factions=[FactionFactory(organization=organization, name=n) for n in ("Bolsheviks", "SRs", "Kadets")],
        election=election,
    )


def choose(poll: Poll, member: Member, name: str) -> None:
    line = Candidate.objects.get(poll=poll, name=name)
    services.ballot_cast(actor=member.user, poll=poll, ballot={"ranking": [line.pk]})


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- services ----------------------------------------------------------------------------------


def test_the_whole_organization_elects_the_assembly_from_the_lists(federation):
    f = federation
    poll = list_poll_create(
        actor=f.organizer, election=f.election, lists=f.lists, threshold="0.1", electorate_organization=True
    )
    assert poll.electorate_kind == "organization" and poll.electorate_name == f.organization.name
    assert poll.electorate_constituency is None
    poll = services.poll_open(actor=f.organizer, poll=poll)
    everyone = {m.pk for m in f.putilov + f.obukhov + f.candidates}
    assert set(Elector.objects.filter(poll=poll).values_list("member_id", flat=True)) == everyone
    assert set(Elector.objects.filter(poll=poll).values_list("weight", flat=True)) == {1}
    opened = Event.objects.get(kind="poll.opened")
    assert opened.data["electors"] == 21 and opened.data["weight"] == 21
    # Members of both factories vote: 7 for the Bolsheviks, 4 for the SRs, 1 for the Kadets.
    for m in f.putilov:
        choose(poll, m, "Bolsheviks")
    for m in f.obukhov[:4]:
        choose(poll, m, "SRs")
    choose(poll, f.obukhov[4], "Kadets")  # 1 of 12: under the 10 % threshold
    services.poll_close(actor=f.returning_officer, poll=poll)
    poll = services.poll_count(actor=f.returning_officer, poll=poll)
    # D'Hondt, 5 seats among 7 and 4 votes: 7, 4, 3.5, 2.33, 2 take them: 3 and 2.
    assert poll.result["apportionment"]["seats"] == {"Bolsheviks": 3, "SRs": 2, "Kadets": 0}
    assert poll.result["apportionment"]["excluded_by_threshold"] == ["Kadets"]
    services.poll_publish(actor=f.returning_officer, poll=poll)
    held: dict[str, set[int]] = {}
    for seat in SeatModel.objects.filter(council=f.assembly, end__isnull=True):
        held.setdefault(seat.faction.name, set()).add(seat.holder_id)
    assert (
        held
        == {
            "Bolsheviks": {m.pk for m in f.candidates[0:3]},  # the list's first three, in order
            "SRs": {m.pk for m in f.candidates[4:6]},
        }
    )


def test_a_non_member_and_a_member_who_left_before_opening_are_refused(federation):
    f = federation
    gone = MemberFactory(
        constituency=f.putilov[0].constituency, joined_at=timezone.now() - timedelta(days=90)
    )
    fed_services.member_leave(actor=f.organizer, member=gone, at=timezone.now() - timedelta(days=1))
    stranger = MemberFactory()  # a member of another organization
    poll = list_poll_create(
        actor=f.organizer, election=f.election, lists=f.lists, electorate_organization=True
    )
    poll = services.poll_open(actor=f.organizer, poll=poll)
    for voter in (gone, stranger):
        with pytest.raises(NotAllowed, match="not in the electorate"):
            choose(poll, voter, "SRs")
    assert not poll.participations.exists()


def test_a_member_who_moved_is_counted_once_where_they_are_now(federation):
    f = federation
    mover = f.putilov[0]
    moved = fed_services.member_move(actor=f.organizer, member=mover, constituency=f.obukhov[0].constituency)
    poll = services.poll_create(
        actor=f.organizer,
        organization=f.organization,
        title="Referendum on the peace decree",
        kind=Poll.Kind.MOTION,
        electorate_organization=True,
    )
    poll = services.poll_open(actor=f.organizer, poll=poll)
    mine = Elector.objects.filter(poll=poll, member__user=mover.user)
    assert list(mine.values_list("member_id", flat=True)) == [moved.member.pk]
    assert Elector.objects.filter(poll=poll).count() == 21


def test_opening_costs_the_same_queries_for_a_larger_membership(federation):
    f = federation

    def open_counting_queries() -> int:
        poll = services.poll_create(
            actor=f.organizer,
            organization=f.organization,
            title="Referendum",
            kind=Poll.Kind.MOTION,
            electorate_organization=True,
        )
        with CaptureQueriesContext(connection) as queries:
            services.poll_open(actor=f.organizer, poll=poll)
        return len(queries)

    before = open_counting_queries()
    for _ in range(30):
        MemberFactory(constituency=f.district)
    assert open_counting_queries() == before


def test_only_an_organizer_creates_or_opens_a_poll_of_the_whole_organization(federation):
    f = federation
    with pytest.raises(NotAllowed, match="organizer of the organization"):
        list_poll_create(
            actor=f.returning_officer, election=f.election, lists=f.lists, electorate_organization=True
        )
    poll = services.poll_create(
        actor=f.organizer,
        organization=f.organization,
        title="Referendum",
        kind=Poll.Kind.MOTION,
        electorate_organization=True,
    )
    with pytest.raises(NotAllowed, match="organizer of the organization"):
        services.poll_open(actor=f.returning_officer, poll=poll)
    assert Poll.objects.get(pk=poll.pk).state == Poll.State.DRAFT
    assert not Elector.objects.exists()


@pytest.mark.parametrize("purpose", [Poll.Purpose.RECALL, Poll.Purpose.DELEGATES, Poll.Purpose.DEPUTIES])
def test_a_recall_or_an_election_of_deputies_is_not_voted_by_the_whole_organization(federation, purpose):
    f = federation
    with pytest.raises(ValidationError, match="not voted by the whole organization") as info:
        services.poll_create(
            actor=f.organizer,
            organization=f.organization,
            title="Recall",
            kind=Poll.Kind.MOTION,
            electorate_organization=True,
            purpose=purpose,
        )
    assert "electorate" in info.value.message_dict
    assert not Poll.objects.exists()


def test_two_electorates_at_once_are_refused(federation):
    f = federation
    with pytest.raises(ValidationError, match="Name one electorate"):
        services.poll_create(
            actor=f.organizer,
            organization=f.organization,
            title="Referendum",
            kind=Poll.Kind.MOTION,
            electorate_constituency=f.district,
            electorate_organization=True,
        )
    assert not Poll.objects.exists()


# --- API and pages -----------------------------------------------------------------------------


def test_the_api_creates_a_referendum_of_the_whole_organization(federation):
    f = federation
    url = f"/api/organizations/{f.organization.slug}/polls"
    body = {"title": "Peace without annexations", "kind": "motion", "whole_organization": True}
    refused = client_of(f.returning_officer).post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    made = client_of(f.organizer).post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["electorate_kind"] == "organization"
    assert made.json()["electorate"] == f.organization.slug
    both = client_of(f.organizer).post(
        url, json.dumps(body | {"constituency": f.district.slug}), content_type="application/json"
    )
    assert both.status_code == 400 and "one electorate" in both.content.decode()


def test_the_api_creates_a_list_election_of_the_whole_organization(federation):
    f = federation
    url = f"/api/organizations/{f.organization.slug}/elections/{f.election.pk}/list-polls"
    body = {
        "lists": [{"faction": fac.pk, "members": [m.pk for m in ms]} for fac, ms in f.lists],
        "threshold": "0.05",
        "whole_organization": True,
    }
    made = client_of(f.organizer).post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["electorate_kind"] == "organization" and made.json()["purpose"] == "list"


def test_the_form_creates_a_poll_of_the_whole_organization(federation):
    f = federation
    response = client_of(f.organizer).post(
        reverse("poll_new", args=[f.organization.slug]),
        {
            "title": "Referendum on the land decree",
            "kind": "motion",
            "seats": 1,
            "electorate": "organization:",
            "secrecy": "open",
            "majority": "simple",
            "abstentions": "exclude",
            "quorum": "none",
            "weighting": "equal",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get()
    assert poll.electorate_organization and poll.electorate_constituency_id is None


def test_the_list_form_makes_the_whole_organization_vote(federation):
    f = federation
    data = {
        "secrecy": "open",
        "quorum": "none",
        "method": "dhondt",
        "threshold": "0.05",
        "whole_organization": "on",
    }
    for faction, members in f.lists:
        data[f"list-{faction.pk}"] = "\n".join(m.name for m in members)
    url = reverse("list_poll_new", args=[f.organization.slug, f.election.pk])
    response = client_of(f.organizer).post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Poll.objects.get().electorate_organization


def test_the_poll_page_shows_the_whole_organization_and_its_electorate_by_constituency(federation):
    f = federation
    poll = list_poll_create(
        actor=f.organizer, election=f.election, lists=f.lists, electorate_organization=True
    )
    poll = services.poll_open(actor=f.organizer, poll=poll)
    choose(poll, f.putilov[0], "SRs")
    html = (
        client_of(f.putilov[1].user)
        .get(reverse("poll", args=[f.organization.slug, poll.pk]))
        .content.decode()
    )
    assert f"the members of every constituency of {f.organization.name} when the poll opens" in html
    assert "The electorate: 21 electors, fixed when the poll opened" in html
    assert '<th scope="row">Putilov works</th><td class="num">7</td><td class="num">1</td>' in html
    assert '<th scope="row">Obukhov works</th><td class="num">6</td><td class="num">0</td>' in html
    assert '<th scope="row">Petrograd capital</th><td class="num">8</td><td class="num">0</td>' in html


def test_a_large_electorate_is_shown_by_its_numbers_and_downloads_by_name(federation, monkeypatch):
    from councils.voting import selectors

    f = federation
    monkeypatch.setattr(selectors, "ELECTORS_LISTED", 10)
    poll = services.poll_create(
        actor=f.organizer,
        organization=f.organization,
        title="Referendum",
        kind=Poll.Kind.MOTION,
        electorate_organization=True,
    )
    poll = services.poll_open(actor=f.organizer, poll=poll)
    client = client_of(f.organizer)
    html = client.get(reverse("poll", args=[f.organization.slug, poll.pk])).content.decode()
    assert "The electorate: 21 electors, fixed when the poll opened" in html
    assert "Too many electors to name them on this page (it names up to 10)." in html
    assert f.candidates[0].name not in html
    assert '<th scope="row">Putilov works</th><td class="num">7</td>' in html
    download = client.get(reverse("poll_export", args=[f.organization.slug, poll.pk, "electorate", "csv"]))
    lines = download.content.decode().splitlines()
    assert lines[0] == "elector,constituency,weight" and len(lines) == 22
    assert any(line.endswith(",Putilov works,1") and f.putilov[0].name in line for line in lines)


def test_members_of_the_whole_organization_carry_no_represented_weight(federation):
    f = federation
    with pytest.raises(ValidationError, match="Only deputies carry the members they represent"):
        services.poll_create(
            actor=f.organizer,
            organization=f.organization,
            title="Referendum",
            kind=Poll.Kind.MOTION,
            electorate_organization=True,
            weighting=Poll.Weighting.REPRESENTED,
        )
    assert not Poll.objects.exists()
