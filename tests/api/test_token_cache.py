"""A token seen recently is authenticated from memory (councils.accounts.tokencache): no query for a
script's repeated requests, while a revoked token or a deactivated person is refused at once in the
process that made the change, and any other change counts within the cache's lifetime."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from councils import hotsql
from councils.accounts import tokencache, tokenuse
from councils.accounts.models import ApiToken
from councils.accounts.services import token_authenticate, token_create, token_revoke
from tests.api.conftest import TokenClient
from tests.factories import UserFactory


class Clock:
    """A clock the test moves by hand, for the cache's expiry."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(tokencache.CACHE, "clock", moved)
    return moved


@pytest.fixture
def lifetime(settings) -> float:
    settings.COUNCILS_TOKEN_CACHE_SECONDS = 5
    return 5.0


def test_a_token_seen_recently_is_authenticated_without_a_query(user, lifetime, django_assert_num_queries):
    _token, secret = token_create(actor=user, name="cron")
    assert token_authenticate(secret=secret).user == user
    with django_assert_num_queries(0):
        again = token_authenticate(secret=secret)
    assert again.user == user and again.user.is_active


def test_each_request_gets_its_own_user_to_change(user, lifetime):
    _token, secret = token_create(actor=user, name="cron")
    first = token_authenticate(secret=secret)
    first.user.first_name = "changed by a view"
    second = token_authenticate(secret=secret)
    assert second.user is not first.user
    assert second.user.first_name == user.first_name


def test_a_revoked_token_is_refused_at_once(user, lifetime):
    token, secret = token_create(actor=user, name="cron")
    assert token_authenticate(secret=secret) is not None
    token_revoke(actor=user, token=token)
    assert token_authenticate(secret=secret) is None


def test_a_revoked_token_is_refused_by_the_api_at_once(world, lifetime):
    token, secret = token_create(actor=world.member.user, name="cron")
    client = TokenClient(secret)
    assert client.get(world.url()).status_code == 200
    assert client.get(world.url()).status_code == 200  # from memory
    token_revoke(actor=world.member.user, token=token)
    assert client.get(world.url()).status_code == 401


def test_a_deactivated_persons_token_is_refused_at_once(world, lifetime):
    _token, secret = token_create(actor=world.member.user, name="cron")
    client = TokenClient(secret)
    assert client.get(world.url()).status_code == 200
    world.member.user.is_active = False
    world.member.user.save()
    assert client.get(world.url()).status_code == 401
    assert token_authenticate(secret=secret) is None


def test_a_change_to_the_person_shows_at_once(user, lifetime):
    _token, secret = token_create(actor=user, name="cron")
    assert not token_authenticate(secret=secret).user.is_superuser
    user.is_superuser = True
    user.save()
    assert token_authenticate(secret=secret).user.is_superuser


def test_signing_in_keeps_the_persons_tokens_in_memory(user, lifetime, django_assert_num_queries):
    _token, secret = token_create(actor=user, name="cron")
    token_authenticate(secret=secret)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with django_assert_num_queries(0):
        assert token_authenticate(secret=secret) is not None


def test_a_token_changed_through_the_orm_is_read_again(user, lifetime):
    token, secret = token_create(actor=user, name="cron")
    token_authenticate(secret=secret)
    stored = ApiToken.objects.get(pk=token.pk)
    stored.revoked_at = timezone.now()
    stored.save()
    assert token_authenticate(secret=secret) is None


def test_a_change_no_signal_sees_counts_within_the_lifetime(user, lifetime, clock):
    # As a revocation in another server process: this process learns of it when its entry expires.
    _token, secret = token_create(actor=user, name="cron")
    assert token_authenticate(secret=secret) is not None
    User.objects.filter(pk=user.pk).update(is_active=False)
    clock.now += lifetime - 0.1
    assert token_authenticate(secret=secret) is not None
    clock.now += 0.2
    assert token_authenticate(secret=secret) is None


def test_an_entry_expires_after_its_lifetime(user, lifetime, clock, django_assert_num_queries):
    _token, secret = token_create(actor=user, name="cron")
    token_authenticate(secret=secret)
    clock.now += lifetime - 0.1
    with django_assert_num_queries(0):
        token_authenticate(secret=secret)
    clock.now += 0.2
    with django_assert_num_queries(1):  # the lookup again (its use was recorded under a minute ago)
        assert token_authenticate(secret=secret).user == user
    with django_assert_num_queries(0):
        token_authenticate(secret=secret)


def test_last_use_is_recorded_once_a_minute_from_memory(user, lifetime, django_assert_num_queries):
    token, secret = token_create(actor=user, name="cron")
    first = timezone.now()
    assert token_authenticate(secret=secret, at=first).last_used_at == first
    with django_assert_num_queries(0):
        soon = token_authenticate(secret=secret, at=first + timedelta(seconds=59))
    assert soon.last_used_at == first
    later = first + timedelta(seconds=61)
    with django_assert_num_queries(0):  # the use waits to be written with others
        assert token_authenticate(secret=secret, at=later).last_used_at == later
    tokenuse.write_all()
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later
    with django_assert_num_queries(0):
        assert token_authenticate(secret=secret, at=later + timedelta(seconds=1)).last_used_at == later


def test_zero_seconds_turns_the_cache_off(user, settings, django_assert_num_queries):
    settings.COUNCILS_TOKEN_CACHE_SECONDS = 0
    _token, secret = token_create(actor=user, name="cron")
    token_authenticate(secret=secret)
    with django_assert_num_queries(1):
        assert token_authenticate(secret=secret).user == user
    assert len(tokencache.CACHE) == 0


def test_the_cache_keeps_the_most_recently_used_tokens(user, settings, lifetime, django_assert_num_queries):
    settings.COUNCILS_TOKEN_CACHE_SIZE = 2
    secrets = [token_create(actor=user, name=f"t{i}")[1] for i in range(3)]
    for secret in secrets:
        token_authenticate(secret=secret)
    assert len(tokencache.CACHE) == 2
    with django_assert_num_queries(0):
        token_authenticate(secret=secrets[2])
        token_authenticate(secret=secrets[1])
    with django_assert_num_queries(1):
        token_authenticate(secret=secrets[0])  # the least recently used went first


def test_unknown_secrets_are_not_remembered(db, lifetime):
    assert token_authenticate(secret="cnc_unknown") is None
    assert len(tokencache.CACHE) == 0


def test_a_lookup_overtaken_by_a_revocation_is_not_remembered(user, lifetime, monkeypatch):
    # Another thread revokes the token after this lookup read it and before it is kept.
    token, secret = token_create(actor=user, name="cron")
    read = hotsql.live_token_row

    def read_then_revoked(*args, **kwargs):
        row = read(*args, **kwargs)
        token_revoke(actor=UserFactory(is_superuser=True), token=token)
        return row

    monkeypatch.setattr(hotsql, "live_token_row", read_then_revoked)
    assert token_authenticate(secret=secret) is not None  # it began before the revocation
    monkeypatch.setattr(hotsql, "live_token_row", read)
    assert token_authenticate(secret=secret) is None


def test_threads_share_the_cache_safely():
    cache = tokencache.TokenCache()
    row = hotsql.TokenRow("default", (), ())
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(2000):
                key = f"{n}-{i % 50}"
                generation = cache.generation
                cache.put(key, tokencache.Entry(row, n, None, cache.clock() + 60), generation, 100)
                cache.get(key)
                if i % 7 == 0:
                    cache.forget_user(n)
                if i % 11 == 0:
                    cache.forget(key)
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 100
