"""Notifications by mail to a constituency's members: a petition opened, their deputy recalled, a
by-election opened. Each can be turned off; they go after the commit, all in a few queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.accounts import notifications
from councils.accounts.models import NotificationPreference
from councils.accounts.notifications import notification_kinds, register_notification
from councils.federation import services
from councils.federation.models import Election
from tests.factories import (
    ConstituencyFactory,
    MemberFactory,
    OfficerFactory,
    SeatAllocationFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def putilov():
    constituency = ConstituencyFactory(name="Putilov Works", slug="putilov", council__name="Petrograd Soviet")
    SeatAllocationFactory(council=constituency.council, constituency=constituency, seats=1)
    return constituency


def _members(constituency, n: int) -> list:
    return [MemberFactory(constituency=constituency) for _ in range(n)]


def _to(outbox) -> set[str]:
    return {address for message in outbox for address in message.to}


def test_the_constituency_hears_of_a_petition_except_the_opener_and_those_who_opted_out(
    putilov, mailoutbox, django_capture_on_commit_callbacks
):
    seat = SeatFactory(constituency=putilov, holder__name="Deputy Ivanova")
    opener, quiet, *others = _members(putilov, 5)
    NotificationPreference.objects.create(user=quiet.user, kind="petition.opened", enabled=False)
    elsewhere = MemberFactory(constituency=ConstituencyFactory(council=putilov.council))
    left = MemberFactory(constituency=putilov, left_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_open(actor=opener.user, seat=seat)
    recipients = _to(mailoutbox)
    assert recipients == {m.user.email for m in [*others, seat.holder]}
    assert opener.user.email not in recipients and quiet.user.email not in recipients
    assert elsewhere.user.email not in recipients and left.user.email not in recipients
    message = mailoutbox[0]
    assert message.subject == "Petition to recall Deputy Ivanova opened in Putilov Works"
    assert "/o/" in message.body and "/constituencies/putilov/" in message.body
    assert "/accounts/notifications/" in message.body  # where to turn it off


def test_nothing_is_sent_when_the_change_is_rolled_back(
    putilov, mailoutbox, django_capture_on_commit_callbacks
):
    seat = SeatFactory(constituency=putilov)
    opener, *_rest = _members(putilov, 3)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.petition_open(actor=opener.user, seat=seat)
        raise RuntimeError("the request failed after the service")
    assert mailoutbox == []


def test_a_recall_tells_the_constituency_and_the_by_election_too(
    putilov, mailoutbox, django_capture_on_commit_callbacks
):
    putilov.council.recall_threshold = Decimal("0.4")
    putilov.council.save()
    seat = SeatFactory(constituency=putilov, holder__name="Deputy Ivanova")
    first, second, *_rest = _members(putilov, 4)
    petition = services.petition_open(actor=first.user, seat=seat)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.petition_sign(actor=second.user, petition=petition)
    assert outcome.recalled
    subjects = sorted({m.subject for m in mailoutbox})
    assert subjects == [
        "By-election in Putilov Works for Petrograd Soviet",
        "Deputy Ivanova recalled from Petrograd Soviet",
    ]
    recalled = [m for m in mailoutbox if "recalled" in m.subject]
    # Everyone of the constituency, the signer and the recalled deputy included.
    assert _to(recalled) == {m.user.email for m in putilov.members.filter(left_at__isnull=True)}


def test_a_by_election_opened_by_an_officer_is_announced(
    putilov, mailoutbox, django_capture_on_commit_callbacks
):
    members = _members(putilov, 3)
    officer = OfficerFactory(organization=putilov.organization).user
    with django_capture_on_commit_callbacks(execute=True):
        election = services.election_open(
            actor=officer, council=putilov.council, constituency=putilov, kind=Election.Kind.BY_ELECTION
        )
    [message, *_] = mailoutbox
    assert _to(mailoutbox) == {m.user.email for m in members}
    assert f"/elections/{election.pk}/" in message.body
    assert "to fill 1 seat in Petrograd Soviet" in message.body


def test_a_regular_election_is_not_a_by_election(putilov, mailoutbox, django_capture_on_commit_callbacks):
    _members(putilov, 2)
    officer = OfficerFactory(organization=putilov.organization).user
    with django_capture_on_commit_callbacks(execute=True):
        services.election_open(actor=officer, council=putilov.council, constituency=putilov)
    assert mailoutbox == []


def test_sending_costs_the_same_few_queries_for_3_or_60_members(
    putilov, mailoutbox, django_capture_on_commit_callbacks
):
    """One query finds the recipients, whatever their number (no query per member)."""

    def queries_to_send(n: int) -> int:
        constituency = ConstituencyFactory(council=putilov.council)
        seat = SeatFactory(constituency=constituency)
        opener, *_rest = _members(constituency, n)
        with django_capture_on_commit_callbacks() as callbacks:
            services.petition_open(actor=opener.user, seat=seat)
        with CaptureQueriesContext(connection) as sent:
            for callback in callbacks:
                callback()
        return len(sent)

    before = len(mailoutbox)
    few = queries_to_send(3)
    many = queries_to_send(60)
    assert len(mailoutbox) - before == 2 + 59 + 2  # the others and each deputy, not the openers
    assert few == many <= 2


def test_another_app_registers_a_kind_and_it_appears_on_the_settings_page(client, monkeypatch):
    monkeypatch.setattr(notifications, "_registry", dict(notifications._registry))
    register_notification("test.poll_opened", label="A poll I may vote in opens", order=40)
    assert [k.code for k in notification_kinds()][-1] == "test.poll_opened"
    client.force_login(MemberFactory().user)
    assert "A poll I may vote in opens" in client.get(reverse("notification_settings")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_does_not_undo_the_petition(settings, caplog):
    from councils.federation.models import RecallPetition
    from tests.smtp import free_port, use_smtp

    constituency = ConstituencyFactory(name="Putilov Works", slug="putilov")
    SeatAllocationFactory(council=constituency.council, constituency=constituency, seats=1)
    seat = SeatFactory(constituency=constituency)
    opener, *_rest = _members(constituency, 3)
    use_smtp(settings, free_port())  # nobody listens there
    petition = services.petition_open(actor=opener.user, seat=seat)
    assert RecallPetition.objects.filter(pk=petition.pk, status=RecallPetition.Status.OPEN).exists()
    assert "messages could not be sent" in caplog.text
