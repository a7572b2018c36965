"""The Content-Security-Policy in a real browser: signing in, the pages with htmx and live streams,
and the API's docs load without the browser refusing anything."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.factories import PASSWORD
from tests.web.scenario import build_petrograd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_breaks_the_content_security_policy(live_server, page: Page) -> None:
    pg = build_petrograd()
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            refused.append(f"{page.url}: {message.text[:80]}")

    page.on("console", watch)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(pg.dora.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your councils")).to_be_visible()
    for path in (
        f"/o/{pg.org.slug}/",
        f"/o/{pg.org.slug}/councils/{pg.soviet.slug}/",
        f"/o/{pg.org.slug}/constituencies/{pg.putilov.slug}/",
        f"/o/{pg.org.slug}/audit/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_function("() => window.htmx !== undefined")
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Councils API")
    assert refused == []
