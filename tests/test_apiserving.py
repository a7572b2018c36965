"""A script's API request, authenticated by its token, runs on a lighter middleware stack
(``councils.apiserving``) and is answered exactly as under the whole stack."""

from __future__ import annotations

import asyncio
import json

import pytest

from councils import apiserving, serving
from councils.accounts.services import token_create, token_revoke
from councils.federation.models import Signature
from tests.threads import off_loop
from tests.web.scenario import build_petrograd
from tests.wsgi import environ, keep_test_connection

pytestmark = pytest.mark.django_db

APP = serving.application


_keep_the_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


def _both(method: str, path: str, **headers: str) -> tuple[tuple, tuple]:
    """The answer of the lean stack, then of the whole stack, to the same request (in this
    thread: the test's database transaction)."""
    lean = APP.run_wsgi(environ(method, path, **headers), None, APP.token_api)
    whole = APP.run_wsgi(environ(method, path, **headers), None, APP.wsgi)
    assert lean is not None and whole is not None
    return lean, whole


def _names(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    return {name for name, _value in headers}


def test_a_token_read_is_answered_as_under_the_whole_stack() -> None:
    pg = build_petrograd()
    _token, secret = token_create(actor=pg.dora.user, name="script")
    lean, whole = _both("GET", "/api/organizations", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert lean[0] == whole[0] == 200
    assert lean[2] == whole[2]
    assert [o["slug"] for o in json.loads(lean[2])] == [pg.org.slug]
    # The same security headers (content type options, frame options, the policy).
    assert _names(lean[1]) == _names(whole[1])
    assert b"x-frame-options" in _names(lean[1])


def test_a_refused_token_is_answered_401_in_the_readers_language() -> None:
    lean, whole = _both(
        "GET", "/api/organizations", HTTP_AUTHORIZATION="Bearer cnc_wrong", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert lean[0] == whole[0] == 401
    assert lean[2] == whole[2]
    assert "токен" in json.loads(lean[2])["detail"]
    assert (b"www-authenticate", b'Bearer realm="api"') in lean[1]


def test_a_revoked_token_is_refused_at_its_next_request() -> None:
    pg = build_petrograd()
    token, secret = token_create(actor=pg.dora.user, name="script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert APP.run_wsgi(environ("GET", "/api/organizations", **auth), None, APP.token_api)[0] == 200
    token_revoke(actor=pg.dora.user, token=token)
    assert APP.run_wsgi(environ("GET", "/api/organizations", **auth), None, APP.token_api)[0] == 401


def test_a_signature_on_the_lean_stack_is_written_once() -> None:
    pg = build_petrograd()
    _token, secret = token_create(actor=pg.dora.user, name="script")
    path = f"/api/organizations/{pg.org.slug}/petitions/{pg.petition.pk}/sign"
    first = APP.run_wsgi(environ("POST", path, HTTP_AUTHORIZATION=f"Bearer {secret}"), None, APP.token_api)
    again = APP.run_wsgi(environ("POST", path, HTTP_AUTHORIZATION=f"Bearer {secret}"), None, APP.token_api)
    assert first is not None and again is not None
    assert first[0] == 200, first[2]
    assert again[0] == 400
    assert Signature.objects.filter(petition=pg.petition, member=pg.dora).count() == 1


@pytest.mark.parametrize(
    ("path", "headers", "lean"),
    [
        ("/api/organizations", [(b"authorization", b"Bearer cnc_x")], True),
        ("/api/organizations", [(b"authorization", b"bearer cnc_x"), (b"cookie", b"csrftoken=1")], True),
        # A session cookie: the pages' session may authenticate it, on the whole stack.
        ("/api/organizations", [(b"authorization", b"Bearer cnc_x"), (b"cookie", b"sessionid=s")], False),
        ("/api/organizations", [], False),
        ("/api/organizations", [(b"authorization", b"Basic eDp5")], False),
        ("/o/soviets-1917/", [(b"authorization", b"Bearer cnc_x")], False),
    ],
)
def test_only_a_token_api_request_without_a_session_takes_the_lean_stack(path, headers, lean) -> None:
    assert apiserving.is_token_request(path, headers) is lean
    chosen = apiserving.handler_for(APP.wsgi, APP.token_api, {"path": path, "headers": headers})
    assert chosen is (APP.token_api if lean else APP.wsgi)


def test_the_server_hands_a_token_request_to_the_lean_stack(monkeypatch) -> None:
    used = []

    def run_wsgi(environ, emit=None, handler=None):
        used.append(handler)
        return 200, [], b"{}"

    monkeypatch.setattr(APP, "run_wsgi", run_wsgi)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    for headers in ([(b"authorization", b"Bearer cnc_x")], [(b"cookie", b"sessionid=s")]):
        scope = {"type": "http", "method": "GET", "path": "/api/organizations", "headers": headers}
        off_loop(asyncio.run, APP(scope, receive, send))
    assert used == [APP.token_api, APP.wsgi]
