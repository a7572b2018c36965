"""The project's URLs and two more, for the benchmarks' server only (``hello_settings.py``).

- ``GET /api/bench-hello``: a JSON hello. Under ``/api/`` and asked with a bearer token, it is served
  by the same lighter stack as a script's cast (``councils.apiserving``): its middleware, without any
  endpoint's own work.
- ``POST /api/bench-floor/polls/<id>/ballots`` (``voting_bench.py --floor``): the floor of a cast in
  this stack, as a measuring instrument. The same two statements as the lean cast (the token's row
  with the caller's elector row, then the participation's insert while the poll is open), through
  the same stack and the same cursors, and nothing else: no rule is checked (no refusal, no
  authentication beyond finding the token, no ballot validation, no schema), so it must never be
  served by the project. What the real cast costs above it is Councils' own work per ballot.
"""

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from psycopg.types.json import Jsonb

from _server import FLOOR, HELLO
from councils import hotsql
from councils.accounts import tokencache
from councils.accounts.services import token_hash
from councils.urls import urlpatterns as project
from councils.voting.services.casting import _ELECTOR_RIDER  # the lean cast's own read, exactly
from councils.voting.services.participation_insert import participation_insert_sql


def hello(request: HttpRequest) -> JsonResponse:
    """The least an answer through Django costs: no query, a small JSON body."""
    return JsonResponse({"hello": "world"})


def floor_cast(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The two statements of a cast and a JSON answer; 403 when the token or the elector row is
    not found, 409 when nothing was inserted (the benchmark counts only 201 and 200)."""
    secret = request.META.get("HTTP_AUTHORIZATION", "")[len("Bearer ") :]
    found = tokencache.read_along(token_hash(secret) or "", _ELECTOR_RIDER, [poll_id])
    if found is None or found[3] is None:
        return JsonResponse({"detail": "no token or no elector row"}, status=403)
    _user_id, _state, _closes_at, member_id, weight, _name = found
    ballot = json.loads(request.body)
    now = datetime.now(UTC)
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    params = [poll_id, member_id, member_id, weight, key, now, "online", Jsonb(ballot), poll_id, now]
    with hotsql.cursor() as cursor:
        cursor.execute(participation_insert_sql("ballot", postgresql=True), params)
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"detail": "not inserted"}, status=409)
    body = {"poll": poll_id, "participation": row[0], "principal": member_id, "weight": weight}
    return JsonResponse({**body, "cast_at": now.isoformat(), "replayed": False, "ballot": ballot}, status=201)


urlpatterns = [
    path(HELLO.lstrip("/"), hello),
    path(FLOOR.lstrip("/").replace("{poll}", "<int:poll_id>"), floor_cast),
    *project,
]
