"""Recall petitions and their signatures."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from councils.federation.models.seats import Seat
from councils.federation.models.structure import Constituency, Member, Organization
from councils.validators import validate_multiline_text

#: The longest reason a petition may give (a page of text).
REASON_MAX_LENGTH = 2000


class RecallPetition(models.Model):
    """Constituents' petition to end a deputy's mandate.

    ``required`` signatures are fixed when the petition opens (the council's threshold times the
    constituency's members then). A petition still open after ``expires_at`` has expired: pages
    derive that when they read it; ``councils tick`` writes it down.
    """

    class Status(models.TextChoices):
        # With a context: other languages agree the word with "petition" ("This petition is open").
        OPEN = "open", pgettext_lazy("petition status", "open")
        SUCCEEDED = "succeeded", pgettext_lazy("petition status", "succeeded")
        EXPIRED = "expired", pgettext_lazy("petition status", "expired")
        CLOSED = "closed", pgettext_lazy("petition status", "closed: the seat ended otherwise")
        # A council whose recall mode is "vote": the threshold opens a recall vote of the
        # constituency, whose published result ends the seat (succeeded) or keeps it (kept).
        VOTING = "voting", pgettext_lazy("petition status", "threshold reached: a recall vote is open")
        KEPT = "kept", pgettext_lazy("petition status", "the recall vote kept the deputy")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="petitions")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="petitions")
    constituency = models.ForeignKey(Constituency, on_delete=models.PROTECT, related_name="petitions")
    opened_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="petitions_opened")
    reason = models.TextField(
        _("reason"),
        blank=True,
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH), validate_multiline_text],
    )
    required = models.PositiveIntegerField(_("signatures required"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("expires at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("recall petition")
        verbose_name_plural = _("recall petitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(required__gte=1), name="%(app_label)s_%(class)s_requires_signatures"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")),
                name="%(app_label)s_%(class)s_expires_after_opening",
            ),
            # One open petition against a seat at a time: further signers sign that one.
            models.UniqueConstraint(
                fields=["seat"], condition=Q(status="open"), name="%(app_label)s_%(class)s_one_open_per_seat"
            ),
        ]
        indexes = [models.Index(fields=["constituency", "status"], name="federation_petition_open")]

    def __str__(self) -> str:
        return f"Recall of {self.seat.holder}"


class Signature(models.Model):
    """A member's signature on a recall petition. Withdrawing sets ``withdrawn_at``; the row stays."""

    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="signatures")
    signed_at = models.DateTimeField(_("signed at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            # Once each: one standing signature per member and petition.
            models.UniqueConstraint(
                fields=["petition", "member"],
                condition=Q(withdrawn_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"Signature of {self.member_id} on petition {self.petition_id}"
