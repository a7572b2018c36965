"""Invitations: the message a new member gets, with a link to set their password.

The link carries a token of Django's password-reset machinery under a salt of its own (a reset
link does not open the invitation page, nor the reverse) and a longer life
(``COUNCILS_INVITATION_DAYS``, 14 days by default). Like a reset token it stops working once it has
been used: the token covers the password's hash, which setting a password changes.

A person who already has a password (a member of another organization, or one who joins again)
gets the same message without the link: they sign in as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.template.loader import get_template
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from councils.accounts import mail

#: Users fetched per query when building a batch (below every backend's parameter limit).
CHUNK = 900


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the invitation link: a reset token's rules, its own salt, a longer life."""

    key_salt = "councils.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user: object, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > invitation_timeout():
            return False
        # The parent checks the signature and its own (shorter) timeout: ask it as of the moment
        # the token was made, so that only the signature is left for it to judge.
        return PasswordResetTokenGenerator.check_token(_AsOf(timestamp, self), user, token)  # type: ignore[arg-type]


class _AsOf(PasswordResetTokenGenerator):
    """A generator whose clock reads the moment a token was made (see ``check_token`` above)."""

    def __init__(self, timestamp: int, like: PasswordResetTokenGenerator) -> None:
        super().__init__()
        self.key_salt = like.key_salt
        self.secret = like.secret
        self.secret_fallbacks = like.secret_fallbacks
        self.algorithm = like.algorithm
        self._at = datetime(2001, 1, 1) + timedelta(seconds=timestamp)

    def _now(self) -> datetime:
        return self._at


def invitation_timeout() -> int:
    """How long an invitation link works, in seconds."""
    return int(settings.COUNCILS_INVITATION_DAYS) * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user: object) -> str:
    """The absolute link that lets ``user`` set their first password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))  # type: ignore[attr-defined]
    token = invitation_tokens.make_token(user)  # type: ignore[arg-type]
    return mail.absolute_url(reverse("invitation_confirm", kwargs={"uidb64": uid, "token": token}))


# Stand-ins for what differs between two people's invitations: the body is rendered (translated)
# once per batch with these, then each person's values replace them. Rendering the template for
# each of 10,000 members took most of an import's mail time.
_NAME, _USERNAME, _LINK = "\x00name\x00", "\x00username\x00", "\x00link\x00"


def invitation_messages(*, organization_name: str, user_ids: Sequence[int]) -> Iterator[EmailMessage]:
    """One invitation to the members of ``organization_name`` for each active user in ``user_ids``
    with an e-mail address; a few queries per thousand users."""
    User = get_user_model()
    template = get_template("accounts/mail/invitation.txt")
    subject = _("You are a member of %(organization)s on Councils") % {"organization": organization_name}
    common = {
        "organization": organization_name,
        "name": _NAME,
        "username": _USERNAME,
        "login": mail.absolute_url(reverse("login")),
        "reset": mail.absolute_url(reverse("password_reset")),
        "days": settings.COUNCILS_INVITATION_DAYS,
    }
    bodies = {
        True: template.render({**common, "link": _LINK}),  # for those who have no password yet
        False: template.render({**common, "link": None}),  # for those who sign in as before
    }
    # The link's path with stand-ins too: reverse() once, not once per person.
    path = reverse("invitation_confirm", kwargs={"uidb64": "UIDB64", "token": "TOKEN"})
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), CHUNK):
        users = (
            User._default_manager.filter(pk__in=ids[start : start + CHUNK], is_active=True)
            .exclude(email="")
            .order_by("pk")
        )
        for user in users:
            invited = not user.has_usable_password()
            body = bodies[invited].replace(_NAME, user.get_full_name() or user.get_username())
            body = body.replace(_USERNAME, user.get_username())
            if invited:
                uid = urlsafe_base64_encode(force_bytes(user.pk))
                link = path.replace("UIDB64", uid).replace("TOKEN", invitation_tokens.make_token(user))
                body = body.replace(_LINK, mail.absolute_url(link))
            yield mail.message(to=user.email, subject=subject, body=body)


def invite_on_commit(*, organization_name: str, user_ids: Sequence[int]) -> mail.Delivery:
    """Send the invitations once the current transaction commits (see :func:`mail.on_commit`)."""
    ids = list(user_ids)
    return mail.on_commit(lambda: invitation_messages(organization_name=organization_name, user_ids=ids))
