"""Creating, revoking and checking personal API tokens.

These services write no audit event, unlike every other service: the audit log is a chain per
organization, and a token belongs to a person, not to an organization (one token acts in every
organization its owner belongs to). What a script does with a token is audited by the services it
calls, with the token's owner as the actor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from councils import hotsql
from councils.accounts.models import ApiToken
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
    return token


def token_authenticate(*, secret: str, at: datetime | None = None) -> ApiToken | None:
    """The live token whose secret this is (with its user loaded), or ``None``.

    A revoked token, or one whose user is inactive, authenticates no one. Records when the token
    was last used, at most once a minute.
    """
    if not secret or not secret.startswith(TOKEN_MARKER):
        return None
    # The same query as ApiToken.objects.select_related("user").filter(key_hash=...,
    # revoked_at__isnull=True, user__is_active=True).first(), without building it on every request.
    token = hotsql.live_token(_hash(secret))
    if token is None:
        return None
    at = at or timezone.now()
    if token.last_used_at is None or token.last_used_at < at - LAST_USED_PRECISION:
        # One conditional UPDATE: concurrent requests do not need a transaction to agree.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=at - LAST_USED_PRECISION)
        ).update(last_used_at=at)
        token.last_used_at = at
    return token
