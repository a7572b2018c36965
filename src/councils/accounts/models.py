"""Personal API tokens, and each person's notification preferences.

A token lets a person's scripts call the JSON API as that person (``Authorization: Bearer <token>``).
Only the SHA-256 of the secret is stored: the secret is shown once, when the token is created, and
cannot be shown again. A token is revoked, not deleted, so the list of a person's tokens stays a
record of which scripts could act for them and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One person's named token for scripts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “results script”.")
    )
    # The first characters of the secret: enough to recognise a token in a list, useless to guess it.
    key_prefix = models.CharField(_("key prefix"), max_length=16, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # Authentication looks a token up by the hash of the secret presented.
            models.UniqueConstraint(fields=["key_hash"], name="%(app_label)s_%(class)s_unique_key_hash"),
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="%(app_label)s_%(class)s_key_hash_sha256"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_blank"),
            # A person tells their live tokens apart by name; a revoked token frees its name.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_unique_live_name",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="%(app_label)s_%(class)s_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification (``councils.accounts.notifications``).

    A kind without a row for a person follows the kind's default; a row records that the person
    turned it on or off, and when.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    enabled = models.BooleanField(_("enabled"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="%(app_label)s_%(class)s_unique_user_kind"),
        ]
        # Sending asks, per kind, which of many people turned it off: the (kind, enabled) index
        # answers without reading every person's rows.
        indexes = [models.Index(fields=["kind", "enabled"], name="accounts_notif_kind_enabled")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.enabled else 'off'}"
