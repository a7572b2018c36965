"""An invited member, end to end in Chromium: the import sends the invitation through a real SMTP
server, the member opens the link from the message, chooses a password and signs in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from councils.federation.services import members_import
from tests.factories import ConstituencyFactory, OfficerFactory
from tests.smtp import link_in, smtp_server, use_smtp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_member_sets_a_password_and_signs_in(live_server, page: Page, settings) -> None:
    constituency = ConstituencyFactory(name="Putilov Works", slug="putilov")
    organizer = OfficerFactory(organization=constituency.organization).user
    settings.COUNCILS_BASE_URL = live_server.url
    with smtp_server() as (mailbox, port):
        use_smtp(settings, port)
        report = members_import(
            actor=organizer,
            organization=constituency.organization,
            rows=[["Anna Petrova", "anna@putilov.example", "putilov"]],
        )
    assert (report.invitations.sent, report.invitations.failed) == (1, 0)
    [invitation] = mailbox.to("anna@putilov.example")
    link = link_in(invitation, "/accounts/invitation/")

    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome: choose your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("red petrograd 1917 spring")
    page.get_by_label("New password confirmation").fill("red petrograd 1917 spring")
    page.get_by_role("button", name="Set my password").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    page.get_by_label("Username").fill("anna@putilov.example")
    page.get_by_label("Password").fill("red petrograd 1917 spring")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your councils")).to_be_visible()
    expect(page.get_by_role("link", name="anna@putilov.example")).to_be_visible()

    # The link was for one use: opened again, it says so and offers a new one.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("This link no longer works")
