"""The project's URLs and two more, for the benchmarks' server only (``hello_settings.py``).

- ``GET /api/bench-hello``: a JSON hello. Under ``/api/`` and asked with a bearer token, it is served
  by the same lighter stack as a script's cast (``councils.apiserving``): its middleware, without any
  endpoint's own work.
- ``POST /api/bench-floor/polls/<id>/ballots`` (``voting_bench.py --floor``): the floor of a cast in
  this stack, as a measuring instrument. The same statement as the lean cast of a first vote (the
  token's row with the caller's elector row and the participation's insert from it while the poll
  is open, ``services.token_cast``), through the same stack and the same cursor, and nothing else:
  no rule is checked (no refusal, no authentication beyond finding the token, no ballot
  validation, no schema), so it must never be served by the project. What the real cast costs
  above it is Councils' own work per ballot.
"""

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from _server import FLOOR, HELLO
from councils.accounts import tokencache
from councils.accounts.services import token_hash
from councils.urls import urlpatterns as project
from councils.voting.services import token_cast  # the lean cast's own statement, exactly


def hello(request: HttpRequest) -> JsonResponse:
    """The least an answer through Django costs: no query, a small JSON body."""
    return JsonResponse({"hello": "world"})


def floor_cast(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The cast's statement and a JSON answer; 403 when the token or the elector row is not found,
    409 when nothing was inserted (the benchmark counts only 201 and 200)."""
    secret = request.META.get("HTTP_AUTHORIZATION", "")[len("Bearer ") :]
    key_hash = token_hash(secret) or ""
    ballot = json.loads(request.body)
    now = datetime.now(UTC)
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    # As services.token_cast writes a motion's answer: the token's read, the insert from it.
    params = [poll_id, key_hash, True, poll_id, key, now, "online", ballot["answer"], None, ballot["answer"]]
    found = tokencache.read_with(key_hash, token_cast._sql(), [*params, poll_id, now])
    if found is None or found[3] is None:
        return JsonResponse({"detail": "no token or no elector row"}, status=403)
    _user_id, _state, _closes_at, member_id, weight, _name, new_id = found
    if new_id is None:
        return JsonResponse({"detail": "not inserted"}, status=409)
    body = {"poll": poll_id, "participation": new_id, "principal": member_id, "weight": weight}
    stored = {"answers": {ballot["answer"]: weight}}
    return JsonResponse({**body, "cast_at": now.isoformat(), "replayed": False, "ballot": stored}, status=201)


urlpatterns = [
    path(HELLO.lstrip("/"), hello),
    path(FLOOR.lstrip("/").replace("{poll}", "<int:poll_id>"), floor_cast),
    *project,
]
