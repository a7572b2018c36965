"""A person's account: personal API tokens, a change of e-mail address, notification settings.

These services write no audit event, unlike every other service: the audit log is a chain per
organization, and a token belongs to a person, not to an organization (one token acts in every
organization its owner belongs to). What a script does with a token is audited by the services it
calls, with the token's owner as the actor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from councils.accounts import mail, notifications, tokencache
from councils.accounts.models import ApiToken, NotificationPreference
from councils.federation.errors import NotAllowed

if TYPE_CHECKING:
    from typing import TypeGuard

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

# Tokens start with a fixed marker so secret scanners and people recognise them.
TOKEN_MARKER = "cnc_"
# The prefix stored in clear: the marker and eight random characters.
PREFIX_LENGTH = len(TOKEN_MARKER) + 8
# Writing last_used_at on every request would make every read a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _authenticated(user: AbstractBaseUser | AnonymousUser | None) -> TypeGuard[User]:
    # Only a row of the user model (auth.User) is authenticated: see councils.accounts.actors.is_person.
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


@transaction.atomic
def token_create(*, actor: AbstractBaseUser | AnonymousUser | None, name: str) -> tuple[ApiToken, str]:
    """Create a token for the acting user and return it with its secret.

    The secret is returned only here: only its SHA-256 is stored. Raises ``NotAllowed`` for an
    anonymous or inactive actor, ``ValidationError`` (field ``name``) for a blank, too long or
    already used name.
    """
    if not _authenticated(actor):
        raise NotAllowed(_("Sign in to create an API token."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("The name is too long (at most %(max)d characters).") % {"max": NAME_MAX_LENGTH}]}
        )
    if ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": [_("You already have a token with this name.")]})
    secret = TOKEN_MARKER + secrets.token_urlsafe(32)
    try:
        # A savepoint, so that losing a race for the name leaves the outer transaction usable.
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=actor, name=name, key_prefix=secret[:PREFIX_LENGTH], key_hash=_hash(secret)
            )
    except IntegrityError as e:
        raise ValidationError({"name": [_("You already have a token with this name.")]}) from e
    return token, secret


@transaction.atomic
def token_revoke(
    *, actor: AbstractBaseUser | AnonymousUser | None, token: ApiToken, at: datetime | None = None
) -> ApiToken:
    """Revoke a token: it stops working at once. Its owner or a superuser may revoke it.

    Raises ``NotAllowed`` for anyone else and ``ValidationError`` if it was already revoked.
    """
    if not _authenticated(actor) or (actor.pk != token.user_id and not actor.is_superuser):
        raise NotAllowed(_("You may revoke only your own API tokens."))
    at = at or timezone.now()
    # The filter makes two concurrent revocations write once: the second finds nothing to update.
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at)
    if not updated:
        raise ValidationError(_("This token was already revoked."))
    token.revoked_at = at
    # The update sends no signal: this process's cache of tokens forgets it here, now and at commit.
    tokencache.forget(token.key_hash)
    return token


def token_hash(secret: str) -> str | None:
    """The hash a token of this secret is stored under, or None for what cannot be a token."""
    if not secret or not secret.startswith(TOKEN_MARKER):
        return None
    return _hash(secret)


def token_authenticate(*, secret: str, at: datetime | None = None) -> ApiToken | None:
    """The live token whose secret this is (with its user loaded), or ``None``.

    A revoked token, or one whose user is inactive, authenticates no one. Records when the token
    was last used, at most once a minute. A token that authenticated in this process within
    ``COUNCILS_TOKEN_CACHE_SECONDS`` is authenticated from memory (:mod:`councils.accounts.tokencache`
    says what stops it at once and what within that lifetime); each call gets its own instances.
    """
    if not secret or not secret.startswith(TOKEN_MARKER):
        return None
    # The same query as ApiToken.objects.select_related("user").filter(key_hash=...,
    # revoked_at__isnull=True, user__is_active=True).first(), without building it on every request.
    at = at or timezone.now()
    return tokencache.authenticate(_hash(secret), at=at, stale_before=at - LAST_USED_PRECISION)


# --- a person's e-mail address and notification settings ----------------------------------------
#
# These concern a person, not an organization, so (like tokens) they write no event in an
# organization's audit log; a change of address is confirmed by the new address and announced to
# the old one instead.

EMAIL_CHANGE_SALT = "councils.accounts.email_change"
EMAIL_TAKEN = "Another account uses this address."
EMAIL_LINK_BAD = "This confirmation link is not valid: ask for a new one from your account page."
EMAIL_LINK_EXPIRED = "This confirmation link has expired: ask for a new one from your account page."
EMAIL_LINK_USED = "This link was for an earlier address of the account: it no longer applies."


def _address_taken(email: str, *, but: int) -> bool:
    User = get_user_model()
    return User._default_manager.filter(email__iexact=email).exclude(pk=but).exists()


def email_change_request(
    *, actor: AbstractBaseUser | AnonymousUser | None, email: str, password: str
) -> mail.Delivery:
    """Ask to use ``email`` for the acting person's account: a link goes to that address, and
    nothing changes until it is followed (:func:`email_change_confirm`).

    The current password is asked for, so that a session left open cannot move the account to
    another address. Raises ``NotAllowed`` for a visitor, ``ValidationError`` naming ``password``
    or ``email``.
    """
    if not _authenticated(actor):
        raise NotAllowed(_("Sign in to change your e-mail address."))
    if not actor.check_password(password or ""):
        raise ValidationError({"password": [_("This is not your current password.")]})
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as e:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from e
    max_length = get_user_model()._meta.get_field("email").max_length or 254
    if len(email) > max_length:
        raise ValidationError(
            {"email": [_("The address is too long (at most %(max)d characters).") % {"max": max_length}]}
        )
    if email.lower() == (actor.email or "").lower():
        raise ValidationError({"email": [_("This is already your address.")]})
    if _address_taken(email, but=actor.pk):
        raise ValidationError({"email": [_(EMAIL_TAKEN)]})
    token = signing.dumps({"user": actor.pk, "old": actor.email, "new": email}, salt=EMAIL_CHANGE_SALT)
    link = mail.absolute_url(reverse("email_confirm", kwargs={"token": token}))
    body = get_template("accounts/mail/email_confirm.txt").render(
        {
            "name": actor.get_full_name() or actor.get_username(),
            "username": actor.get_username(),
            "email": email,
            "link": link,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)),
        }
    )
    message = mail.message(to=email, subject=_("Confirm your new address on Councils"), body=body)
    return mail.on_commit(lambda: [message])


def email_change_claim(*, token: str) -> dict[str, str]:
    """What a confirmation link asks (``{"username", "new"}``), checked but not applied; raises
    ``ValidationError`` (field ``token``) as :func:`email_change_confirm` would."""
    claim = _claim(token)
    User = get_user_model()
    user = User._default_manager.filter(pk=int(claim.get("user") or 0), is_active=True).first()
    if user is None:
        raise ValidationError({"token": [_(EMAIL_LINK_BAD)]})
    return {"username": user.get_username(), "new": str(claim.get("new") or "")}


def _claim(token: str) -> dict[str, Any]:
    try:
        claim = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.SignatureExpired as e:
        raise ValidationError({"token": [_(EMAIL_LINK_EXPIRED)]}) from e
    except signing.BadSignature as e:
        raise ValidationError({"token": [_(EMAIL_LINK_BAD)]}) from e
    if not isinstance(claim, dict):
        raise ValidationError({"token": [_(EMAIL_LINK_BAD)]})
    return claim


@transaction.atomic
def email_change_confirm(*, actor: AbstractBaseUser | AnonymousUser | None, token: str) -> User:
    """Follow the link of :func:`email_change_request`: the account's address becomes the new one.

    The link itself is the permission (it was asked for by the account, and reached the new
    address), so the person following it need not be signed in. A user name that was the old
    address follows it, since people sign in with their address. The old address is told.
    Raises ``ValidationError`` (field ``token``) for a link that is forged, expired, already used,
    or whose address another account took meanwhile.
    """
    claim = _claim(token)
    User = get_user_model()
    user = (
        User._default_manager.select_for_update()
        .filter(pk=int(claim.get("user") or 0), is_active=True)
        .first()
    )
    if user is None:
        raise ValidationError({"token": [_(EMAIL_LINK_BAD)]})
    old, new = claim.get("old") or "", claim.get("new") or ""
    if user.email.lower() == new.lower():
        return user  # followed twice: done already
    if user.email != old:
        raise ValidationError({"token": [_(EMAIL_LINK_USED)]})
    if _address_taken(new, but=user.pk):
        raise ValidationError({"token": [_(EMAIL_TAKEN)]})
    fields = ["email"]
    user.email = new
    if (
        user.get_username().lower() == old.lower()
        and not User._default_manager.filter(username__iexact=new).exclude(pk=user.pk).exists()
    ):
        user.username = new
        fields.append("username")
    user.save(update_fields=fields)
    if old:
        body = get_template("accounts/mail/email_changed.txt").render(
            {
                "name": user.get_full_name() or user.get_username(),
                "username": user.get_username(),
                "email": new,
            }
        )
        notice = mail.message(to=old, subject=_("Your address on Councils was changed"), body=body)
        mail.on_commit(lambda: [notice])
    return user


@transaction.atomic
def notification_preferences_set(
    *, actor: AbstractBaseUser | AnonymousUser | None, enabled: dict[str, bool], at: datetime | None = None
) -> dict[str, bool]:
    """Turn the acting person's notifications on or off, by kind; returns every kind's state.

    Raises ``NotAllowed`` for a visitor and ``ValidationError`` (field ``kind``) for a kind that
    is not registered.
    """
    if not _authenticated(actor):
        raise NotAllowed(_("Sign in to choose your notifications."))
    for code in enabled:
        try:
            notifications.notification_get(code)
        except notifications.UnknownNotification as e:
            raise ValidationError({"kind": [_("Unknown notification %(kind)r.") % {"kind": code}]}) from e
    at = at or timezone.now()
    current = notifications.preferences_of(actor.pk)
    for code, on in enabled.items():
        if current.get(code) == bool(on):
            continue
        NotificationPreference.objects.update_or_create(
            user=actor, kind=code, defaults={"enabled": bool(on), "changed_at": at}
        )
    return notifications.preferences_of(actor.pk)
