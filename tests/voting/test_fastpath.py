"""A script's cast through the real server takes the lighter path (``councils.apiserving``) and gets
the same answers, refusals and security headers as through the full one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from councils import apiserving
from councils.accounts.services import token_create
from councils.voting.models import Participation
from tests.browser.conftest import asgi_server  # noqa: F401  (the fixture: uvicorn serving Councils)
from tests.voting.conftest import LightTokenClient, make_body

# The headers every answer of the site carries, whichever path served it.
SECURITY_HEADERS = {
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
}


def cast(
    server: str, path: str, secret: str, key: str, body: dict, cookie: str = ""
) -> tuple[int, dict, dict]:
    """POST a ballot as a script does: (status, headers with lower-case names, JSON body)."""
    headers = {
        "Authorization": f"Bearer {secret}",
        "Idempotency-Key": key,
        "Content-Type": "application/json",
    }
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(
        server + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                json.loads(response.read()),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(error.read())


def ballots_path(body, poll) -> str:
    return f"/api/organizations/{body.organization.slug}/polls/{poll.pk}/ballots"


@pytest.mark.django_db(transaction=True)
def test_a_cast_a_retry_and_another_key_through_the_server(asgi_server):  # noqa: F811
    body = make_body()
    poll = body.poll()
    _token, secret = token_create(actor=body.deputies[0].user, name="script")
    path = ballots_path(body, poll)
    first = cast(asgi_server, path, secret, "k1", {"answer": "yes"})
    again = cast(asgi_server, path, secret, "k1", {"answer": "no"})
    other = cast(asgi_server, path, secret, "k2", {"answer": "no"})
    assert first[0] == 201 and first[2]["ballot"] == {"answers": {"yes": 1}} and not first[2]["replayed"]
    assert again[0] == 200 and again[2]["replayed"] is True
    assert again[2]["participation"] == first[2]["participation"]
    assert other[0] == 409 and "already voted" in other[2]["detail"]
    assert Participation.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_closed_poll_and_an_unknown_token_are_refused_through_the_server(asgi_server):  # noqa: F811
    body = make_body()
    draft = body.poll(open=False)
    _token, secret = token_create(actor=body.deputies[0].user, name="script")
    closed = cast(asgi_server, ballots_path(body, draft), secret, "k1", {"answer": "yes"})
    assert closed[0] == 400 and "draft" in closed[2]["errors"]["poll"][0]
    unknown = cast(asgi_server, ballots_path(body, body.poll()), "cnc_not-a-token", "k2", {"answer": "yes"})
    assert unknown[0] == 401 and "Bearer" in unknown[2]["detail"]
    assert unknown[1]["www-authenticate"] == 'Bearer realm="api"'
    assert not Participation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_lighter_path_answers_with_the_same_headers_as_the_full_one(asgi_server):  # noqa: F811
    body = make_body()
    poll = body.poll()
    path = ballots_path(body, poll)
    _t, light_secret = token_create(actor=body.deputies[0].user, name="script")
    _t, full_secret = token_create(actor=body.deputies[1].user, name="script")
    light = cast(asgi_server, path, light_secret, "k1", {"answer": "yes"})
    # A session cookie sends the request down the full path.
    full = cast(asgi_server, path, full_secret, "k2", {"answer": "yes"}, cookie="sessionid=none")
    assert light[0] == full[0] == 201
    assert set(light[1]) >= SECURITY_HEADERS
    # The whole path, given a session cookie, also says the answer varies by cookie and clears the
    # unknown session; the rest is the same.
    varying = {"date", "content-length", "vary", "set-cookie"}
    assert {k: v for k, v in light[1].items() if k not in varying} == {
        k: v for k, v in full[1].items() if k not in varying
    }


def test_only_a_tokens_api_request_without_a_session_takes_the_lighter_path():
    cast_path = "/api/organizations/putilov/polls/7/ballots"
    script = {"REQUEST_METHOD": "POST", "PATH_INFO": cast_path, "HTTP_AUTHORIZATION": "Bearer cnc_x"}
    lighter = apiserving.environ_is_token_request
    assert lighter(script)
    assert lighter({**script, "REQUEST_METHOD": "GET", "HTTP_COOKIE": "theme=dark"})
    assert not lighter({**script, "HTTP_COOKIE": "sessionid=abc"})
    assert not lighter({**script, "PATH_INFO": "/o/putilov/polls/7/"})
    assert not lighter({**script, "HTTP_AUTHORIZATION": ""})


@pytest.mark.django_db
def test_the_test_clients_token_casts_take_the_lighter_path():
    body = make_body()
    poll = body.poll()
    _token, secret = token_create(actor=body.deputies[0].user, name="script")
    done = LightTokenClient(secret).post(
        ballots_path(body, poll), json.dumps({"answer": "yes"}), content_type="application/json"
    )
    assert done.status_code == 201
    assert not hasattr(done.wsgi_request, "session")  # no session middleware ran
