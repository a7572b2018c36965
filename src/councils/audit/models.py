"""The audit log: append-only, hash-chained streams of events.

An organization's log is made of streams. Every organization has its own stream (owned by the
organization itself); an object that records many events of its own, such as a poll or a sitting,
can own a stream of the organization so that its appends do not queue behind every other write of
the organization. Each stream is one hash chain, and its row is the chain's head: appending locks
that row only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from councils.audit.kinds import summary_render

# The owner type of an organization's own stream: its model label, written as a string so that the
# audit app imports nothing from the federation app.
ORGANIZATION_OWNER = "federation.organization"

# How an event's hash is computed (``councils.audit.services.HASHERS``). Version 1 is the chain
# as it was before streams (per organization, the English summary hashed); events written then
# keep it, so their hashes still verify. Version 2 hashes the stream and the payload, not a summary.
HASH_LEGACY = 1
HASH_STREAMS = 2


class Stream(models.Model):
    """One hash chain of an organization's log, with its head: how long it is and its last hash.

    The owner is the organization itself (``federation.organization``, its id) or another object
    of the organization that keeps its own chain (``voting.poll``, its id).
    """

    organization = models.ForeignKey(
        "federation.Organization", on_delete=models.PROTECT, related_name="audit_streams"
    )
    owner_type = models.CharField(_("owner type"), max_length=64)
    owner_id = models.CharField(_("owner id"), max_length=64)
    # The head, written only by councils.audit.services.event_record, under this row's lock.
    length = models.PositiveBigIntegerField(_("length"), default=0)
    head = models.CharField(_("head hash"), max_length=64, blank=True)

    class Meta:
        ordering = ["organization", "id"]
        verbose_name = _("stream")
        verbose_name_plural = _("streams")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "owner_type", "owner_id"],
                name="%(app_label)s_%(class)s_one_per_owner",
            ),
            models.CheckConstraint(
                condition=Q(length=0, head="") | (Q(length__gte=1) & ~Q(head="")),
                name="%(app_label)s_%(class)s_head_with_length",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organization_stream(self) -> bool:
        return self.owner_type == ORGANIZATION_OWNER and self.owner_id == str(self.organization_id)

    @property
    def name(self) -> str:
        """How people and head files name the stream: ``organization``, or ``voting.poll:12``."""
        return "organization" if self.is_organization_stream else f"{self.owner_type}:{self.owner_id}"


class Event(models.Model):
    """One entry in a stream of an organization's audit log.

    Each event stores the hash of the one before it in its stream (``previous_hash``) and its own
    ``hash`` over its content and that link, so changing, removing or inserting an event breaks the
    chain at that point (``councils audit verify`` names it). Its human summary is rendered from
    its kind and payload when shown (``summary``); only events written before the registry of kinds
    keep the English sentence they were hashed with (``legacy_summary``).
    """

    organization = models.ForeignKey(
        "federation.Organization", on_delete=models.PROTECT, related_name="events"
    )
    stream = models.ForeignKey(Stream, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveBigIntegerField(_("sequence"))
    hash_version = models.PositiveSmallIntegerField(_("hash version"))
    kind = models.CharField(_("kind"), max_length=64)
    # The acting user is kept apart from the object changed (as Zulip's RealmAuditLog does);
    # null for changes made by the system itself (``councils tick``, the demonstration loader).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    legacy_summary = models.CharField(_("legacy summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["stream", "sequence"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "sequence"], name="%(app_label)s_%(class)s_one_per_sequence"
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="%(app_label)s_%(class)s_sequence_positive"
            ),
        ]
        indexes = [
            # The audit log page filters an organization's events by kind, newest first.
            models.Index(fields=["organization", "kind", "-id"], name="audit_event_org_kind"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"

    @property
    def summary(self) -> str:
        """What happened, in the active language: rendered from the kind's template and the payload
        (the stored English sentence for an event written before the registry)."""
        if self.hash_version == HASH_LEGACY:
            return self.legacy_summary
        return summary_render(self.kind, self.data) or self.kind

    @property
    def summary_html(self) -> str:
        """:attr:`summary` as safe HTML, each name in it isolated in ``<bdi>`` (for the pages)."""
        if self.hash_version == HASH_LEGACY:
            return format_html("<bdi>{}</bdi>", self.legacy_summary)
        return summary_render(self.kind, self.data, isolate=True) or self.kind
