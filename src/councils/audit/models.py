"""The audit log: one append-only, hash-chained sequence of events per organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One entry in an organization's audit log.

    Each event stores the hash of the one before it (``previous_hash``) and its own ``hash`` over
    its content and that link, so changing, removing or inserting an event breaks the chain at
    that point (``councils audit verify`` names it).
    """

    organization = models.ForeignKey(
        "federation.Organization", on_delete=models.PROTECT, related_name="events"
    )
    sequence = models.PositiveBigIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=64)
    # The acting user is kept apart from the object changed (as Zulip's RealmAuditLog does);
    # null for changes made by the system itself (``councils tick``, the demonstration loader).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["organization", "sequence"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="%(app_label)s_%(class)s_one_per_sequence"
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="%(app_label)s_%(class)s_sequence_positive"
            ),
        ]
        indexes = [
            # The audit log page filters an organization's events by kind, newest first.
            models.Index(fields=["organization", "kind", "-sequence"], name="audit_event_org_kind"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"
