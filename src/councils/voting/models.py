"""Polls, their candidates, electorates, proxies and participations.

A poll is a vote on a motion (yes / no / abstain) or an election of candidates by one of the
counting library's methods, open (named) or secret. Its electorate (the deputies of a council, the
members of a constituency, or the members of the whole organization) is fixed when it opens: one
:class:`Elector` row per voter with their weight. Voting writes one :class:`Participation` per
voter, held unique by the database; in an open poll the participation carries the named ballot
(the choice is part of the result). In a secret poll it carries the ballot encrypted in the voter's
browser and its tracker, never a choice: only the sum of all ballots is ever decrypted, by the
trustees (:mod:`councils.voting.secret_models`, :mod:`councils.voting.crypto`).

History is data: polls change state, they are not deleted; participations are never changed.

**Purposes (the extension point).** ``Poll.purpose`` says what a declared result does besides
being declared. ``general`` does nothing more. The others name the federation object the poll
decides on through a nullable foreign key, and a handler registered in
:mod:`councils.voting.purposes` runs inside ``poll_publish``'s transaction:

- ``recall``: ``recall_petition`` (a council whose recall mode is "vote");
- ``deputies``: ``election`` (a constituency's election of deputies filling seats);
- ``delegates``: ``election`` (a council's election of its delegates to the council above);
- ``list``: candidates carry a ``faction`` (a list), the assembly's seats are apportioned.

A helper adding one writes its handler and registers it; the model needs no other change.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.counting.majority import MajorityRule
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Organization,
    RecallPetition,
    Seat,
)

#: The answers of a motion, in the order they are shown.
ANSWERS = ("yes", "no", "abstain")


class Poll(models.Model):
    """A vote of an electorate on a motion or an election, with its rules, its state and its result."""

    class Kind(models.TextChoices):
        MOTION = "motion", _("motion (yes / no / abstain)")
        ELECTION = "election", _("election of candidates")

    class Method(models.TextChoices):
        # The counting library's names (councils.counting.methods.METHODS).
        PLURALITY = "plurality", _("plurality (one mark)")
        BLOCK = "block", _("block vote (a mark per seat)")
        APPROVAL = "approval", _("approval (mark every candidate you approve)")
        IRV = "irv", _("instant-runoff (ranked, one seat)")
        SCOTTISH_STV = "scottish-stv", _("single transferable vote, Scottish rules (ranked)")
        MEEK_STV = "meek-stv", _("single transferable vote, Meek (ranked)")
        SCHULZE = "schulze", _("Schulze (ranked)")

    class Secrecy(models.TextChoices):
        OPEN = "open", _("open (named): who voted how is part of the result")
        SECRET = "secret", _("secret: encrypted ballots, only the sum is decrypted")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        COUNTED = "counted", _("counted")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    class Majority(models.TextChoices):
        SIMPLE = MajorityRule.SIMPLE.value, _("simple majority (more than half of the votes cast)")
        ABSOLUTE = MajorityRule.ABSOLUTE.value, _("absolute majority (more than half of the members)")
        TWO_THIRDS = MajorityRule.TWO_THIRDS.value, _("two thirds")
        THREE_QUARTERS = MajorityRule.THREE_QUARTERS.value, _("three quarters")
        UNANIMITY = MajorityRule.UNANIMITY.value, _("unanimity")

    class Base(models.TextChoices):
        DEFAULT = "", _("the rule's own (votes cast; members for an absolute majority)")
        CAST = "cast", _("of the votes cast")
        MEMBERS = "members", _("of the members")

    class Abstentions(models.TextChoices):
        EXCLUDE = "exclude", _("abstentions are not votes cast")
        COUNT = "count", _("abstentions count as votes cast")

    class Quorum(models.TextChoices):
        NONE = "none", _("no quorum")
        MAJORITY = "majority", _("more than half of the electorate")
        NUMBER = "number", _("at least this many of the electorate")
        SHARE = "share", _("at least this share of the electorate")

    class Weighting(models.TextChoices):
        EQUAL = "equal", _("one vote each")
        REPRESENTED = "represented", _("each deputy carries the members they represent")

    class Purpose(models.TextChoices):
        GENERAL = "general", _("a decision of its own")
        RECALL = "recall", _("a recall vote")
        DEPUTIES = "deputies", _("an election of a constituency's deputies")
        DELEGATES = "delegates", _("a council's election of its delegates")
        LIST = "list", _("a list election")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="polls")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("text"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    method = models.CharField(
        _("counting method"), max_length=16, choices=Method.choices, blank=True, default=""
    )
    seats = models.PositiveSmallIntegerField(_("seats to fill"), default=1)
    secrecy = models.CharField(_("secrecy"), max_length=8, choices=Secrecy.choices, default=Secrecy.OPEN)
    majority = models.CharField(
        _("majority required"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE
    )
    majority_base = models.CharField(
        _("majority of"), max_length=8, choices=Base.choices, blank=True, default=Base.DEFAULT
    )
    abstentions = models.CharField(
        _("abstentions"), max_length=8, choices=Abstentions.choices, default=Abstentions.EXCLUDE
    )
    quorum = models.CharField(_("quorum"), max_length=8, choices=Quorum.choices, default=Quorum.NONE)
    quorum_value = models.DecimalField(
        _("quorum figure"),
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("A number of votes (weights) for 'at least this many', a share in (0, 1] for a share."),
    )
    weighting = models.CharField(
        _("weights"), max_length=12, choices=Weighting.choices, default=Weighting.EQUAL
    )
    electorate_council = models.ForeignKey(
        Council,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
        verbose_name=_("deputies of"),
    )
    electorate_constituency = models.ForeignKey(
        Constituency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
        verbose_name=_("members of"),
    )
    # The third electorate: every member of the organization, of whichever constituency.
    electorate_organization = models.BooleanField(
        _("members of the whole organization"),
        default=False,
        db_default=False,
        help_text=_("The members of every constituency of the organization vote."),
    )
    running_result = models.BooleanField(
        _("show the running result while open"),
        default=False,
        help_text=_("Only for open (named) polls: everyone sees the votes so far, as in a roll call."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Written by poll_count: every stage of the count (councils.counting's result as JSON), the
    # decision of a motion, turnout and quorum. Never changed after.
    result = models.JSONField(_("result"), null=True, blank=True)
    # Votes a chair entered as totals (a show of hands counted, paper ballots): answer or candidate
    # id -> weight. Added to the online votes when counted.
    entered_totals = models.JSONField(_("totals entered by the chair"), null=True, blank=True)
    # What the declared result does besides (see the module docstring).
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.GENERAL)
    recall_petition = models.ForeignKey(
        RecallPetition, null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    # A secret poll's trustees, its fingerprint (the setup event's, binding every proof to this
    # poll) and its board's head and length as of its last event other than a ballot (written at
    # opening, closing, each decryption and the result; while it is open ``SecretTally`` holds the
    # live head, so a cast does not write the poll's row).
    committee = models.ForeignKey(
        "voting.TrusteeCommittee",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
        verbose_name=_("trustee committee"),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, default="")
    board_head = models.CharField(_("board head"), max_length=64, blank=True, default="")
    board_length = models.PositiveIntegerField(_("board events"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    electorate_council__isnull=False,
                    electorate_constituency__isnull=True,
                    electorate_organization=False,
                )
                | Q(
                    electorate_council__isnull=True,
                    electorate_constituency__isnull=False,
                    electorate_organization=False,
                )
                | Q(
                    electorate_council__isnull=True,
                    electorate_constituency__isnull=True,
                    electorate_organization=True,
                ),
                name="%(app_label)s_%(class)s_one_electorate",
            ),
            models.CheckConstraint(
                condition=Q(kind="motion", method="") | Q(kind="election") & ~Q(method=""),
                name="%(app_label)s_%(class)s_method_of_kind",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="%(app_label)s_%(class)s_fills_a_seat"),
            models.CheckConstraint(
                condition=Q(secrecy="open") | Q(running_result=False),
                name="%(app_label)s_%(class)s_secret_runs_no_result",
            ),
            models.CheckConstraint(
                condition=Q(secrecy="open") | Q(kind="motion") | Q(method__in=["plurality", "approval"]),
                name="%(app_label)s_%(class)s_secret_not_ranked",
            ),
            models.CheckConstraint(
                condition=Q(secrecy="open") | Q(committee__isnull=False) | Q(state="cancelled"),
                name="%(app_label)s_%(class)s_secret_has_committee",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="%(app_label)s_%(class)s_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["organization", "state"], name="voting_poll_org_state")]

    def __str__(self) -> str:
        return self.title

    # --- derived when read ------------------------------------------------------------------------

    def state_at(self, moment: datetime | None = None) -> str:
        """The state at ``moment`` (now): an open poll past ``closes_at`` is closed even before
        ``councils tick`` writes it down; a draft past ``opens_at`` stays a draft until tick (or an
        officer) opens it, because opening fixes the electorate."""
        moment = moment or timezone.now()
        if self.state == self.State.OPEN and self.closes_at is not None and self.closes_at <= moment:
            return self.State.CLOSED
        return str(self.state)

    @property
    def current_state(self) -> str:
        return self.state_at()

    def get_current_state_display(self) -> str:
        return str(self.State(self.current_state).label)

    @property
    def is_open(self) -> bool:
        return self.current_state == self.State.OPEN

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def is_secret(self) -> bool:
        return self.secrecy == self.Secrecy.SECRET

    @property
    def max_marks(self) -> int:
        """How many candidates a ballot may mark or rank."""
        if self.method == self.Method.PLURALITY:
            return 1
        if self.method == self.Method.BLOCK:
            return self.seats
        return 10**6  # approval and ranked methods: every candidate (checked against the list)

    @property
    def electorate_kind(self) -> str:
        """Who votes: ``council`` (its deputies), ``constituency`` or ``organization`` (members)."""
        if self.electorate_council_id is not None:
            return "council"
        if self.electorate_organization:
            return "organization"
        return "constituency"

    @property
    def electorate_name(self) -> str:
        """The council, constituency or organization whose deputies or members vote."""
        if self.electorate_council_id is not None:
            return str(self.electorate_council)
        if self.electorate_organization:
            return str(self.organization)
        return str(self.electorate_constituency)


RANKED_METHODS = frozenset({"irv", "scottish-stv", "meek-stv", "schulze"})
SECRET_ALLOWED_METHODS = frozenset({"plurality", "approval"})


class Candidate(models.Model):
    """A candidate of an election (a person, or a faction's list in a list election)."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="candidates")
    name = models.CharField(_("name"), max_length=200)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faction = models.ForeignKey(Faction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position on the ballot"), default=0)

    class Meta:
        ordering = ["poll", "position", "pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["poll", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Elector(models.Model):
    """One voter of a poll's electorate, fixed when the poll opened, with their weight."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="electors")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(_("weight"), default=1)
    # The seat that made a deputy an elector (none for a constituency's members).
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["poll", "member__name", "pk"]
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="%(app_label)s_%(class)s_once_per_poll"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="%(app_label)s_%(class)s_weighs"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in poll {self.poll_id} ({self.weight})"


# A list election's rule and places, a poll's proxies and participations, and the secret polls'
# models (trustees, boards, tallies) live in modules of their own, imported here for Django.
from councils.voting.list_models import ListPlace, ListRule  # noqa: E402
from councils.voting.participation_models import Participation, Proxy  # noqa: E402
from councils.voting.secret_models import (  # noqa: E402
    BallotCiphertext,
    BoardEvent,
    SecretTally,
    Trustee,
    TrusteeCommittee,
)

__all__ = [
    "ANSWERS",
    "RANKED_METHODS",
    "SECRET_ALLOWED_METHODS",
    "BallotCiphertext",
    "BoardEvent",
    "Candidate",
    "Elector",
    "ListPlace",
    "ListRule",
    "Participation",
    "Poll",
    "Proxy",
    "SecretTally",
    "Trustee",
    "TrusteeCommittee",
]
