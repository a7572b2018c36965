"""The pages' session store (councils.web.sessions) reads Django's session table with SQL written
once: a signed-in reader stays signed in, and a session that ended or expired signs no one in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from councils.web.sessions import SessionStore
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db


def _page(pg) -> str:
    return f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/"


def test_a_signed_in_reader_stays_signed_in_until_signing_out() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    assert client.get(_page(pg)).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(_page(pg)).status_code == 302  # to sign in


def test_an_expired_session_signs_no_one_in() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    assert client.get(_page(pg)).status_code == 200
    key = client.cookies["sessionid"].value
    session = Session.objects.get(session_key=key)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    assert client.get(_page(pg)).status_code == 302
    # The store treats it as no session: a new one would be made, not the old one revived.
    store = SessionStore(session_key=key)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_session_key_reads_as_a_new_session() -> None:
    store = SessionStore(session_key="x" * 32)
    assert store.load() == {}
    assert store.session_key is None


def test_a_password_changed_elsewhere_signs_the_old_session_out() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    assert client.get(_page(pg)).status_code == 200
    user = pg.dora.user
    user.set_password("a new password for Dora")
    user.save()
    assert client.get(_page(pg)).status_code == 302  # to sign in
    # The session was ended, not kept for later.
    assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_a_deactivated_account_is_signed_out_at_its_next_page() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    assert client.get(_page(pg)).status_code == 200
    pg.dora.user.is_active = False
    pg.dora.user.save()
    assert client.get(_page(pg)).status_code == 302


def test_the_signed_in_reader_is_named_on_the_page() -> None:
    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    page = client.get(_page(pg)).content.decode()
    assert f">{pg.dora.user.get_username()}</a>" in page


def test_a_wrongly_remembered_user_of_a_session_changes_no_one() -> None:
    from councils.web import sessions

    pg = build_petrograd()
    client = Client()
    client.force_login(pg.dora.user)
    assert client.get(_page(pg)).status_code == 200
    # This process remembers which user a session named, to read them together next time; a
    # wrong guess is only a guess: the session's own data names the reader.
    sessions.remember(client.cookies["sessionid"].value, pg.organizer.pk)
    page = client.get(_page(pg)).content.decode()
    assert f">{pg.dora.user.get_username()}</a>" in page
    assert f">{pg.organizer.get_username()}</a>" not in page
    assert "Apportion seats" not in page
