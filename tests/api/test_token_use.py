"""A token's last use is written with the other uses of the last second, in one statement
(councils.accounts.tokenuse): none is lost, none moves backwards, and a request that finds them due
writes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.accounts import tokenuse
from councils.accounts.models import ApiToken
from councils.accounts.services import token_authenticate, token_create
from tests.factories import UserFactory


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(tokenuse.USES, "clock", moved)
    return moved


def last_used(token: ApiToken):
    return ApiToken.objects.get(pk=token.pk).last_used_at


@pytest.mark.django_db
def test_the_uses_of_many_tokens_are_written_together_once_due(clock):
    tokens = [token_create(actor=UserFactory(), name=f"delegate {i}") for i in range(3)]
    at = timezone.now()
    for _token, secret in tokens:
        assert token_authenticate(secret=secret, at=at).last_used_at == at
    assert [last_used(t) for t, _s in tokens] == [None, None, None]  # waiting
    clock.now += tokenuse.DEFAULT_SECONDS - 0.1
    token_authenticate(secret=tokens[0][1], at=at + timedelta(seconds=1))
    assert [last_used(t) for t, _s in tokens] == [None, None, None]  # not yet due
    clock.now += 0.1
    token_authenticate(secret=tokens[0][1], at=at + timedelta(seconds=2))  # due: writes them all
    assert [last_used(t) for t, _s in tokens] == [at, at, at]
    assert len(tokenuse.USES) == 0


@pytest.mark.django_db
def test_a_recorded_use_never_moves_backwards():
    token, _secret = token_create(actor=UserFactory(), name="cron")
    at = timezone.now()
    tokenuse.record("default", token.pk, at)
    tokenuse.record("default", token.pk, at - timedelta(minutes=5))  # an older use arriving late
    tokenuse.write_all()
    assert last_used(token) == at
    # Another process writing an older use afterwards changes nothing either.
    tokenuse.record("default", token.pk, at - timedelta(minutes=2))
    tokenuse.write_all()
    assert last_used(token) == at


@pytest.mark.django_db
def test_zero_seconds_writes_each_use_at_once(settings):
    settings.COUNCILS_TOKEN_USE_SECONDS = 0
    token, secret = token_create(actor=UserFactory(), name="cron")
    at = timezone.now()
    token_authenticate(secret=secret, at=at)
    assert last_used(token) == at
    assert len(tokenuse.USES) == 0


@pytest.mark.django_db
def test_uses_that_could_not_be_written_wait_for_the_next_write(monkeypatch):
    token, _secret = token_create(actor=UserFactory(), name="cron")
    at = timezone.now()
    tokenuse.record("default", token.pk, at)

    def broken(using, uses):
        raise ConnectionError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(tokenuse.hotsql, "token_uses_write", broken)
        with pytest.raises(ConnectionError):
            tokenuse.write_all()
    assert last_used(token) is None
    tokenuse.write_all()
    assert last_used(token) == at
