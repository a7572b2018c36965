"""A sitting's votes as polls, in Chromium: deputies check in, the quorum is reached, the chair puts
an amendment and then its motion to a vote of the deputies present, the deputies vote on the poll's
page from their own browsers while the projector shows the turnout rise without a reload, the
chair ends each vote, and the projector and the minutes show the results and the named votes.

Served by uvicorn as in tests/browser/test_sitting.py (the ``asgi_server`` fixture, on a free port).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from councils.deliberation.models import Amendment, Motion
from councils.voting.models import Poll
from tests.browser.test_sitting import _page_for, motion_with_an_amendment, three_check_in
from tests.deliberation.conftest import build_hall

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

LIVE_TIMEOUT_MS = 5000


@pytest.fixture
def server(asgi_server: str) -> str:
    """uvicorn serving Councils in a thread, as ``councils serve`` does (tests/browser/conftest.py)."""
    return asgi_server


def _vote(page: Page, poll_url: str, answer: str) -> None:
    page.goto(poll_url)
    page.get_by_role("radio", name=answer, exact=True).check()
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.locator("main")).to_contain_text("Your vote is taken.")


def _put_to_vote(chair: Page, sitting_url: str, label: str) -> None:
    chair.goto(sitting_url)
    form = chair.locator("form", has=chair.locator("#poll-open-button"))
    form.get_by_label("What is put to the vote").select_option(label=label)
    form.get_by_role("button", name="Open the vote").click()
    expect(chair.get_by_text("The vote is open")).to_be_visible()


def test_a_sitting_votes_by_polls_and_the_projector_and_minutes_show_them(
    server: str, browser: Browser
) -> None:
    hall = build_hall()
    motion = motion_with_an_amendment(hall)
    org = hall.organization.slug
    sitting_url = f"{server}/o/{org}/sittings/{hall.sitting.pk}/"

    deputies = three_check_in(browser, server, hall, sitting_url)

    projector = _page_for(browser, server, hall.user(3))
    projector.goto(f"{sitting_url}projector/")
    chair = _page_for(browser, server, hall.chair)
    chair.goto(sitting_url)
    chair.get_by_role("button", name="Open the sitting").click()
    chair.get_by_label("Kind").select_option("motion")
    chair.get_by_label("Motion").select_option(str(motion.pk))
    chair.get_by_role("button", name="Add the item").click()
    chair.get_by_role("button", name="Discuss item 1").click()
    expect(projector.locator("#current-item")).to_contain_text("Item 1: Peace", timeout=LIVE_TIMEOUT_MS)
    projector.evaluate("() => { window.notReloaded = true; }")

    # The amendment first: a poll of the three present; the projector follows the turnout.
    _put_to_vote(chair, sitting_url, "Amendment 1 (lines 2–2)")
    poll = Poll.objects.get()
    poll_url = f"{server}/o/{org}/polls/{poll.pk}/"
    expect(projector.locator("#sitting-poll")).to_contain_text("0 of 3 electors", timeout=LIVE_TIMEOUT_MS)
    for deputy, answer in zip(deputies, ["Yes", "Yes", "No"], strict=True):
        _vote(deputy, poll_url, answer)
    expect(projector.locator("#sitting-poll")).to_contain_text("3 of 3 electors", timeout=LIVE_TIMEOUT_MS)
    chair.goto(sitting_url)
    chair.get_by_role("button", name="End the vote and declare the result").click()
    expect(chair.get_by_text("The vote is closed")).to_be_visible()
    expect(projector.locator("#sitting-poll-outcome")).to_contain_text(
        "adopted: 2 for, 1 against", timeout=LIVE_TIMEOUT_MS
    )
    assert Amendment.objects.get().state == Amendment.State.ADOPTED

    # Then the motion, by the same three.
    _put_to_vote(chair, sitting_url, "Motion 1: Peace")
    motion_poll = Poll.objects.exclude(pk=poll.pk).get()
    for deputy, answer in zip(deputies, ["Yes", "Abstain", "Yes"], strict=True):
        _vote(deputy, f"{server}/o/{org}/polls/{motion_poll.pk}/", answer)
    chair.goto(sitting_url)
    chair.get_by_role("button", name="End the vote and declare the result").click()
    expect(projector.locator("#sitting-poll-outcome")).to_contain_text(
        "adopted: 2 for, 0 against, 1 abstaining", timeout=LIVE_TIMEOUT_MS
    )
    assert projector.evaluate("() => window.notReloaded") is True
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED

    # The minutes: both polls, the named votes, the adopted text.
    deputies[1].goto(f"{sitting_url}minutes/")
    main = deputies[1].locator("main")
    expect(main).to_contain_text("Land to the peasants.")
    expect(main).to_contain_text("Poll: Motion 1: Peace")
    expect(main).to_contain_text("2 for, 0 against, 1 abstaining (poll)")
    expect(main).to_contain_text(hall.seats[2].holder.name)
    for page in [*deputies, projector, chair]:
        page.context.close()
