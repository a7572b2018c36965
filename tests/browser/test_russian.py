"""The pages in Russian, in Chromium: a member switches the language in the header, reads the
council page in Russian, and a recall made elsewhere reaches the open page in Russian."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from councils.federation import services
from tests.browser.test_live import RECORDER, UPDATE_TIMEOUT_MS, _session_for
from tests.web.scenario import build_petrograd

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_member_switches_to_russian_and_sees_a_live_update_in_russian(
    asgi_server: str,
    page: Page,
) -> None:
    pg = build_petrograd(slug="piter")
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.elena.user), "url": asgi_server}]
    )
    page.context.add_init_script(RECORDER)
    council_url = f"{asgi_server}/o/{pg.org.slug}/councils/{pg.soviet.slug}/"
    page.goto(council_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#majority")).to_have_text(re.compile("^Majority: Bolsheviks"))

    # The switcher is a plain form: a keyboard user tabs to the button and presses Enter.
    switch = page.get_by_role("button", name="Русский")
    switch.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(council_url)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=2).first).to_have_text(re.compile("^Состав на"))
    expect(page.locator("#majority")).to_have_text(re.compile("^Большинство: Bolsheviks"))
    expect(page.get_by_role("link", name="Журнал событий")).to_be_visible()
    expect(page.locator(".current-language")).to_have_text("Русский")

    # The choice is remembered: another page, opened afresh, is in Russian too.
    page.goto(f"{asgi_server}/o/{pg.org.slug}/elections/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Выборы в организации"))

    page.goto(council_url)
    page.wait_for_function("() => window.live.opened")
    vacant = page.locator("#composition tbody tr", has_text="Свободно").locator("td.num")
    expect(vacant).to_have_text("0")

    # Dora signs elsewhere (the service the sign button calls): the page updates, in Russian.
    assert services.petition_sign(actor=pg.dora.user, petition=pg.petition).recalled
    expect(vacant).to_have_text("1", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator("#majority")).to_have_text(re.compile("^Большинства нет"), timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator("#composition")).not_to_contain_text("No majority")
    expect(page.locator("#composition")).not_to_contain_text("Anna Petrova")
