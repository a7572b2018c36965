"""The voting API: polls, their life, casting with an Idempotency-Key, results, named votes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from councils.voting.models import Candidate, Participation, Poll
from tests.api.conftest import TokenClient
from tests.voting.conftest import make_body

pytestmark = pytest.mark.django_db


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def body(db):
    return make_body()


def url(body, tail=""):
    return f"/api/organizations/{body.organization.slug}/polls{tail}"


def test_an_officer_creates_and_opens_a_poll_and_a_deputy_votes(body, client_of):
    officer = client_of(body.officer)
    made = post(
        officer,
        url(body),
        {
            "title": "All power to the soviets",
            "kind": "motion",
            "council": body.council.slug,
            "majority": "two-thirds",
        },
    )
    assert made.status_code == 201, made.content
    poll_id = made.json()["id"]
    assert made.json()["state"] == "draft" and made.json()["majority"] == "two-thirds"
    opened = post(officer, url(body, f"/{poll_id}/open"))
    assert opened.json()["state"] == "open"
    assert opened.json()["turnout"] == {"electors": 5, "electorate_weight": 5, "voters": 0, "voted_weight": 0}
    deputy = client_of(body.deputies[0].user)
    cast = post(deputy, url(body, f"/{poll_id}/ballots"), {"answer": "yes"}, HTTP_IDEMPOTENCY_KEY="abc")
    assert cast.status_code == 201, cast.content
    assert cast.json()["replayed"] is False and cast.json()["ballot"] == {"answers": {"yes": 1}}
    listed = officer.get(url(body))
    assert [p["id"] for p in listed.json()["items"]] == [poll_id] and listed.json()["count"] == 1


def test_a_retry_with_the_key_gets_200_and_the_first_answer_and_another_key_409(body, client_of):
    poll = body.poll()
    deputy = client_of(body.deputies[0].user)
    first = post(deputy, url(body, f"/{poll.pk}/ballots"), {"answer": "yes"}, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(deputy, url(body, f"/{poll.pk}/ballots"), {"answer": "no"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 200
    assert again.json()["participation"] == first.json()["participation"]
    assert again.json()["replayed"] is True and again.json()["ballot"] == {"answers": {"yes": 1}}
    other = post(deputy, url(body, f"/{poll.pk}/ballots"), {"answer": "no"}, HTTP_IDEMPOTENCY_KEY="k2")
    assert other.status_code == 409
    assert "already voted" in other.json()["detail"]
    assert Participation.objects.filter(poll=poll).count() == 1


def test_a_script_votes_with_a_token_without_csrf(body):
    from councils.accounts.services import token_create

    poll = body.poll()
    _token, secret = token_create(actor=body.deputies[1].user, name="voting script")
    done = TokenClient(secret).post(
        url(body, f"/{poll.pk}/ballots"), json.dumps({"answer": "no"}), content_type="application/json"
    )
    assert done.status_code == 201, done.content


def test_refusals_change_nothing_and_say_why(body, client_of):
    poll = body.poll(kind="election", method="plurality", candidates=["A", "B"])
    a, b = Candidate.objects.filter(poll=poll).order_by("position").values_list("pk", flat=True)
    deputy = client_of(body.deputies[0].user)
    too_many = post(deputy, url(body, f"/{poll.pk}/ballots"), {"ranking": [a, b]})
    assert too_many.status_code == 400 and "Too many marks" in too_many.json()["errors"]["ballot"][0]
    member = client_of(body.constituency.members.exclude(pk__in=[d.pk for d in body.deputies]).first().user)
    outside = post(member, url(body, f"/{poll.pk}/ballots"), {"ranking": [a]})
    assert outside.status_code == 403 and "electorate" in outside.json()["detail"]
    stranger = post(client_of(body.outsider), url(body, f"/{poll.pk}/ballots"), {"ranking": [a]})
    assert stranger.status_code == 403
    anonymous = post(Client(), url(body, f"/{poll.pk}/ballots"), {"ranking": [a]})
    assert anonymous.status_code == 401
    draft = body.poll(open=False)
    closed = post(deputy, url(body, f"/{draft.pk}/ballots"), {"answer": "yes"})
    assert closed.status_code == 400 and "draft" in closed.json()["errors"]["poll"][0]
    assert not Participation.objects.exists()


def test_a_deputy_may_not_run_a_poll(body, client_of):
    poll = body.poll()
    done = post(client_of(body.deputies[0].user), url(body, f"/{poll.pk}/close"))
    assert done.status_code == 403
    assert Poll.objects.get(pk=poll.pk).state == "open"


def test_a_ranked_secret_poll_is_refused_by_the_api_with_the_reason(body, client_of):
    done = post(
        client_of(body.officer),
        url(body),
        {
            "title": "Executive",
            "kind": "election",
            "method": "meek-stv",
            "seats": 2,
            "candidates": ["A", "B", "C"],
            "secrecy": "secret",
            "council": body.council.slug,
        },
    )
    assert done.status_code == 400
    assert "mixnet" in done.json()["errors"]["secrecy"][0]


def test_officers_see_who_has_not_voted_and_everyone_the_named_votes_after_close(body, client_of):
    poll = body.poll()
    officer = client_of(body.officer)
    deputy = client_of(body.deputies[0].user)
    post(deputy, url(body, f"/{poll.pk}/ballots"), {"answer": "yes"})
    missing = officer.get(url(body, f"/{poll.pk}/not-voted"))
    assert missing.status_code == 200
    assert {m["member"] for m in missing.json()} == {d.pk for d in body.deputies[1:]}
    assert deputy.get(url(body, f"/{poll.pk}/not-voted")).status_code == 403
    assert deputy.get(url(body, f"/{poll.pk}/votes")).status_code == 403  # not before the close
    post(officer, url(body, f"/{poll.pk}/close"))
    votes = deputy.get(url(body, f"/{poll.pk}/votes"))
    assert votes.json() == [
        {
            "member": body.deputies[0].pk,
            "name": body.deputies[0].name,
            "weight": 1,
            "choice": "yes",
            "answers": {"yes": 1},
            "ranking": [],
            "cast_by": "",
            "source": "online",
        }
    ]


def test_results_with_stages_once_published(body, client_of):
    poll = body.poll(kind="election", method="scottish-stv", seats=2, candidates=["A", "B", "C"])
    ids = list(Candidate.objects.filter(poll=poll).order_by("position").values_list("pk", flat=True))
    for deputy, ranking in zip(body.deputies, [[0, 1], [0, 2], [0, 1], [1], [2, 1]], strict=True):
        post(client_of(deputy.user), url(body, f"/{poll.pk}/ballots"), {"ranking": [ids[i] for i in ranking]})
    officer = client_of(body.officer)
    for step in ("close", "count"):
        assert post(officer, url(body, f"/{poll.pk}/{step}")).status_code == 200
    deputy = client_of(body.deputies[0].user)
    assert deputy.get(url(body, f"/{poll.pk}/results")).status_code == 403
    assert officer.get(url(body, f"/{poll.pk}/results")).status_code == 200
    post(officer, url(body, f"/{poll.pk}/publish"))
    result = deputy.get(url(body, f"/{poll.pk}/results")).json()
    assert result["state"] == "published"
    assert "A" in result["result"]["elected"]
    assert result["result"]["stages"][0]["votes"]["A"]


def test_the_openapi_document_lists_the_exact_enumerations():
    document = Client().get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    poll_in = schemas["PollIn"]["properties"]

    def enum_of(prop):
        ref = prop.get("$ref") or next(
            p["$ref"] for p in prop.get("anyOf", prop.get("allOf", [])) if "$ref" in p
        )
        return schemas[ref.rsplit("/", 1)[1]]["enum"]

    assert enum_of(poll_in["method"]) == [
        "plurality",
        "block",
        "approval",
        "irv",
        "scottish-stv",
        "meek-stv",
        "schulze",
    ]
    assert enum_of(poll_in["kind"]) == ["motion", "election"]
    assert enum_of(poll_in["secrecy"]) == ["open", "secret"]
    assert enum_of(schemas["PollOut"]["properties"]["state"]) == [
        "draft",
        "open",
        "closed",
        "counted",
        "published",
        "cancelled",
    ]
    cast = document["paths"]["/api/organizations/{slug}/polls/{poll_id}/ballots"]["post"]
    assert "409" in cast["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in cast["parameters"])
