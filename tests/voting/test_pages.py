"""The poll pages: rules stated before anyone votes, the booth, officers' steps, results, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from councils.counting.blt import parse_blt
from councils.live.topics import Topic
from councils.voting import services
from councils.voting.exports import neutralize
from councils.voting.models import Candidate, Participation, Poll
from councils.web.fragments import FRAGMENTS
from tests.voting.conftest import make_body
from tests.voting.secret_helpers import make_committee

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def body(db):
    return make_body()


def page(body, poll, name="poll", *args):
    return reverse(name, args=[body.organization.slug, poll.pk, *args])


def ids(poll):
    return list(Candidate.objects.filter(poll=poll).order_by("position").values_list("pk", flat=True))


def test_the_poll_page_states_the_rules_before_anyone_votes(body):
    poll = body.poll(majority="two-thirds", quorum="majority", abstentions="count")
    html = client_of(body.deputies[0].user).get(page(body, poll)).content.decode()
    assert "The rules of this poll" in html
    assert "two thirds" in html
    assert "more than half of the electorate" in html
    assert "abstentions count as votes cast" in html
    assert f"the deputies of {body.council.name}" in html
    assert "open (named)" in html
    assert 'sse-connect="/o/' in html and f"topic=poll.{poll.pk}" in html
    assert "0 of 5 electors have voted" in html


def test_the_list_shows_open_polls_and_officers_may_create_one(body):
    body.poll(title="Peace")
    body.poll(open=False, title="Land")
    html = client_of(body.officer).get(reverse("polls", args=[body.organization.slug])).content.decode()
    assert "Peace" in html and "Land" in html and "Create a poll" in html
    deputy = client_of(body.deputies[0].user).get(reverse("polls", args=[body.organization.slug]))
    assert "Create a poll" not in deputy.content.decode()


def test_an_officer_creates_a_poll_with_the_form(body):
    client = client_of(body.officer)
    done = client.post(
        reverse("poll_new", args=[body.organization.slug]),
        {
            "title": "Executive committee",
            "kind": "election",
            "method": "scottish-stv",
            "seats": 2,
            "candidates": "Lenin\nTrotsky\nMartov",
            "electorate": f"council:{body.council.pk}",
            "secrecy": "open",
            "majority": "simple",
            "abstentions": "exclude",
            "quorum": "none",
            "weighting": "equal",
        },
    )
    poll = Poll.objects.get()
    assert done.status_code == 302 and done["Location"] == page(body, poll)
    assert [c.name for c in Candidate.objects.filter(poll=poll)] == ["Lenin", "Trotsky", "Martov"]


def test_a_ranked_secret_poll_is_refused_by_the_form_with_the_reason(body):
    done = client_of(body.officer).post(
        reverse("poll_new", args=[body.organization.slug]),
        {
            "title": "Executive",
            "kind": "election",
            "method": "irv",
            "seats": 1,
            "candidates": "A\nB",
            "electorate": f"council:{body.council.pk}",
            "secrecy": "secret",
            "majority": "simple",
            "abstentions": "exclude",
            "quorum": "none",
            "weighting": "equal",
        },
    )
    assert done.status_code == 200
    assert "mixnet" in done.content.decode()
    assert not Poll.objects.exists()


def test_a_deputy_votes_on_a_motion_in_the_booth_once(body):
    poll = body.poll()
    client = client_of(body.deputies[0].user)
    html = client.get(page(body, poll)).content.decode()
    assert "<legend>Motion on the land decree</legend>" in html
    key = html.split('name="key" value="')[1].split('"')[0]
    done = client.post(page(body, poll, "poll_vote"), {"answer": "yes", "key": key}, follow=True)
    assert "Your vote is taken." in done.content.decode()
    assert "You have voted: yes." in done.content.decode()
    # The same form sent again (a double click, a reload) is answered from the first.
    again = client.post(page(body, poll, "poll_vote"), {"answer": "no", "key": key}, follow=True)
    assert "already been taken" in again.content.decode()
    assert Participation.objects.get(poll=poll).ballot == {"answers": {"yes": 1}}


def test_ranking_with_select_boxes_and_a_gap_is_refused(body):
    poll = body.poll(kind="election", method="irv", candidates=["A", "B", "C"])
    a, b, c = ids(poll)
    client = client_of(body.deputies[0].user)
    html = client.get(page(body, poll)).content.decode()
    assert '<label for="rank-1">Preference 1</label>' in html and 'id="rank-3"' in html
    gap = client.post(
        page(body, poll, "poll_vote"), {"rank-1": str(b), "rank-2": "", "rank-3": str(a)}, follow=True
    )
    assert "Preference 3 is given but preference 2 is left empty." in gap.content.decode()
    twice = client.post(page(body, poll, "poll_vote"), {"rank-1": str(b), "rank-2": str(b)}, follow=True)
    assert "more than once" in twice.content.decode()
    assert not Participation.objects.exists()
    client.post(page(body, poll, "poll_vote"), {"rank-1": str(c), "rank-2": str(a), "rank-3": ""})
    assert Participation.objects.get().ballot == {"ranking": [c, a]}


def test_someone_outside_the_electorate_is_told_so(body):
    poll = body.poll()
    member = body.constituency.members.exclude(pk__in=[d.pk for d in body.deputies]).first()
    html = client_of(member.user).get(page(body, poll)).content.decode()
    assert "You are not in this poll" in html
    done = client_of(member.user).post(page(body, poll, "poll_vote"), {"answer": "yes"}, follow=True)
    assert done.status_code == 403
    assert not Participation.objects.exists()


def test_officers_see_who_has_not_voted_and_run_the_poll_to_its_result(body):
    poll = body.poll(
        kind="election", method="scottish-stv", seats=2, candidates=["Lenin", "Martov", "Chernov"]
    )
    lenin, martov, chernov = ids(poll)
    for deputy, ranking in zip(
        body.deputies, [[lenin, martov], [lenin, chernov], [lenin], [martov], [chernov, martov]], strict=True
    ):
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"ranking": ranking})
        break
    officer = client_of(body.officer)
    html = officer.get(page(body, poll)).content.decode()
    assert "4 electors have not voted yet" in html
    for deputy, ranking in zip(
        body.deputies[1:], [[lenin, chernov], [lenin], [martov], [chernov, martov]], strict=True
    ):
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"ranking": ranking})
    for action in ("close", "count", "publish"):
        officer.post(page(body, poll, "poll_action", action))
    poll.refresh_from_db()
    assert poll.state == Poll.State.PUBLISHED
    html = client_of(body.deputies[0].user).get(page(body, poll)).content.decode()
    assert "Elected: Lenin" in html
    assert "<svg" in html and "Stages of the count and transfers" in html
    assert "Every stage: votes" in html
    assert "Who voted how" in html and "1. Lenin, 2. Martov" in html


def test_exports_neutralize_formulas_and_write_blt(body):
    poll = body.poll(kind="election", method="irv", candidates=["=HYPERLINK(1)", "Martov"])
    evil, martov = ids(poll)
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"ranking": [evil, martov]})
    services.ballot_cast(actor=body.deputies[1].user, poll=poll, ballot={"ranking": [martov]})
    client = client_of(body.officer)
    for action in ("close", "count", "publish"):
        client.post(page(body, poll, "poll_action", action))
    results = client.get(page(body, poll, "poll_export", "results", "csv"))
    rows = list(csv.reader(io.StringIO(results.content.decode())))
    assert rows[0] == ["candidate", "votes at the last stage", "elected"]
    assert [r[0] for r in rows if "HYPERLINK" in r[0]] == ["'=HYPERLINK(1)"]
    stages = json.loads(client.get(page(body, poll, "poll_export", "stages", "json")).content)
    assert stages[0]["number"] == 1
    votes = client.get(page(body, poll, "poll_export", "votes", "csv")).content.decode()
    cells = [c for row in csv.reader(io.StringIO(votes)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    blt = client.get(page(body, poll, "poll_export", "ballots", "blt"))
    profile = parse_blt(blt.content)
    assert profile.candidates == ("=HYPERLINK(1)", "Martov") and profile.total_weight == 2


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("Lenin", "Lenin"),
        (3, 3),
    ],
)
def test_a_csv_cell_is_never_a_formula(value, written):
    assert neutralize(value) == written


def test_the_turnout_fragment_is_what_every_open_page_swaps_in(body):
    poll = body.poll(running_result=True)
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"answer": "yes"})
    html = FRAGMENTS["poll"].render(Topic(body.organization.pk, f"poll.{poll.pk}"))
    assert 'sse-swap="turnout"' in html
    assert "1 of 5 electors have voted" in html
    assert "Votes so far" in html


def test_named_votes_are_not_shown_while_the_poll_is_open(body):
    poll = body.poll()
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"answer": "yes"})
    client = client_of(body.deputies[1].user)
    assert "Who voted how" not in client.get(page(body, poll)).content.decode()
    assert client.get(page(body, poll, "poll_export", "votes", "csv")).status_code == 403


def test_the_admin_lists_polls_and_participations_read_only(body):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    poll = body.poll()
    services.ballot_cast(actor=body.deputies[0].user, poll=poll, ballot={"answer": "yes"})
    client = client_of(admin)
    assert poll.title in client.get("/admin/voting/poll/").content.decode()
    assert client.get("/admin/voting/participation/").status_code == 200
    assert client.get(f"/admin/voting/poll/{poll.pk}/delete/").status_code == 403


def test_a_motions_result_reads_as_a_sentence_with_bars_and_a_table(body):
    poll = body.poll(majority="two-thirds")
    for deputy, answer in zip(body.deputies, ["yes", "yes", "yes", "no", "abstain"], strict=True):
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"answer": answer})
    for step in (services.poll_close, services.poll_count, services.poll_publish):
        step(actor=body.officer, poll=poll)
    html = client_of(body.deputies[0].user).get(page(body, poll)).content.decode()
    assert "Adopted: 3 yes of 4 votes cast, two thirds required" in html
    assert 'role="img"' in html and '<th scope="row">yes</th><td class="num">3</td>' in html


def test_a_secret_polls_page_says_what_secrecy_protects_and_takes_no_plain_ballot(body):
    make_committee(body)
    poll = body.poll(secrecy="secret")
    html = client_of(body.deputies[0].user).get(page(body, poll)).content.decode()
    assert "only the trustees together can decrypt the sum" in html
    assert 'name="answer"' not in html
    officer = client_of(body.officer).get(page(body, poll)).content.decode()
    assert "have not voted yet" not in officer


def test_a_chair_enters_a_roll_call_on_the_page(body):
    poll = body.poll()
    officer = client_of(body.officer)
    html = officer.get(page(body, poll)).content.decode()
    assert "Enter a vote by hands or on paper" in html
    done = officer.post(
        page(body, poll, "poll_roll_call"),
        {f"vote-{body.deputies[0].pk}": "no", f"vote-{body.deputies[1].pk}": "", "total-yes": "2"},
        follow=True,
    )
    assert "The roll call is entered." in done.content.decode()
    row = Participation.objects.get(poll=poll)
    assert row.principal_id == body.deputies[0].pk and row.source == "roll_call"
    poll.refresh_from_db()
    assert poll.entered_totals == {"yes": 2}
    bad = officer.post(page(body, poll, "poll_roll_call"), {"total-yes": "lots"}, follow=True)
    assert "whole numbers" in bad.content.decode()


def _page_queries(deputies: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = make_body(deputies=deputies)
    poll = body.poll(kind="election", method="scottish-stv", seats=2, candidates=["A", "B", "C"])
    a, b, _c = ids(poll)
    for deputy in body.deputies:
        services.ballot_cast(actor=deputy.user, poll=poll, ballot={"ranking": [a, b]})
    for step in (services.poll_close, services.poll_count, services.poll_publish):
        step(actor=body.officer, poll=poll)
    client = client_of(body.officer)
    client.get(page(body, poll))  # the session and caches warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page(body, poll)).status_code == 200
    return len(queries)


def test_the_poll_page_costs_the_same_queries_however_many_voted(db):
    assert _page_queries(3) == _page_queries(12)
