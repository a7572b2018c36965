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


def test_a_signature_reads_the_petition_and_the_signers_membership_together():
    from django.utils import timezone

    from councils import hotsql
    from councils.federation.models import RecallPetition
    from tests.factories import MemberFactory, PetitionFactory, UserFactory

    petition = PetitionFactory()
    member = MemberFactory(constituency=petition.constituency)
    gone = MemberFactory(constituency=petition.constituency, left_at=timezone.now())
    elsewhere = MemberFactory()  # a member of another organization only

    read, membership = hotsql.locked_petition_and_member(petition.pk, member.user_id)
    assert read.pk == petition.pk
    assert read.seat.holder.pk == petition.seat.holder_id
    assert read.constituency.organization.pk == petition.organization_id
    assert membership is not None
    assert (membership.pk, membership.constituency_id) == (member.pk, petition.constituency_id)
    for user_id in (gone.user_id, elsewhere.user_id, UserFactory().pk):
        assert hotsql.locked_petition_and_member(petition.pk, user_id)[1] is None
    with pytest.raises(RecallPetition.DoesNotExist):
        hotsql.locked_petition_and_member(petition.pk + 1000, member.user_id)
