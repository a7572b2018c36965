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
    # The "By" cell isolates the person's name too (members see names, not user names).
    assert "<td><bdi>" in page


@pytest.mark.parametrize("page", ["184467440737095518", "99", "0", "-1", "two"])
def test_a_page_of_the_audit_log_that_does_not_exist_says_so(client, pg, page):
    client.force_login(pg.dora.user)
    response = client.get(reverse("audit", args=[pg.org.slug]), {"page": page})
    assert response.status_code == 404
    assert f"There is no page {page} of this list: it has pages 1 to" in response.content.decode()


def test_the_audit_log_pages_that_exist_are_shown(client, pg):
    client.force_login(pg.dora.user)
    assert client.get(reverse("audit", args=[pg.org.slug]), {"page": "1"}).status_code == 200
    assert client.get(reverse("audit", args=[pg.org.slug])).status_code == 200


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("2100-01-01", "2100-01-01 is out of range"),
        ("0001-01-01", "0001-01-01 is out of range"),
        ("1917-13-45", "Enter a valid date"),
    ],
)
@pytest.mark.parametrize("page", ["council", "organization"])
def test_a_date_out_of_range_or_malformed_is_named_beside_the_control(client, pg, page, typed, words):
    client.force_login(pg.dora.user)
    args = [pg.org.slug] if page == "organization" else [pg.org.slug, pg.soviet.slug]
    html = client.get(reverse(page, args=args), {"at": typed}).content.decode()
    assert words in html
    assert 'aria-invalid="true"' in html
    assert f'value="{typed}"' in html  # what was typed stays, not today's date


def test_a_date_in_range_shows_that_day(client, pg):
    client.force_login(pg.dora.user)
    html = client.get(reverse("council", args=[pg.org.slug, pg.soviet.slug]), {"at": "1917-03-01"}).content
    assert b'value="1917-03-01"' in html and b'aria-invalid="true"' not in html


def test_a_petition_reason_with_a_bidirectional_override_is_refused_on_the_page(client, pg):
    from councils.federation.models import RecallPetition, Seat

    client.force_login(pg.dora.user)
    viktor_seat = Seat.objects.get(holder=pg.viktor, end__isnull=True)
    response = client.post(
        reverse("petition_open", args=[pg.org.slug, pg.putilov.slug]),
        {"seat": viktor_seat.pk, "reason": "Supports the \u202ecoalition"},
    )
    assert response.status_code == 400
    # Beside the field it is about, not at the top of the form.
    beside_reason = response.content.decode().split('id="id_reason-error"')[1].split("</ul>")[0]
    assert "bidirectional control character (U+202E)" in beside_reason
    assert not RecallPetition.objects.filter(seat=viktor_seat).exists()


def test_an_unknown_kind_of_event_is_named_beside_the_filter(client, pg):
    client.force_login(pg.dora.user)
    html = client.get(reverse("audit", args=[pg.org.slug]), {"kind": "no.such.kind"}).content.decode()
    beside = html.split('id="id_kind-error"')[1].split("</ul>")[0]
    assert "no.such.kind is not one of the available choices" in beside
