"""The statements of every request are prepared once per connection on PostgreSQL
(``councils.hotsql.cursor``): a cast through the API twice on one connection runs the token
lookup and the cast's statements from their prepared plans, and answers as before."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.api.conftest import token_client
from tests.voting.conftest import make_body

pytestmark = pytest.mark.django_db


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_the_token_and_the_cast_are_prepared_once_per_connection():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL only (CI's PostgreSQL pass runs this)")
    body = make_body(deputies=2)
    poll = body.poll()
    path = f"/api/organizations/{body.organization.slug}/polls/{poll.pk}/ballots"
    answers = []
    for i, deputy in enumerate(body.deputies):
        client = token_client(deputy.user)
        answers.append(
            client.post(
                path,
                json.dumps({"answer": "yes"}),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"k{i}",
            )
        )
    assert [a.status_code for a in answers] == [201, 201]
    prepared = _prepared()
    # One plan each, used by both casts.
    assert sum("key_hash" in s for s in prepared) == 1
    assert sum(s.startswith("INSERT INTO voting_participation") for s in prepared) == 1
    assert sum("voting_elector" in s for s in prepared) == 1
