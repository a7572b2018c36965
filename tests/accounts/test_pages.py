"""The account pages: forgotten password, change of password, change of e-mail address confirmed by
a link, notification settings; and the invitation link's token rules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from councils.accounts import services
from councils.accounts.invitations import invitation_link, invitation_tokens
from councils.accounts.models import NotificationPreference
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def anna():
    return UserFactory(username="anna@putilov.example", email="anna@putilov.example", first_name="Anna")


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page


def test_a_forgotten_password_is_reset_from_the_link_in_the_mail(client, anna, mailoutbox, settings):
    settings.COUNCILS_BASE_URL = "https://councils.example.org"
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "ANNA@putilov.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [message] = mailoutbox
    assert message.to == ["anna@putilov.example"]
    assert message.subject == "Set your password on Councils"
    # The link uses the configured address, whatever Host the request claimed.
    [url] = re.findall(r"https?://\S+/reset/\S+", message.body)
    assert url.startswith("https://councils.example.org/accounts/reset/")
    page = client.get(_path(url), follow=True)
    assert "Choose a new password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "another long secret 1917", "new_password2": "another long secret 1917"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    anna.refresh_from_db()
    assert anna.check_password("another long secret 1917")


def test_a_member_who_never_set_a_password_can_ask_for_a_link(client, mailoutbox):
    UserFactory(username="boris@putilov.example", email="boris@putilov.example", password=None)
    newcomer = UserFactory(username="boris2@putilov.example", email="boris2@putilov.example")
    newcomer.set_unusable_password()
    newcomer.save()
    client.post(reverse("password_reset"), {"email": "boris2@putilov.example"})
    assert [m.to for m in mailoutbox] == [["boris2@putilov.example"]]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_password_is_changed_with_the_old_one(client, anna):
    client.force_login(anna)
    bad = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a brand new secret 1917",
            "new_password2": "a brand new secret 1917",
        },
    )
    assert bad.status_code == 200
    assert "Your old password was entered incorrectly" in bad.content.decode()
    good = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new secret 1917",
            "new_password2": "a brand new secret 1917",
        },
    )
    assert good["Location"] == reverse("account")
    anna.refresh_from_db()
    assert anna.check_password("a brand new secret 1917")


def test_a_new_address_changes_only_when_its_link_is_followed(
    client, anna, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(anna)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account"), {"email": "anna.petrova@union.example", "password": PASSWORD}
        )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.email == "anna@putilov.example"  # not yet
    [confirm] = mailoutbox
    assert confirm.to == ["anna.petrova@union.example"]
    url = _path(re.findall(r"https?://\S+", confirm.body)[0])

    client.logout()  # the link works on another device too
    # Opening the link asks; only the button changes the address (mail scanners open links).
    asked = client.get(url).content.decode()
    assert "Use anna.petrova@union.example as the address of the account anna@putilov.example?" in asked
    anna.refresh_from_db()
    assert anna.email == "anna@putilov.example"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url)
    assert page.status_code == 200
    assert "Your address is now anna.petrova@union.example" in page.content.decode()
    anna.refresh_from_db()
    # People sign in with their address: a user name that was the old address follows it.
    assert (anna.email, anna.username) == ("anna.petrova@union.example", "anna.petrova@union.example")
    [_confirm, notice] = mailoutbox
    assert notice.to == ["anna@putilov.example"]
    assert "anna.petrova@union.example" in notice.body

    # Confirmed again: nothing more happens; a forged or edited link is refused.
    assert client.post(url).status_code == 200
    assert client.get(url[:-3] + "xyz/").status_code == 400
    assert client.post(url[:-3] + "xyz/").status_code == 400


def test_a_change_of_address_needs_the_password_and_a_free_valid_address(client, anna, mailoutbox):
    UserFactory(username="boris", email="boris@putilov.example")
    client.force_login(anna)
    cases = [
        ({"email": "new@union.example", "password": "wrong"}, "This is not your current password."),
        ({"email": "not an address", "password": PASSWORD}, "Enter a valid email address."),
        ({"email": "BORIS@putilov.example", "password": PASSWORD}, "Another account uses this address."),
        ({"email": "anna@putilov.example", "password": PASSWORD}, "This is already your address."),
    ]
    for data, error in cases:
        response = client.post(reverse("account"), data)
        assert response.status_code == 400, data
        assert error in response.content.decode(), data
    assert mailoutbox == []


def test_a_link_for_an_address_taken_meanwhile_is_refused(
    anna, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.email_change_request(actor=anna, email="new@union.example", password=PASSWORD)
    token = re.findall(r"/accounts/email/confirm/([^/\s]+)/", mailoutbox[0].body)[0]
    UserFactory(username="thief", email="NEW@union.example")
    with pytest.raises(Exception, match="Another account uses this address"):
        services.email_change_confirm(actor=anna, token=token)
    anna.refresh_from_db()
    assert anna.email == "anna@putilov.example"


def test_notifications_are_turned_off_and_on_from_the_settings_page(client, anna):
    client.force_login(anna)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "A petition to recall a deputy of my constituency opens" in page
    assert "A by-election opens in my constituency" in page
    # Every kind is on until the person chooses; an unticked box turns its kind off.
    response = client.post(
        reverse("notification_settings"),
        {"petition.opened": "on", "by_election.opened": "on", "poll.opened": "on"},
    )
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=anna).values_list("kind", "enabled")) == {
        "deputy.recalled": False
    }
    client.post(
        reverse("notification_settings"),
        {"petition.opened": "on", "deputy.recalled": "on", "by_election.opened": "on", "poll.opened": "on"},
    )
    assert dict(NotificationPreference.objects.filter(user=anna).values_list("kind", "enabled")) == {
        "deputy.recalled": True
    }


def test_the_account_pages_need_a_signed_in_person(client):
    for name in ("account", "notification_settings", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_an_unknown_notification_kind_is_refused_by_name(anna):
    with pytest.raises(Exception, match=r"Unknown notification 'carrier\.pigeon'"):
        services.notification_preferences_set(actor=anna, enabled={"carrier.pigeon": True})


# --- the invitation's token --------------------------------------------------------------------


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def test_an_invitation_token_is_not_a_reset_token_nor_the_reverse(anna):
    invitation = invitation_tokens.make_token(anna)
    reset = default_token_generator.make_token(anna)
    assert invitation_tokens.check_token(anna, invitation)
    assert not default_token_generator.check_token(anna, invitation)
    assert not invitation_tokens.check_token(anna, reset)


def test_an_invitation_works_for_its_days_then_expires(anna, settings, monkeypatch):
    settings.COUNCILS_INVITATION_DAYS = 14
    token = invitation_tokens.make_token(anna)
    made = datetime.now()
    for days, valid in [(3, True), (13, True), (15, False)]:
        monkeypatch.setattr(invitation_tokens, "_now", lambda d=days: made + timedelta(days=d))
        assert invitation_tokens.check_token(anna, token) is valid, days


def test_an_invitation_link_points_at_the_configured_address(anna, settings):
    settings.COUNCILS_BASE_URL = "https://councils.example.org"
    link = invitation_link(anna)
    assert link.startswith(f"https://councils.example.org/accounts/invitation/{_uid(anna)}/")
