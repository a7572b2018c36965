"""The pages, for the right persona and the wrong ones: members and officers see their organization,
visitors are sent to sign in, members of another organization are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.audit.services import stream_for
from councils.federation import services
from councils.federation.models import RecallPetition, Seat
from tests.factories import MemberFactory, OrganizationFactory, UserFactory
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


@pytest.fixture
def outsider():
    """A member of another organization."""
    other = OrganizationFactory(slug="moscow")
    return MemberFactory(constituency__council__organization=other, organization=other).user


def page_urls(pg: Petrograd) -> dict[str, str]:
    slug = pg.org.slug
    return {
        "organization": reverse("organization", args=[slug]),
        "council": reverse("council", args=[slug, pg.soviet.slug]),
        "constituency": reverse("constituency", args=[slug, pg.putilov.slug]),
        "audit": reverse("audit", args=[slug]),
    }


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["organization", "council", "constituency", "audit"])
def test_a_member_sees_each_page(client, pg, page):
    client.force_login(pg.dora.user)
    response = client.get(page_urls(pg)[page])
    assert response.status_code == 200
    assert b'class="skip-link" href="#main"' in response.content


@pytest.mark.parametrize("page", ["organization", "council", "constituency", "audit"])
def test_an_officer_who_is_not_a_member_sees_each_page(client, pg, page):
    client.force_login(pg.organizer)
    assert client.get(page_urls(pg)[page]).status_code == 200


@pytest.mark.parametrize("page", ["organization", "council", "constituency", "audit"])
def test_a_visitor_is_sent_to_sign_in(client, pg, page):
    url = page_urls(pg)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("page", ["organization", "council", "constituency", "audit"])
def test_a_member_of_another_organization_is_refused(client, pg, outsider, page):
    client.force_login(outsider)
    response = client.get(page_urls(pg)[page])
    assert response.status_code == 403
    assert b"Only members and officers of Petrograd" in response.content


def test_unknown_names_are_not_found(client, pg):
    client.force_login(pg.dora.user)
    for url in (
        reverse("organization", args=["nowhere"]),
        reverse("council", args=[pg.org.slug, "nowhere"]),
        reverse("constituency", args=[pg.org.slug, "nowhere"]),
    ):
        assert client.get(url).status_code == 404, url


# --- home ----------------------------------------------------------------------------------------


def test_a_visitor_sees_the_organizations_and_a_sign_in_link(client, pg):
    response = client.get(reverse("home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Petrograd" in content
    assert reverse("login") in content


def test_a_member_sees_their_constituency_deputies_councils_and_petitions(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(reverse("home")).content.decode()
    assert "Putilov Works" in content
    assert "Anna Petrova" in content and "Viktor Orlov" in content
    assert "Petrograd Soviet" in content
    assert "1 of 2 signatures" in content
    assert "Sign the petition" in content


def test_a_signer_sees_the_withdraw_button_at_home(client, pg):
    client.force_login(pg.boris.user)
    content = client.get(reverse("home")).content.decode()
    assert "Withdraw my signature" in content
    assert "Sign the petition" not in content


# --- organization --------------------------------------------------------------------------------


def test_the_organization_shows_the_tree_and_the_majority_map(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(page_urls(pg)["organization"]).content.decode()
    assert 'class="tree"' in content
    assert content.count("<circle") == 3
    assert 'id="majority-map"' in content
    assert "Bolsheviks" in content


def test_the_tree_and_the_majority_map_redraw_for_a_date_as_a_partial(client, pg):
    client.force_login(pg.dora.user)
    before_elections = (pg.elected_at - timedelta(days=1)).date().isoformat()
    response = client.get(
        page_urls(pg)["organization"],
        {"at": before_elections},
        headers={"HX-Request": "true", "HX-Target": "organization-state"},
    )
    content = response.content.decode()
    assert content.startswith('<div id="organization-state"')
    assert "<html" not in content
    assert 'id="majority-map"' in content
    assert "no majority" in content
    assert "0 of 3" in content


# --- council -------------------------------------------------------------------------------------


def test_the_council_shows_hemicycle_table_deputies_and_history(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(page_urls(pg)["council"]).content.decode()
    assert 'role="img"' in content
    assert content.count('class="seat"') == 3
    assert 'class="seat vacant"' not in content
    assert "Majority: Bolsheviks" in content
    for name in ("Anna Petrova", "Viktor Orlov", "Elena Stasova"):
        assert name in content
    assert 'class="steps"' in content
    assert "<details>" in content


def test_the_date_control_shows_a_past_composition(client, pg):
    """A deputy recalled today is still in the composition of a day before."""
    for member in (pg.dora,):
        services.petition_sign(actor=member.user, petition=pg.petition)
    client.force_login(pg.dora.user)
    url = page_urls(pg)["council"]

    now = client.get(url).content.decode()
    assert "Anna Petrova" not in now
    assert now.count('class="seat vacant"') == 1
    assert "No majority" in now

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    past = client.get(url, {"at": yesterday}).content.decode()
    assert "Anna Petrova" in past
    assert 'class="seat vacant"' not in past
    assert "Majority: Bolsheviks" in past
    assert f'value="{yesterday}"' in past


def test_the_date_control_swaps_only_the_composition_for_htmx(client, pg):
    client.force_login(pg.dora.user)
    before_elections = (pg.elected_at - timedelta(days=1)).date().isoformat()
    response = client.get(
        page_urls(pg)["council"],
        {"at": before_elections},
        headers={"HX-Request": "true", "HX-Target": "composition"},
    )
    content = response.content.decode()
    assert content.startswith('<section id="composition"')
    assert content.count('class="seat vacant"') == 3
    assert "No seat was held on this date." in content


def test_a_bad_date_shows_now_and_says_why(client, pg):
    client.force_login(pg.dora.user)
    response = client.get(page_urls(pg)["council"], {"at": "not-a-date"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def _council_with_seats(n: int, slug: str):
    organizer = UserFactory(username=f"organizer-{slug}")
    org = OrganizationFactory(slug=slug)
    services.officer_appoint(actor=SYSTEM, organization=org, user=organizer, role="organizer")
    factions = [
        services.faction_create(actor=organizer, organization=org, name=f"F{i}", colour="#336699", position=i)
        for i in range(3)
    ]
    council = services.council_create(
        actor=organizer, organization=org, name="Soviet", slug="soviet", members_per_seat=1
    )
    constituency = services.constituency_create(
        actor=organizer, organization=org, council=council, name="Works", slug="works", section="workers"
    )
    members = [MemberFactory(constituency=constituency) for _ in range(n)]
    past = timezone.now() - timedelta(days=3)
    services.council_apportion(actor=organizer, council=council, at=past)
    election = services.election_open(actor=organizer, council=council, constituency=constituency, at=past)
    services.election_declare(
        actor=organizer,
        election=election,
        elected=[(m, factions[i % 3]) for i, m in enumerate(members)],
        at=past + timedelta(hours=1),
    )
    return organizer, org, council


def test_the_council_page_costs_the_same_queries_for_10_and_40_seats(client, django_assert_max_num_queries):
    small = _council_with_seats(10, "small")
    large = _council_with_seats(40, "large")

    client.force_login(small[0])
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("council", args=["small", "soviet"])).status_code == 200
    client.force_login(large[0])
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(reverse("council", args=["large", "soviet"]))
    assert response.content.decode().count('class="seat"') == 40


# --- constituency and petitions ------------------------------------------------------------------


def test_the_constituency_shows_members_deputies_and_progress(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(page_urls(pg)["constituency"]).content.decode()
    assert "4 members" in content
    assert '<progress id="petition-' in content and 'max="2" value="1"' in content
    assert "1 of 2 signatures" in content
    assert "Sign the petition" in content
    assert "Open a recall petition" in content


def test_a_member_of_another_constituency_sees_but_cannot_sign(client, pg):
    client.force_login(pg.elena.user)
    content = client.get(page_urls(pg)["constituency"]).content.decode()
    assert "1 of 2 signatures" in content
    assert "Sign the petition" not in content
    assert "Open a recall petition" not in content

    response = client.post(reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]))
    assert response.status_code == 403
    assert pg.petition.signatures.filter(withdrawn_at__isnull=True).count() == 1


def test_signing_without_javascript_redirects_back_with_the_outcome(client, pg):
    client.force_login(pg.dora.user)
    url = page_urls(pg)["constituency"]
    response = client.post(
        reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]), {"next": url}, follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    content = response.content.decode()
    assert "Anna Petrova is recalled and the seat is vacant" in content
    pg.petition.refresh_from_db()
    assert pg.petition.status == RecallPetition.Status.SUCCEEDED
    assert not Seat.objects.filter(holder=pg.anna, end__isnull=True).exists()


def test_signing_with_htmx_swaps_the_card(client, pg):
    client.force_login(pg.dora.user)
    response = client.post(
        reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]), headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert content.startswith(f'<article class="card petition-card" id="petition-{pg.petition.pk}"')
    assert "seat is vacant" in content
    assert "2 of 2 signatures" in content
    assert "Sign the petition" not in content


def test_withdrawing_through_the_page(client, pg):
    client.force_login(pg.boris.user)
    response = client.post(
        reverse("petition_withdraw", args=[pg.org.slug, pg.petition.pk]), headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "You withdrew your signature" in content
    assert "0 of 2 signatures" in content
    assert "Sign the petition" in content
    assert pg.petition.signatures.filter(withdrawn_at__isnull=True).count() == 0


def test_signing_twice_shows_the_services_message(client, pg):
    client.force_login(pg.boris.user)
    url = page_urls(pg)["constituency"]
    response = client.post(
        reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]), {"next": url}, follow=True
    )
    assert "You have already signed this petition." in response.content.decode()


def test_the_sign_form_does_not_redirect_elsewhere(client, pg):
    client.force_login(pg.boris.user)
    response = client.post(
        reverse("petition_withdraw", args=[pg.org.slug, pg.petition.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == page_urls(pg)["constituency"]


def test_a_constituent_opens_a_petition(client, pg):
    client.force_login(pg.dora.user)
    viktor_seat = Seat.objects.get(holder=pg.viktor, end__isnull=True)
    response = client.post(
        reverse("petition_open", args=[pg.org.slug, pg.putilov.slug]),
        {"seat": viktor_seat.pk, "reason": "Supports the coalition"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The petition to recall Viktor Orlov is open" in response.content.decode()
    assert RecallPetition.objects.filter(seat=viktor_seat, status="open").exists()


def test_opening_a_petition_shows_the_form_again_with_the_services_message(client, pg, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"seat": "This seat is not held now."})

    monkeypatch.setattr(services, "petition_open", refuse)
    client.force_login(pg.dora.user)
    viktor_seat = Seat.objects.get(holder=pg.viktor, end__isnull=True)
    response = client.post(
        reverse("petition_open", args=[pg.org.slug, pg.putilov.slug]), {"seat": viktor_seat.pk}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This seat is not held now." in content
    assert "Open the petition" in content


def test_a_member_of_another_constituency_cannot_open_a_petition(client, pg):
    client.force_login(pg.elena.user)
    viktor_seat = Seat.objects.get(holder=pg.viktor, end__isnull=True)
    response = client.post(
        reverse("petition_open", args=[pg.org.slug, pg.putilov.slug]), {"seat": viktor_seat.pk}
    )
    assert response.status_code == 403
    assert not RecallPetition.objects.filter(seat=viktor_seat).exists()


def test_actions_need_post_and_a_signed_in_member(client, pg, outsider):
    sign = reverse("petition_sign", args=[pg.org.slug, pg.petition.pk])
    assert client.post(sign).status_code == 302  # to the sign-in page
    client.force_login(outsider)
    assert client.post(sign).status_code == 403
    client.force_login(pg.dora.user)
    assert client.get(sign).status_code == 405


# --- audit ---------------------------------------------------------------------------------------


def test_the_audit_log_filters_by_kind(client, pg):
    services.petition_withdraw(actor=pg.boris.user, petition=pg.petition)
    client.force_login(pg.dora.user)
    url = page_urls(pg)["audit"]
    everything = client.get(url).content.decode()
    for kind in ("council.created", "election.declared", "petition.opened", "petition.withdrawn"):
        assert f"<code>{kind}</code>" in everything
    assert '<option value="petition.withdrawn">' in everything

    only = client.get(url, {"kind": "petition.withdrawn"}).content.decode()
    rows = only.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 1
    assert "<code>petition.withdrawn</code>" in rows
    assert "<code>council.created</code>" not in rows
    assert '<option value="petition.withdrawn" selected>' in only


def test_the_audit_log_is_paginated(client, pg):
    client.force_login(pg.dora.user)
    total = Event.objects.filter(organization=pg.org).count()
    for _ in range(26 - total if total < 26 else 0):
        services.faction_create(
            actor=pg.organizer, organization=pg.org, name=f"Group {_}", colour="#555555", position=10 + _
        )
    total = Event.objects.filter(organization=pg.org).count()
    first = client.get(page_urls(pg)["audit"]).content.decode()
    assert 'rel="next"' in first
    last = client.get(page_urls(pg)["audit"], {"page": 2}).content.decode()
    assert '<td class="num">1</td>' in last  # the first event is on the last page
    assert total > 25


# --- signing in ----------------------------------------------------------------------------------


def test_signing_in_through_the_login_page(client, pg):
    response = client.post(
        reverse("login"),
        {"username": pg.dora.user.username, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_locked_out_name_gets_a_clear_message(client, pg, settings):
    settings.AXES_LOCKOUT_CALLABLE = "councils.web.views.locked_out"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": pg.dora.user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.2"
        )
    response = client.post(
        reverse("login"),
        {"username": pg.dora.user.username, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_the_audit_log_shows_the_heads_to_write_down(client, pg):
    client.force_login(pg.dora.user)
    page = client.get(page_urls(pg)["audit"]).content.decode()
    stream = stream_for(organization=pg.org)
    heads = page.split('id="heads-title"')[1]
    assert "<code>organization</code>" in heads
    assert f'<td class="num">{stream.length}</td>' in heads
    assert f'<code class="hash">{stream.head}</code>' in heads
