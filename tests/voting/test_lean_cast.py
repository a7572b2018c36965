"""The lean cast (``councils.lean.cast``) answers every cast exactly as the ninja endpoint under the
whole stack does: each case is sent through both, from the same database state, and compared."""

from __future__ import annotations

import json

import pytest

from councils import lean, serving
from councils.accounts.services import token_create
from councils.voting import selectors, services
from councils.voting.models import Elector, Participation
from tests.voting.conftest import Body, make_body
from tests.voting.secret_setup import encrypted, ready_committee
from tests.wsgi import Answer, NinjaHandler, compare, environ, keep_test_connection, send

pytestmark = pytest.mark.django_db

APP = serving.application


_keep_the_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


@pytest.fixture(scope="module")
def ninja_handler() -> NinjaHandler:
    return NinjaHandler()


def _compare(ninja_handler, method: str, path: str, body: bytes, **headers: str) -> Answer:
    """The answer of the lean cast, after checking that ninja's endpoint gives the same; ``stored``
    counts the participations after the request."""
    return compare(
        ninja_handler,
        method,
        path,
        body,
        headers,
        stored=Participation.objects.count,
        blanked=("participation", "cast_at"),
        reset=selectors._poll_cache.clear,
    )


@pytest.fixture
def votes() -> Body:
    assert lean.enabled() and APP.token_api is not None
    return make_body()


def _token(user, name: str = "script") -> str:
    _token_row, secret = token_create(actor=user, name=name)
    return f"Bearer {secret}"


def _path(body: Body, poll_id: object, slug: str | None = None) -> str:
    return f"/api/organizations/{slug or body.organization.slug}/polls/{poll_id}/ballots"


def test_a_first_cast_a_retry_and_another_key(votes, ninja_handler) -> None:
    poll = votes.poll()
    auth = _token(votes.deputies[0].user)
    path = _path(votes, poll.pk)
    first = _compare(
        ninja_handler, "POST", path, b'{"answer": "yes"}', HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status == 201 and first.stored == 1
    assert first.body["ballot"] == {"answers": {"yes": 1}} and first.body["replayed"] is False
    assert first.headers[b"content-type"] == b"application/json; charset=utf-8"
    assert b"x-frame-options" in first.headers and b"content-security-policy" in first.headers
    # Cast for good (outside the comparison), then retry and vote again.
    services.ballot_cast(
        actor=votes.deputies[0].user, poll=poll, ballot={"answer": "yes"}, idempotency_key="k1"
    )
    again = _compare(
        ninja_handler, "POST", path, b'{"answer": "no"}', HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.status == 200 and again.body["replayed"] is True and again.stored == 1
    other = _compare(
        ninja_handler, "POST", path, b'{"answer": "no"}', HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert other.status == 409 and "already voted" in other.body["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"answer": "maybe"}', 400),  # the service refuses it
        (b'{"answer": 5}', 422),  # the schema refuses it
        (b'{"ranking": "A", "answers": {"yes": "x"}}', 422),  # two errors at once
        (b'{"principal": 99999999}', 400),  # no such member
        (b"{not json", 422),
        (b"", 422),
        (b"null", 400),  # ninja reads it as an empty ballot
        (b"[1, 2]", 400),
        (b'"yes"', 400),
        (b"{}", 400),
    ],
)
def test_a_refused_ballot(votes, ninja_handler, body, status) -> None:
    poll = votes.poll()
    answer = _compare(
        ninja_handler,
        "POST",
        _path(votes, poll.pk),
        body,
        HTTP_AUTHORIZATION=_token(votes.deputies[0].user),
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert answer.status == status and answer.stored == 0


def test_refusals_in_the_readers_language(votes, ninja_handler) -> None:
    poll = votes.poll()
    auth = _token(votes.deputies[0].user)
    for body in (b'{"answer": 5}', b"{not", b'{"answer": "maybe"}'):
        answer = _compare(
            ninja_handler,
            "POST",
            _path(votes, poll.pk),
            body,
            HTTP_AUTHORIZATION=auth,
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert answer.headers[b"content-language"] == b"ru"
    refused = _compare(
        ninja_handler,
        "POST",
        _path(votes, poll.pk),
        b'{"answer": "yes"}',
        HTTP_AUTHORIZATION="Bearer cnc_wrong",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert refused.status == 401 and "токен" in refused.body["detail"]


def test_a_poll_not_open_a_voter_outside_and_unknown_addresses(votes, ninja_handler) -> None:
    draft = votes.poll(open=False)
    poll = votes.poll()
    deputy = _token(votes.deputies[0].user)
    yes = b'{"answer": "yes"}'
    cases = [
        (_path(votes, draft.pk), deputy, 400),
        (_path(votes, poll.pk), _token(votes.outsider), 403),  # not a member
        (_path(votes, poll.pk), _token(make_body().deputies[0].user), 403),  # another organization's
        (_path(votes, 99999999), deputy, 404),
        (_path(votes, poll.pk, slug="no-such-organization"), deputy, 404),
        (_path(votes, "99999999999999999999"), deputy, 404),  # beyond the database's integers
        (_path(votes, "x1"), deputy, 422),  # not an id: ninja names it
        (_path(votes, poll.pk), "Bearer cnc_not-a-token", 401),
        (_path(votes, poll.pk), "Bearer ", 401),
    ]
    for path, auth, status in cases:
        answer = _compare(ninja_handler, "POST", path, yes, HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k")
        assert answer.status == status, (path, answer)
        assert answer.stored == 0
    assert answer.headers[b"www-authenticate"] == b'Bearer realm="api"'


def test_a_member_not_on_the_council_is_refused(votes, ninja_handler) -> None:
    poll = votes.poll()
    from councils.federation.models import Member

    member = Member.objects.filter(constituency=votes.constituency).exclude(
        pk__in=[d.pk for d in votes.deputies]
    )[0]
    answer = _compare(
        ninja_handler,
        "POST",
        _path(votes, poll.pk),
        b'{"answer": "yes"}',
        HTTP_AUTHORIZATION=_token(member.user),
    )
    assert answer.status == 403 and answer.stored == 0


def test_a_proxy_cast(votes, ninja_handler) -> None:
    poll = votes.poll()
    giver, holder = votes.deputies[1], votes.deputies[2]
    services.proxy_give(actor=giver.user, poll=poll, holder=holder)
    body = json.dumps({"answer": "no", "principal": giver.pk}).encode()
    answer = _compare(
        ninja_handler,
        "POST",
        _path(votes, poll.pk),
        body,
        HTTP_AUTHORIZATION=_token(holder.user),
        HTTP_IDEMPOTENCY_KEY="p",
    )
    assert answer.status == 201 and answer.body["principal"] == giver.pk and answer.stored == 1
    # Without the proxy: refused.
    body = json.dumps({"answer": "no", "principal": votes.deputies[3].pk}).encode()
    answer = _compare(
        ninja_handler, "POST", _path(votes, poll.pk), body, HTTP_AUTHORIZATION=_token(votes.deputies[4].user)
    )
    assert answer.status == 403 and answer.stored == 0


def test_an_election(votes, ninja_handler) -> None:
    election = votes.poll(kind="election", method="plurality", candidates=["A", "B"])
    first, second = (c.pk for c in selectors.candidates(poll=election))
    auth = _token(votes.deputies[0].user)
    for ranking, status in (([first], 201), ([first, second], 400), ([0], 400)):
        body = json.dumps({"ranking": ranking}).encode()
        answer = _compare(ninja_handler, "POST", _path(votes, election.pk), body, HTTP_AUTHORIZATION=auth)
        assert answer.status == status


def test_a_secret_poll(votes, ninja_handler) -> None:
    committee, _keys = ready_committee(votes)
    poll = votes.poll(secrecy="secret", committee=committee)
    auth = _token(votes.deputies[0].user)
    path = _path(votes, poll.pk)
    plain = _compare(ninja_handler, "POST", path, b'{"answer": "yes"}', HTTP_AUTHORIZATION=auth)
    assert plain.status == 400 and plain.stored == 0
    body = json.dumps({"ballot": encrypted(poll, [1, 0, 0])}).encode()
    receipt = _compare(ninja_handler, "POST", path, body, HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="s1")
    assert receipt.status == 201 and receipt.stored == 1 and len(receipt.body["tracker"]) == 64


@pytest.mark.parametrize(
    "ballot", [{"answers": 5}, {"answers": [{"alpha": "zz"}]}, "not a ballot", {"version": 99}]
)
def test_a_malformed_secret_ballot_is_refused_as_ninja_refuses_it(votes, ninja_handler, ballot) -> None:
    committee, _keys = ready_committee(votes)
    poll = votes.poll(secrecy="secret", committee=committee)
    body = json.dumps({"ballot": ballot}).encode()
    path = _path(votes, poll.pk)
    auth = _token(votes.deputies[0].user)
    answer = _compare(ninja_handler, "POST", path, body, HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="m")
    assert answer.status in (400, 422) and answer.stored == 0
    # Without a live token, the token is refused first.
    stranger = _compare(
        ninja_handler, "POST", path, body, HTTP_AUTHORIZATION="Bearer cnc_nothing", HTTP_IDEMPOTENCY_KEY="m"
    )
    assert stranger.status == 401 and stranger.stored == 0


def test_secret_ballots_of_weighted_voters_are_on_a_board_that_verifies(votes, ninja_handler) -> None:
    from councils.voting.crypto.board import verify_board

    committee, _keys = ready_committee(votes)
    poll = votes.poll(secrecy="secret", committee=committee)
    Elector.objects.filter(poll=poll, member=votes.deputies[0]).update(weight=5)
    path = _path(votes, poll.pk)
    body = json.dumps({"ballot": encrypted(poll, [0, 1, 0])}).encode()
    headers = {"HTTP_AUTHORIZATION": _token(votes.deputies[0].user), "HTTP_IDEMPOTENCY_KEY": "w"}
    compared = _compare(ninja_handler, "POST", path, body, **headers)  # the same head both ways
    assert compared.status == 201

    def kept(body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """A request through the lean view, not rolled back."""
        found = APP.run_wsgi(
            environ("POST", path, body, CONTENT_TYPE="application/json", **headers), None, APP.token_api
        )
        assert found is not None
        return found[0], found[2]

    # Cast for good through the lean view, then the second deputy, then a copy of the first ballot.
    assert kept(body, headers)[0] == 201
    other = {"HTTP_AUTHORIZATION": _token(votes.deputies[1].user), "HTTP_IDEMPOTENCY_KEY": "o"}
    assert kept(json.dumps({"ballot": encrypted(poll, [1, 0, 0])}).encode(), other)[0] == 201
    # A copy, and the same ciphertexts in another order (every proof still holds): refused.
    third = {"HTTP_AUTHORIZATION": _token(votes.deputies[2].user), "HTTP_IDEMPOTENCY_KEY": "c"}
    first = json.loads(body)["ballot"]
    reordered = {**first, "answers": [first["answers"][1], first["answers"][0], first["answers"][2]]}
    for copy in (body, json.dumps({"ballot": reordered}).encode()):
        status, content = kept(copy, third)
        assert status == 400 and b"repeats a ciphertext" in content
    checked = verify_board(services.board_document(poll), processes=1)
    assert checked.ballots == 2
    assert sorted(Participation.objects.filter(poll=poll).values_list("weight", flat=True)) == [1, 5]


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("POST", {"CONTENT_TYPE": "text/plain"}),  # not declared JSON: ninja reads it all the same
        ("POST", {"CONTENT_TYPE": "application/x-www-form-urlencoded"}),
        ("GET", {}),  # 405 from ninja
        ("PUT", {}),
    ],
)
def test_what_the_lean_cast_does_not_expect_goes_to_ninja(votes, ninja_handler, method, headers) -> None:
    poll = votes.poll()
    answer = _compare(
        ninja_handler,
        method,
        _path(votes, poll.pk),
        b'{"answer": "yes"}',
        HTTP_AUTHORIZATION=_token(votes.deputies[0].user),
        **headers,
    )
    assert answer.status in (201, 405)


def _statements(votes, poll, body: bytes, user) -> tuple[Answer, list[str]]:
    """A first cast with a token used for the first time, and the statements it ran (rolled back)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = _path(votes, poll.pk)
    # Another deputy's cast first (rolled back), so that the poll is known as a running server knows it.
    warm = {"HTTP_AUTHORIZATION": _token(votes.deputies[1].user, f"warm {poll.pk}")}
    assert send(APP.token_api, "POST", path, body, warm, stored=list).status == 201
    headers = {"HTTP_AUTHORIZATION": _token(user, f"first {poll.pk}"), "HTTP_IDEMPOTENCY_KEY": "first"}
    with CaptureQueriesContext(connection) as captured:
        answer = send(APP.token_api, "POST", path, body, headers, stored=list)
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    assert Participation.objects.filter(poll=poll).count() == 0  # send() rolled the request back
    return answer, statements


def test_a_token_used_for_the_first_time_casts_in_one_statement_on_postgresql(votes) -> None:
    from django.db import connection

    poll = votes.poll()
    answer, statements = _statements(votes, poll, b'{"answer": "no"}', votes.deputies[0].user)
    assert answer.status == 201 and answer.body["ballot"] == {"answers": {"no": 1}}
    shown = "\n".join(s[:150] for s in statements)
    if connection.vendor == "postgresql":
        # The token with the voter's elector row, and the participation written from it.
        assert len(statements) == 1, shown
        assert "accounts_apitoken" in statements[0] and "INSERT INTO voting_participation" in statements[0]
    else:
        # The token with the voter's elector row, then the participation.
        assert len(statements) == 2, shown
        assert "accounts_apitoken" in statements[0] and "voting_elector" in statements[0]
        assert statements[1].startswith("INSERT INTO voting_participation")
    # A ranking is written as it is (an election's ballot does not depend on the weight).
    election = votes.poll(kind="election", method="approval", candidates=["A", "B", "C"], seats=2)
    first, _second, third = (c.pk for c in selectors.candidates(poll=election))
    body = json.dumps({"ranking": [third, first]}).encode()
    answer, statements = _statements(votes, election, body, votes.deputies[2].user)
    assert answer.status == 201 and answer.body["ballot"] == {"ranking": [third, first]}
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)


def test_a_weighted_vote_carries_the_voters_weight(votes, ninja_handler) -> None:
    poll = votes.poll()
    Elector.objects.filter(poll=poll, member=votes.deputies[0]).update(weight=7)
    auth = _token(votes.deputies[0].user)
    path = _path(votes, poll.pk)
    answer = _compare(ninja_handler, "POST", path, b'{"answer": "abstain"}', HTTP_AUTHORIZATION=auth)
    assert answer.status == 201 and answer.body["weight"] == 7
    assert answer.body["ballot"] == {"answers": {"abstain": 7}}
    # A split weight is checked against the weight before anything is written.
    for split, status in (({"yes": 4, "no": 3}, 201), ({"yes": 4, "no": 4}, 400)):
        body = json.dumps({"answers": split}).encode()
        answer = _compare(ninja_handler, "POST", path, body, HTTP_AUTHORIZATION=auth)
        assert answer.status == status
    stored = Participation.objects.filter(poll=poll)
    assert not stored.exists()  # _compare rolls each request back


def test_a_ballot_check_that_needs_the_voter_refuses_before_anything_is_written(votes, ninja_handler) -> None:
    from django.core.exceptions import ValidationError

    from councils.voting import hooks

    poll = votes.poll()
    other = votes.poll(title="Another motion")

    def refuse(checked, principal_id, ballot, moment) -> None:
        if checked.pk == poll.pk:
            raise ValidationError({"ballot": f"Member {principal_id} may not vote here."})

    hooks.register_ballot_check(refuse, applies=lambda checked: checked.pk == poll.pk)
    try:
        assert hooks.checks_need_voter(poll)
        refused = _compare(
            ninja_handler,
            "POST",
            _path(votes, poll.pk),
            b'{"answer": "yes"}',
            HTTP_AUTHORIZATION=_token(votes.deputies[0].user),
        )
        assert refused.status == 400 and refused.stored == 0
        assert str(votes.deputies[0].pk) in json.dumps(refused.body)
        # In a poll the check says it cannot refuse, the vote is written without asking it.
        assert not hooks.checks_need_voter(other)
        answer, _statements_run = _statements(votes, other, b'{"answer": "yes"}', votes.deputies[0].user)
        assert answer.status == 201
    finally:
        hooks._checks.remove(refuse)
        del hooks._applies[refuse]
