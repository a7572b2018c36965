"""axe-core over every kind of page, at a desktop width and a phone's: no violation of impact
serious or critical.

axe runs in Debian's Chromium through ``axe-playwright-python`` (its own copy of axe-core, injected
into each page). The pages are those a member, an officer, a visitor and an outsider meet: home,
welcome, sign-in, organization, council, constituency, member, elections, election, audit log,
the refusal (403) and not-found (404) pages, and the admin's sign-in.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from councils.federation import services
from tests.browser.test_recall import _session_for
from tests.factories import MemberFactory, OrganizationFactory
from tests.web.scenario import build_petrograd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}


def _violations(page: Page, axe: Axe) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_page_has_a_serious_accessibility_violation(live_server, page: Page, viewport: str) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    pg = build_petrograd()
    election = services.election_open(actor=pg.organizer, council=pg.soviet, constituency=pg.putilov)
    other = OrganizationFactory(slug="moscow")
    outsider = MemberFactory(constituency__council__organization=other, organization=other).user
    slug = pg.org.slug
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(name: str, path: str, *, status: int = 200) -> None:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == status, (name, response and response.status)
        found[name] = _violations(page, axe)

    # A visitor: the welcome page, signing in, the admin's sign-in.
    check("welcome", reverse("home"))
    check("login", reverse("login"))
    check("admin login", "/admin/login/")

    # A member who signs the petition; then the organizer (elections, with the forms to fill).
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.dora.user), "url": live_server.url}]
    )
    check("home", reverse("home"))
    check("organization", reverse("organization", args=[slug]))
    check("council", reverse("council", args=[slug, pg.soviet.slug]))
    check("constituency", reverse("constituency", args=[slug, pg.putilov.slug]))
    check("member", reverse("member", args=[slug, pg.dora.pk]))
    check("audit", reverse("audit", args=[slug]))
    check("not found", reverse("organization", args=["nowhere"]), status=404)

    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.organizer), "url": live_server.url}]
    )
    check("elections", reverse("elections", args=[slug]))
    check("election", reverse("election", args=[slug, election.pk]))

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": _session_for(outsider), "url": live_server.url}])
    check("refused", reverse("organization", args=[slug]), status=403)

    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"{name}: {line}" for name, v in failing.items() for line in v)


def test_the_open_election_form_focuses_its_errors(live_server, page: Page) -> None:
    """An organizer opens the form at the top of the elections page and asks for a by-election
    where no seat is vacant: the page comes back with the form still at the top, its errors summed
    up and focused."""
    pg = build_petrograd()
    page.set_viewport_size(VIEWPORTS["phone"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.organizer), "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{reverse('elections', args=[pg.org.slug])}")
    page.get_by_text("Open an election").click()
    page.wait_for_function("() => window.htmx !== undefined")
    form = page.locator("#election-open-form")
    # Choosing the council narrows the parts offered: the form is swapped for one that lists its own.
    form.evaluate("form => { form.dataset.before = 'swap'; }")
    form.get_by_label("Council").select_option(label="Petrograd Soviet")
    page.wait_for_function("() => !document.querySelector('#election-open-form[data-before]')")
    form.get_by_label("Elected by").select_option(label="Putilov Works")
    form.get_by_label("Kind").select_option(value="by_election")
    form.get_by_role("button", name="Open the election").click()

    summary = page.locator("#election-open-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The election was not opened")
    assert summary.bounding_box()["y"] < VIEWPORTS["phone"]["height"] * 2
    assert not _violations(page, Axe())
