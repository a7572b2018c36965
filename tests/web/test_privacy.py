"""Privacy on the pages: the audit log names people for members and adds addresses only for the
officers who need them; a member's page shows the address and the invitation to organizers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from councils.federation.models import Officer, Seat
from councils.federation.services import petition_open
from tests.factories import MemberFactory, OfficerFactory
from tests.web.scenario import build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg():
    return build_petrograd()


def _signer(pg):
    user = get_user_model().objects.create_user(username="vera@putilov.example", email="vera@putilov.example")
    return MemberFactory(constituency=pg.putilov, user=user, name="Vera Signer")


def test_the_audit_log_names_signers_for_members_without_addresses(client, pg):
    vera = _signer(pg)
    petition_open(actor=vera.user, seat=Seat.objects.get(holder=pg.viktor, end__isnull=True))
    client.force_login(pg.dora.user)
    page = client.get(reverse("audit", args=[pg.org.slug])).content.decode()
    assert "<td><bdi>Vera Signer</bdi></td>" in page
    assert "vera@putilov.example" not in page


@pytest.mark.parametrize("role", [Officer.Role.ORGANIZER, Officer.Role.RETURNING_OFFICER])
def test_officers_see_the_address_beside_the_name(client, pg, role):
    vera = _signer(pg)
    petition_open(actor=vera.user, seat=Seat.objects.get(holder=pg.viktor, end__isnull=True))
    client.force_login(OfficerFactory(organization=pg.org, role=role).user)
    page = client.get(reverse("audit", args=[pg.org.slug])).content.decode()
    assert "Vera Signer &lt;vera@putilov.example&gt;" in page


def test_a_members_page_shows_the_address_and_invitation_to_organizers_only(
    client, pg, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = MemberFactory(constituency=pg.putilov, name="New Comer")
    newcomer.user.set_unusable_password()
    newcomer.user.save()
    url = reverse("member", args=[pg.org.slug, newcomer.pk])

    client.force_login(pg.dora.user)
    page = client.get(url).content.decode()
    assert newcomer.user.email not in page
    assert "Send the invitation again" not in page
    assert client.post(url, {"action": "invite"}).status_code == 403

    client.force_login(pg.organizer)
    page = client.get(url).content.decode()
    assert newcomer.user.email in page
    assert "has not set a password yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "invite"}, follow=True)
    assert "A new invitation went to New Comer." in response.content.decode()
    [message] = mailoutbox
    assert message.to == [newcomer.user.email]
