"""A recall, end to end in Chromium: a member signs in, signs the petition that completes the
recall, and the council's hemicycle and majority change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.web.scenario import build_petrograd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_completes_a_recall_and_the_majority_falls(live_server, page: Page) -> None:
    pg = build_petrograd()
    council_url = f"{live_server.url}/o/{pg.org.slug}/councils/{pg.soviet.slug}/"

    # Dora signs in through the login page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(pg.dora.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your councils")).to_be_visible()

    # Before: the Bolsheviks hold 2 of 3 seats, none vacant.
    page.goto(council_url)
    expect(page.locator("#majority")).to_have_text(re.compile("Majority: Bolsheviks"))
    expect(page.locator("#composition svg circle.vacant")).to_have_count(0)
    expect(page.locator("#composition svg circle")).to_have_count(3)

    # Her constituency's page, from her home page; the petition has 1 of 2 signatures.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Putilov Works").click()
    expect(page.get_by_role("heading", name="Putilov Works", level=1)).to_be_visible()
    card = page.locator(f"#petition-{pg.petition.pk}")
    expect(card).to_contain_text("1 of 2 signatures")
    page.wait_for_function("() => window.htmx !== undefined")

    card.get_by_role("button", name="Sign the petition").click()
    # htmx swaps the card in place: the outcome, the full count, and no button left.
    expect(card.locator(".outcome")).to_contain_text("seat is vacant")
    expect(card).to_contain_text("2 of 2 signatures")
    expect(card.get_by_role("button")).to_have_count(0)

    # After: one more vacancy, and no faction holds the majority of the filled seats.
    page.goto(council_url)
    expect(page.locator("#composition svg circle.vacant")).to_have_count(1)
    expect(page.locator("#composition svg circle")).to_have_count(3)
    expect(page.locator("#majority")).to_have_text(re.compile("No majority"))
    expect(page.locator("#composition")).not_to_contain_text("Anna Petrova")


def test_the_date_control_redraws_the_composition_in_place(live_server, page: Page) -> None:
    pg = build_petrograd(slug="moscow")
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.dora.user), "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/o/{pg.org.slug}/councils/{pg.soviet.slug}/")
    page.wait_for_function("() => window.htmx !== undefined")
    expect(page.locator("#composition svg circle.vacant")).to_have_count(0)
    page.evaluate("() => { window.notReloaded = true; }")

    before_elections = (pg.elected_at - timedelta(days=1)).date().isoformat()
    page.get_by_label("Show the state on").fill(before_elections)
    page.get_by_label("Show the state on").dispatch_event("change")

    # All three seats were vacant before the elections; the page was not reloaded, the URL was pushed.
    expect(page.locator("#composition svg circle.vacant")).to_have_count(3)
    expect(page).to_have_url(re.compile(rf"\?at={before_elections}$"))
    assert page.evaluate("() => window.notReloaded") is True


def _session_for(user) -> str:
    """A signed-in session for ``user``, without going through the login page again."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
