"""A poll's proxies and participations: a deputy's vote handed to another, and the record that a
voter has voted (one per poll and voter, held by the database), with the named ballot of an open
poll or the tracker of a secret one's encrypted ballot (which is on the board).

History is data: participations are never changed; a proxy is withdrawn, not deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Member
from councils.voting.models import Poll


class Proxy(models.Model):
    """A deputy hands their vote in one poll to another deputy, who casts it for them.

    One proxy per giver and poll (the database holds it); how many a holder may carry is the
    council's rule (``Council``'s ``proxies_per_holder`` for a council's deputies; one otherwise).
    Withdrawing sets ``withdrawn_at``; a vote already cast stays cast.
    """

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="proxies")
    giver = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "giver"],
                condition=Q(withdrawn_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_giver",
            ),
            models.CheckConstraint(condition=~Q(giver=F("holder")), name="%(app_label)s_%(class)s_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id} -> {self.holder_id} in poll {self.poll_id}"


class Participation(models.Model):
    """The record that a voter has voted in a poll: one per poll and voter, held by the database.

    ``cast_by`` is who cast it (the voter, or their proxy; none when a chair entered it). In an
    open poll ``ballot`` is the named choice: ``{"answers": {"yes": 3}}`` for a motion (a weighted
    voter may split their weight), ``{"ranking": [candidate ids]}`` for an election (the marks of
    plurality, block and approval ballots, or the order of a ranked one). In a secret poll it is
    null: the encrypted ballot (ciphertexts and proofs, never a choice) is stored once, in the
    board's ballot event, and ``tracker``, its SHA-256 and the voter's receipt, names that event
    (``BoardEvent``'s (poll, tracker) index, unique). No column of a secret poll's participation
    can hold a plaintext choice. (Rows written before migration 0006 had the ballot here too.)

    ``idempotency_key`` (unique per poll when given) lets a client retry a cast: the same key gets
    the first answer back and nothing is stored again.
    """

    class Source(models.TextChoices):
        ONLINE = "online", _("cast online")
        ROLL_CALL = "roll_call", _("entered by the chair")

    # No index of its own: the unique (poll, principal) index serves every lookup by poll, and each
    # index costs every cast an insertion.
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="participations", db_index=False)
    principal = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(_("weight"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    cast_at = models.DateTimeField(_("cast at"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.ONLINE)
    ballot = models.JSONField(_("ballot"), null=True, blank=True)
    # A database default: the open cast inserts its row with SQL of its own that names no tracker.
    tracker = models.CharField(_("tracker"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # One voter, one participation per poll: the database holds it, not a check in Python.
            models.UniqueConstraint(
                fields=["poll", "principal"], name="%(app_label)s_%(class)s_once_per_voter"
            ),
            models.UniqueConstraint(
                fields=["poll", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="%(app_label)s_%(class)s_key_once",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="%(app_label)s_%(class)s_weighs"),
            models.UniqueConstraint(
                fields=["poll", "tracker"],
                condition=~Q(tracker=""),
                name="%(app_label)s_%(class)s_tracker_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal_id} voted in poll {self.poll_id}"
