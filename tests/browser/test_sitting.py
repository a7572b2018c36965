"""A sitting in Chromium: deputies check in from their own browsers, the quorum is reached, the
chair opens the sitting and gives the floor, the projector shows the speaker without a reload, a
motion with an amendment is voted, and the minutes show the adopted text.

Served by uvicorn (the ASGI application, as ``councils serve`` does) so the projector's live stream
works (the ``asgi_server`` fixture of tests/browser/conftest.py, on a free port).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from councils.deliberation import services
from councils.deliberation.models import Motion
from tests.browser.test_live import _session_for
from tests.deliberation.conftest import Hall, build_hall

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


def _page_for(browser: Browser, server: str, user) -> Page:
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": _session_for(user), "url": server}])
    return context.new_page()


def motion_with_an_amendment(hall: Hall) -> Motion:
    """The motion the sitting votes on: two lines, the second amended."""
    motion = services.motion_submit(
        actor=hall.user(0),
        council=hall.council,
        title="Peace",
        text="Peace to all peoples.\nLand to the landlords.",
    )
    services.amendment_submit(
        actor=hall.user(1), motion=motion, first_line=2, last_line=2, text="Land to the peasants."
    )
    return motion


def three_check_in(browser: Browser, server: str, hall: Hall, sitting_url: str) -> list[Page]:
    """Three of the five deputies check in from their own browsers: the quorum is reached."""
    deputies = [_page_for(browser, server, hall.user(i)) for i in range(3)]
    for deputy in deputies:
        deputy.goto(sitting_url)
        deputy.get_by_role("button", name="Check in").click()
        expect(deputy.get_by_text("You are checked in.").first).to_be_visible()
    expect(deputies[2].locator("#quorum")).to_contain_text("3 of 5 deputies present")
    expect(deputies[2].locator("#quorum")).to_contain_text("Quorate")
    return deputies


def test_a_sitting_from_check_in_to_minutes(server: str, browser: Browser) -> None:
    hall = build_hall()
    motion = motion_with_an_amendment(hall)
    org = hall.organization.slug
    sitting_url = f"{server}/o/{org}/sittings/{hall.sitting.pk}/"

    # Three of five deputies check in from their own browsers.
    deputies = three_check_in(browser, server, hall, sitting_url)

    # The hall's screen, opened before the sitting moves on: it follows the sitting live.
    projector = _page_for(browser, server, hall.user(3))
    projector.goto(f"{sitting_url}projector/")
    expect(projector.locator("#current-item")).to_contain_text("No item is under discussion")

    # The chair opens the sitting, puts the motion on the agenda and opens the debate.
    chair = _page_for(browser, server, hall.chair)
    chair.goto(sitting_url)
    chair.get_by_role("button", name="Open the sitting").click()
    expect(chair.get_by_text("The sitting is open.")).to_be_visible()
    chair.get_by_label("Kind").select_option("motion")
    chair.get_by_label("Motion").select_option(str(motion.pk))
    chair.get_by_role("button", name="Add the item").click()
    chair.get_by_role("button", name="Discuss item 1").click()
    expect(projector.locator("#current-item")).to_contain_text("Item 1: Peace", timeout=LIVE_TIMEOUT_MS)

    # A deputy asks to speak; the chair gives the floor; the projector shows it without a reload.
    projector.evaluate("() => { window.notReloaded = true; }")
    deputies[0].goto(sitting_url)
    deputies[0].get_by_label("Stance").select_option("pro")
    deputies[0].get_by_role("button", name="Ask to speak").click()
    speaker = hall.seats[0].holder.name
    expect(projector.locator("#next-speakers")).to_contain_text(speaker, timeout=LIVE_TIMEOUT_MS)
    chair.goto(sitting_url)
    chair.get_by_role("button", name="Next speaker").click()
    expect(projector.locator("#current-speaker")).to_contain_text(speaker, timeout=LIVE_TIMEOUT_MS)
    expect(projector.locator(".countdown")).to_contain_text(":")
    assert projector.evaluate("() => window.notReloaded") is True

    # The amendment is voted first, then the motion.
    chair.get_by_label("Question").select_option(label="Amendment 1 (lines 2–2)")
    chair.get_by_label("For").fill("3")
    chair.get_by_label("Against").fill("0")
    chair.get_by_role("button", name="Record the vote").click()
    expect(chair.get_by_text("Adopted.")).to_be_visible()
    chair.get_by_label("For").fill("2")
    chair.get_by_label("Against").fill("1")
    chair.get_by_role("button", name="Record the vote").click()
    expect(chair.get_by_text("Adopted.")).to_be_visible()
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED

    # The minutes show the speaker, the votes and the adopted text.
    deputies[1].goto(f"{sitting_url}minutes/")
    main = deputies[1].locator("main")
    expect(main).to_contain_text("Land to the peasants.")
    expect(main).to_contain_text(speaker)
    expect(main).to_contain_text("2 for, 1 against, 0 abstaining")
    for page in [*deputies, projector, chair]:
        page.context.close()
