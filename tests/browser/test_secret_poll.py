"""A secret poll in the browser: three deputies vote in three browser contexts (their browsers
encrypt; one audits a ballot first, one loses the server's answer and its booth sends the same
ballot again) while a fourth page watches the turnout rise; then the trustees' factors are posted
and the declared result appears without a reload. The booth passes axe at a phone's width."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from councils.voting import services
from councils.voting.models import Participation
from tests.browser.test_accessibility import BLOCKING
from tests.browser.test_live import UPDATE_TIMEOUT_MS, _session_for
from tests.browser.test_poll_live import WATCH
from tests.voting.conftest import make_body
from tests.voting.secret_setup import decrypt, ready_committee

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Encrypting in Chromium on a loaded 2-core machine: well under a second, with room to spare.
ENCRYPT_TIMEOUT_MS = 15000


def _signed_in(browser: Browser, server: str, user, *, phone: bool = False) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844} if phone else None)
    context.add_cookies([{"name": "sessionid", "value": _session_for(user), "url": server}])
    return context.new_page()


def _encrypt(booth: Page, answer: str) -> str:
    booth.get_by_label(answer, exact=True).check()
    booth.get_by_role("button", name="Encrypt my ballot").click()
    tracker = booth.locator("#booth-tracker")
    expect(tracker).to_have_text(HEX64, timeout=ENCRYPT_TIMEOUT_MS)
    return tracker.inner_text()


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_three_deputies_vote_secretly_while_a_fourth_page_watches(asgi_server: str, browser: Browser) -> None:
    body = make_body(deputies=3)
    committee, keys = ready_committee(body)
    poll = body.poll(secrecy="secret", committee=committee, title="Peace without annexations")
    url = f"{asgi_server}/o/{body.organization.slug}/polls/{poll.pk}/"

    watcher = _signed_in(browser, asgi_server, body.officer)
    watcher.context.add_init_script(WATCH)
    watcher.goto(url)
    watcher.wait_for_function("() => window.live.opened")
    watcher.evaluate("() => { window.notReloaded = true; }")
    figures = watcher.locator("#turnout-figures")
    expect(figures).to_contain_text("0 of 3 electors have voted")

    answers = ["Yes", "Yes", "No"]
    trackers = []
    keys_sent: list[str] = []  # the idempotency keys of the second voter's attempts
    for n, (deputy, answer) in enumerate(zip(body.deputies, answers, strict=True), start=1):
        booth = _signed_in(browser, asgi_server, deputy.user, phone=n == 1)
        booth.goto(url)
        tracker = _encrypt(booth, answer)
        if n == 1:
            # The booth is usable at a phone's width with a screen reader: axe finds nothing serious.
            assert _axe_violations(booth) == []
            # Audit this ballot: its randomness is revealed, then the choice is encrypted afresh.
            booth.get_by_role("button", name="Audit this ballot instead").click()
            expect(booth.locator("#booth-audit-text")).to_have_value(re.compile('"randomness"'))
            booth.get_by_role("button", name="Encrypt my ballot afresh").click()
            fresh = _encrypt(booth, answer)
            assert fresh != tracker
            tracker = fresh
        if n == 2:
            # The server takes the ballot but its answer is lost: the booth sends the same ballot
            # with the same key again and gets the first receipt.

            def lose_first_answer(route: Route) -> None:
                keys_sent.append(route.request.headers.get("idempotency-key", ""))
                response = route.fetch()
                if len(keys_sent) == 1:
                    assert response.status == 201
                    route.abort("connectionreset")
                else:
                    route.fulfill(response=response)

            booth.route("**/secret-ballot/", lose_first_answer)
        booth.get_by_role("button", name="Cast this ballot").click()
        expect(booth.locator("#receipt-tracker")).to_have_text(tracker, timeout=UPDATE_TIMEOUT_MS * 3)
        expect(booth.locator("#receipt-head")).to_have_text(HEX64)
        if n == 2:
            assert len(keys_sent) == 2 and keys_sent[0] == keys_sent[1]
            expect(booth.locator("#booth-status")).to_contain_text("already been taken")
        # The fourth page sees each vote arrive, without a reload.
        expect(figures).to_contain_text(f"{n} of 3 electors have voted", timeout=UPDATE_TIMEOUT_MS)
        if n == 3:
            # Opened again, the booth re-checks the ballot it remembers against the board.
            booth.reload()
            expect(booth.locator("#booth-remembered-list")).to_contain_text(tracker)
            expect(booth.locator("#booth-remembered-list")).to_contain_text("on the board (event")
        trackers.append(tracker)
        booth.context.close()

    assert Participation.objects.filter(poll=poll).count() == 3
    assert sorted(Participation.objects.filter(poll=poll).values_list("tracker", flat=True)) == sorted(
        trackers
    )

    # Closed, the trustees decrypt the sum (on their own computers; here by the services).
    poll = services.poll_close(actor=body.officer, poll=poll)
    expect(watcher.locator("#turnout")).to_contain_text("The poll is closed.", timeout=UPDATE_TIMEOUT_MS)
    users = {t.index: t.user for t in committee.trustees.all()}
    poll = decrypt(poll, keys, [1, 3], users)
    poll.refresh_from_db()
    if poll.current_state != "published":
        expect(watcher.locator("#turnout")).to_contain_text("The poll is counted.", timeout=UPDATE_TIMEOUT_MS)
        services.poll_publish(actor=body.officer, poll=poll)
    expect(watcher.locator("#declared")).to_contain_text(
        re.compile("adopted", re.I), timeout=UPDATE_TIMEOUT_MS
    )
    assert watcher.evaluate("() => window.notReloaded") is True
    watcher.context.close()
