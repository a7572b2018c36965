"""A secret poll's models: its trustee committee, its public board, its board's head (the tally).

See ``VOTING-DESIGN.md`` and ``docs/secret-polls.md``. Nothing here can hold a plaintext choice:
ballots are ciphertexts with proofs, sums are ciphertexts, and the only plaintext numbers are the
decrypted totals of the whole poll (the board's result event and ``Poll.result``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Member, Organization
from councils.voting.models import Poll


class TrusteeCommittee(models.Model):
    """The trustees of an organization's secret polls (per term): ``threshold`` of ``size`` decrypt.

    ``ceremony`` is the key generation's relayed document (``councils-ceremony/1``: registrations,
    deals with their sealed shares, confirmations): public messages and sealed boxes only; no
    trustee's secret ever reaches the server. When every trustee has confirmed the committee is
    ``ready`` with its ``election_key``; a trustee who changes means a new committee.
    """

    class State(models.TextChoices):
        KEYGEN = "keygen", _("key generation under way")
        READY = "ready", _("ready")
        RETIRED = "retired", _("retired")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(_("name"), max_length=200)
    threshold = models.PositiveSmallIntegerField(_("trustees needed to decrypt"), default=2)
    size = models.PositiveSmallIntegerField(_("trustees"), default=3)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.KEYGEN)
    ceremony = models.JSONField(_("key ceremony"), default=dict)
    election_key = models.CharField(_("election key"), max_length=64, blank=True, default="")
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["organization", "-created_at", "-pk"]
        verbose_name = _("trustee committee")
        verbose_name_plural = _("trustee committees")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=F("size")),
                name="%(app_label)s_%(class)s_threshold_fits",
            ),
            models.CheckConstraint(
                condition=Q(state="keygen") | ~Q(election_key=""),
                name="%(app_label)s_%(class)s_ready_has_key",
            ),
            models.UniqueConstraint(fields=["fingerprint"], name="%(app_label)s_%(class)s_fingerprint_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Trustee(models.Model):
    """One trustee of a committee: a member (who keeps a key file on their own machine), or, with no
    member, the server's embedded trustee, whose key file lives in the data directory outside the
    database and its backups. Only public parts are stored: the verification key once confirmed."""

    committee = models.ForeignKey(TrusteeCommittee, on_delete=models.PROTECT, related_name="trustees")
    index = models.PositiveSmallIntegerField(_("number in the committee"))
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification_key = models.CharField(_("verification key"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["committee", "index"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        constraints = [
            models.UniqueConstraint(fields=["committee", "index"], name="%(app_label)s_%(class)s_index_once"),
            models.CheckConstraint(condition=Q(index__gte=1), name="%(app_label)s_%(class)s_index_from_one"),
        ]

    def __str__(self) -> str:
        return f"trustee {self.index} of {self.committee_id}"

    @property
    def organization(self) -> Organization:
        """The committee's organization (what the permission rules ask of an object)."""
        return self.committee.organization

    @property
    def is_embedded(self) -> bool:
        """The server's own trustee (no member)."""
        return self.member_id is None


class BoardEvent(models.Model):
    """One event of a secret poll's public board (:mod:`councils.voting.crypto.board`): append-only
    (a trigger refuses UPDATE and DELETE on PostgreSQL), hash-chained by ``prev`` and ``hash``.

    ``tracker`` repeats a ballot event's tracker (blank otherwise) so that a voter's receipt is
    found by one index lookup; ``weight`` and ``points`` repeat its weight and its ciphertexts as
    32-byte points (alpha, beta of each answer in order; null otherwise) so that the close adds up
    100,000 ballots without reading their bodies. A ballot event holds no voter and no time."""

    # No index of its own: the unique (poll, seq) index serves every lookup by poll.
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="board_events", db_index=False)
    seq = models.PositiveIntegerField(_("number"))
    type = models.CharField(_("type"), max_length=24)
    body = models.JSONField(_("body"))
    prev = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    tracker = models.CharField(_("tracker"), max_length=64, blank=True, default="")
    weight = models.PositiveBigIntegerField(_("weight"), null=True, blank=True)
    points = models.BinaryField(_("ciphertexts' points"), null=True, blank=True)

    class Meta:
        ordering = ["poll", "seq"]
        verbose_name = _("board event")
        verbose_name_plural = _("board events")
        constraints = [
            models.UniqueConstraint(fields=["poll", "seq"], name="%(app_label)s_%(class)s_seq_once"),
            models.UniqueConstraint(
                fields=["poll", "tracker"],
                condition=~Q(tracker=""),
                name="%(app_label)s_%(class)s_tracker_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.seq} of poll {self.poll_id}"


class SecretTally(models.Model):
    """A secret poll's live board state, updated in each cast's transaction: the head and length of
    its board (``prev``: the hash the head's event follows), the ballots cast and their total
    weight. It keeps no encrypted sums: a running sum would make every cast add points while it
    holds this row's lock; the close adds up the board's ballots instead (``secret_close``)."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, primary_key=True, related_name="tally")
    head = models.CharField(_("board head"), max_length=64)
    prev = models.CharField(_("hash before the head"), max_length=64, blank=True, default="")
    length = models.PositiveIntegerField(_("board events"))
    count = models.PositiveIntegerField(_("ballots"), default=0)
    total_weight = models.PositiveBigIntegerField(_("total weight"), default=0)

    class Meta:
        verbose_name = _("secret tally")
        verbose_name_plural = _("secret tallies")

    def __str__(self) -> str:
        return f"tally of poll {self.poll_id}"


class BallotCiphertext(models.Model):
    """Every ciphertext's first half (``alpha``) of a secret poll's ballots, unique per poll: a
    ballot repeating another's ciphertext (a replay, even reordered) is refused by the database."""

    # No index of its own: the unique (poll, alpha) index serves every lookup by poll.
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="+", db_index=False)
    alpha = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ballot ciphertext")
        verbose_name_plural = _("ballot ciphertexts")
        constraints = [
            models.UniqueConstraint(fields=["poll", "alpha"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alpha[:12]}... in poll {self.poll_id}"
