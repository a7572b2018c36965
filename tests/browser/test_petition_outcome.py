"""The deciding signature, in Chromium: the signer's card says that the petition succeeded and the
seat ended, and every open page of the constituency, the signer's and another member's, drops the
recalled deputy from its table and keeps the petition with its outcome, without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_live import UPDATE_TIMEOUT_MS, _session_for
from tests.web.scenario import build_petrograd

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

OPENED = """
window.streamOpen = false;
window.EventSource = class extends window.EventSource {
  constructor(url, options) {
    super(url, options);
    this.addEventListener('open', () => { window.streamOpen = true; });
  }
};
"""


def test_the_deciding_signature_reads_as_an_outcome_on_every_open_page(asgi_server: str, page: Page) -> None:
    pg = build_petrograd()
    url = f"{asgi_server}/o/{pg.org.slug}/constituencies/{pg.putilov.slug}/"
    page.context.add_init_script(OPENED)

    # Boris, who opened the petition, has the constituency's page open in his own browser.
    watcher_context = page.context.browser.new_context()
    watcher_context.add_init_script(OPENED)
    watcher_context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.boris.user), "url": asgi_server}]
    )
    watcher = watcher_context.new_page()
    watcher.goto(url)
    # Dora signs from the same page in hers.
    page.context.add_cookies([{"name": "sessionid", "value": _session_for(pg.dora.user), "url": asgi_server}])
    page.goto(url)
    for tab in (page, watcher):
        tab.wait_for_function("() => window.htmx !== undefined && window.streamOpen")
        expect(tab.locator("#constituency-deputies")).to_contain_text("Anna Petrova")
        tab.evaluate("() => { window.notReloaded = true; }")

    card = page.locator(f"#petition-{pg.petition.pk}")
    card.get_by_role("button", name="Sign the petition").click()

    # The signer: the outcome in words, focused, and the deputies without Anna (out of band).
    expect(card.locator(".outcome")).to_contain_text("Anna Petrova is recalled")
    expect(card).to_contain_text(re.compile("The petition succeeded on .*: the seat of Anna Petrova"))
    expect(page.locator("#constituency-deputies")).not_to_contain_text("Anna Petrova")
    expect(page.locator("#constituency-deputies")).to_contain_text("Viktor Orlov")

    # The other member: the live update brings the same, the card kept among those that ended.
    petitions = watcher.locator("#petitions-list")
    expect(petitions).to_contain_text("Petitions that ended lately", timeout=UPDATE_TIMEOUT_MS)
    expect(petitions).to_contain_text(re.compile("the seat of Anna Petrova in Petrograd Soviet ended"))
    expect(watcher.locator("#constituency-deputies")).not_to_contain_text(
        "Anna Petrova", timeout=UPDATE_TIMEOUT_MS
    )
    for tab in (page, watcher):
        assert tab.evaluate("() => window.notReloaded") is True
    watcher_context.close()
