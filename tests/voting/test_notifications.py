"""A poll's electorate hears by mail that it opened, unless they turned it off."""

from __future__ import annotations

import pytest

from councils.accounts.models import NotificationPreference
from councils.accounts.notifications import notification_kinds
from councils.voting import services
from tests.voting.conftest import make_body

pytestmark = pytest.mark.django_db


def test_the_electorate_hears_a_poll_opened_except_who_turned_it_off(
    mailoutbox, django_capture_on_commit_callbacks
):
    body = make_body(deputies=4)
    quiet = body.deputies[0]
    NotificationPreference.objects.create(user=quiet.user, kind="poll.opened", enabled=False)
    poll = body.poll(open=False, title="Peace without annexations")
    assert mailoutbox == []  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_open(actor=body.officer, poll=poll)
    recipients = {address for message in mailoutbox for address in message.to}
    assert recipients == {d.user.email for d in body.deputies[1:]}
    message = mailoutbox[0]
    assert message.subject == "Poll open: Peace without annexations"
    assert f"/polls/{poll.pk}/" in message.body and "/accounts/notifications/" in message.body


def test_members_of_a_constituency_hear_it_and_the_kind_is_on_the_settings_page(
    mailoutbox, django_capture_on_commit_callbacks
):
    body = make_body(deputies=2)
    with django_capture_on_commit_callbacks(execute=True):
        body.poll(title="Recall?", electorate_constituency=body.constituency)
    assert len({a for m in mailoutbox for a in m.to}) == 5  # 2 deputies and 3 other members
    assert "poll.opened" in [k.code for k in notification_kinds()]
