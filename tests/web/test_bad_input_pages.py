"""Bad input on the pages: user text isolated where others read it, page numbers and dates out of
range answered with a clear error, not a server error or a silent substitute."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.federation import services
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


def test_names_in_the_audit_log_are_isolated_and_escaped(client, pg):
    services.faction_create(actor=pg.organizer, organization=pg.org, name="שמאל <b>x</b>", short_name="L")
    client.force_login(pg.dora.user)
    page = client.get(reverse("audit", args=[pg.org.slug])).content.decode()
    assert "<bdi>שמאל &lt;b&gt;x&lt;/b&gt;</bdi>" in page
    assert "<b>x</b>" not in page
    assert f"<bdi>{pg.organizer.get_username()}</bdi>" in page
