"""Three deputies vote in three browsers while a fourth page watches the turnout rise, then the
declared result, without reloading (the poll's live stream, served by uvicorn as in test_live)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from councils.voting import services
from tests.browser.test_live import UPDATE_TIMEOUT_MS, _session_for
from tests.voting.conftest import make_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

WATCH = """
window.live = {opened: false};
window.EventSource = class extends window.EventSource {
  constructor(url, options) {
    super(url, options);
    this.addEventListener('open', () => { window.live.opened = true; });
  }
};
"""


def _signed_in(browser: Browser, server: str, user) -> Page:
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": _session_for(user), "url": server}])
    return context.new_page()


def test_three_deputies_vote_while_a_fourth_page_watches(asgi_server: str, browser: Browser) -> None:
    body = make_body(deputies=3)
    poll = body.poll(title="Peace without annexations")
    url = f"{asgi_server}/o/{body.organization.slug}/polls/{poll.pk}/"

    watcher = _signed_in(browser, asgi_server, body.officer)
    watcher.context.add_init_script(WATCH)
    watcher.goto(url)
    watcher.wait_for_function("() => window.live.opened")
    watcher.evaluate("() => { window.notReloaded = true; }")
    figures = watcher.locator("#turnout-figures")
    expect(figures).to_contain_text("0 of 3 electors have voted")

    answers = ["yes", "yes", "no"]
    for n, (deputy, answer) in enumerate(zip(body.deputies, answers, strict=True), start=1):
        booth = _signed_in(browser, asgi_server, deputy.user)
        booth.goto(url)
        booth.get_by_label(answer.capitalize(), exact=True).check()
        booth.get_by_role("button", name="Cast my vote").click()
        expect(booth.locator("#booth .outcome")).to_have_text(f"You have voted: {answer}.")
        # The fourth page sees each vote arrive, in its own browser, without a reload.
        expect(figures).to_contain_text(f"{n} of 3 electors have voted", timeout=UPDATE_TIMEOUT_MS)
        booth.context.close()

    # The officer closes, counts and publishes (the buttons call these services) one right after
    # the other: three changes within milliseconds, and the page ends on the last. (A fragment
    # swapped in is listened to again only when htmx settles it; with a settle delay, a change
    # arriving meanwhile was lost and the page stayed on "closed" or "counted".)
    services.poll_close(actor=body.officer, poll=poll)
    services.poll_count(actor=body.officer, poll=poll)
    services.poll_publish(actor=body.officer, poll=poll)
    expect(watcher.locator("#declared")).to_contain_text(
        re.compile("adopted", re.I), timeout=UPDATE_TIMEOUT_MS
    )
    expect(watcher.locator("#turnout")).to_contain_text("The poll is published.")
    assert watcher.evaluate("() => window.notReloaded") is True
    watcher.context.close()
