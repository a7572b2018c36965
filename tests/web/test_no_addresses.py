"""A sweep: no page and no API answer a member reads shows another person's e-mail address (the
people of the scenario have addresses, and some sign in with them)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from councils.federation.models import Election, Member, Seat
from councils.federation.services import officer_appoint, petition_sign
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg():
    pg = build_petrograd()
    # Imported members sign in with their address: their user name is the address.
    for member in Member.objects.filter(organization=pg.org).select_related("user"):
        member.user.username = member.user.email
        member.user.save(update_fields=["username"])
    petition_sign(actor=pg.viktor.user, petition=pg.petition)
    officer_appoint(actor=pg.organizer, organization=pg.org, user=pg.elena.user, role="returning_officer")
    return pg


def _urls(pg) -> list[str]:
    slug, api = pg.org.slug, f"/api/organizations/{pg.org.slug}"
    election = Election.objects.filter(organization=pg.org).first()
    other = pg.anna
    urls = [
        reverse("home"),
        reverse("organization", args=[slug]),
        reverse("council", args=[slug, pg.soviet.slug]),
        reverse("constituency", args=[slug, pg.putilov.slug]),
        reverse("elections", args=[slug]),
        reverse("audit", args=[slug]),
        reverse("member", args=[slug, other.pk]),
        "/api/organizations",
        api,
        f"{api}/events",
        f"{api}/audit/heads",
        f"{api}/elections",
        f"{api}/petitions",
        f"{api}/councils",
        f"{api}/councils/{pg.soviet.slug}",
        f"{api}/councils/{pg.soviet.slug}/composition",
        f"{api}/councils/{pg.soviet.slug}/seats",
        f"{api}/majority-map",
        f"{api}/constituencies",
        f"{api}/constituencies/{pg.putilov.slug}",
        f"{api}/factions",
        f"{api}/members/{other.pk}",
    ]
    if election is not None:
        urls += [reverse("election", args=[slug, election.pk]), f"{api}/elections/{election.pk}"]
    return urls


def test_a_member_reads_no_other_persons_address_anywhere(client, pg):
    viewer = pg.dora.user
    client.force_login(viewer)
    addresses = set(get_user_model().objects.exclude(pk=viewer.pk).values_list("email", flat=True)) - {""}
    assert len(addresses) >= 6
    assert Seat.objects.filter(organization=pg.org).exists()
    for url in _urls(pg):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        shown = sorted(a for a in addresses if a in text)
        assert not shown, f"{url} shows {shown}"


def test_an_organizer_reads_them_where_their_work_needs_them(client, pg):
    client.force_login(pg.organizer)
    assert (
        pg.anna.user.email in client.get(reverse("member", args=[pg.org.slug, pg.anna.pk])).content.decode()
    )
    assert pg.viktor.user.email in client.get(reverse("audit", args=[pg.org.slug])).content.decode()
