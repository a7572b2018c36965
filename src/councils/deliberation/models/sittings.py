"""Sittings: the procedure a council follows, its sittings, attendance, credentials, the agenda and
the list of speakers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Council, Faction, Member, Organization, Seat


class Procedure(models.Model):
    """The rules of debate of a council (or, without a council, the organization's defaults).

    A council without a row of its own follows its organization's row, and an organization without
    one follows the defaults of the fields below. Read through ``selectors.procedure_for``.
    """

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("more yes than no")
        TWO_THIRDS = "two_thirds", _("two thirds of the votes cast")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="procedures")
    council = models.OneToOneField(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="procedure"
    )
    quorum = models.DecimalField(
        _("quorum"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.999"))],
        help_text=_("A sitting is quorate when more than this fraction of the seats held is present."),
    )
    speaking_seconds = models.PositiveIntegerField(_("speaking time (seconds)"), default=300)
    point_of_order_seconds = models.PositiveIntegerField(_("point of order (seconds)"), default=60)
    first_speakers_first = models.BooleanField(
        _("first-time speakers first"),
        default=False,
        help_text=_("Deputies who have not yet spoken in the sitting go before those who have."),
    )
    motion_supporters = models.PositiveIntegerField(_("supporters a deputy's motion needs"), default=0)
    majority = models.CharField(
        _("majority"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE
    )
    instructions_binding = models.BooleanField(
        _("instructions are binding"),
        default=True,
        help_text=_("A binding instruction stops a delegate's contrary vote; an advisory one records it."),
    )

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(council__isnull=True),
                name="%(app_label)s_%(class)s_one_default_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(quorum__gte=0, quorum__lt=1), name="%(app_label)s_%(class)s_quorum_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"Procedure of {self.council_id or 'organization ' + str(self.organization_id)}"


class Sitting(models.Model):
    """A sitting of a council, or of a congress (a sitting of the top council whose delegates are
    accredited before it opens)."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("council sitting")
        CONGRESS = "congress", _("congress")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sittings")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="sittings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COUNCIL)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sittings_chaired",
        verbose_name=_("chair"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sittings_minuted",
        verbose_name=_("secretary"),
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PLANNED)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    current_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="planned") | Q(opened_at__isnull=False),
                name="%(app_label)s_%(class)s_open_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["council", "starts_at"], name="deliberation_sitting_council")]

    def __str__(self) -> str:
        return self.title


class AttendanceRecord(models.Model):
    """One check-in or check-out of a seat's deputy at a sitting, by themselves or recorded by the
    chair: the attendance history of a sitting is these rows, in order."""

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="attendance_records")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="attendance_records")
    present = models.BooleanField(_("present"))
    at = models.DateTimeField(_("at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_chair = models.BooleanField(_("recorded by the chair"), default=False)

    class Meta:
        ordering = ["sitting", "at", "pk"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        indexes = [models.Index(fields=["sitting", "seat", "at"], name="deliberation_attend_seat")]

    def __str__(self) -> str:
        return f"{self.seat_id} {'in' if self.present else 'out'} at {self.at:%H:%M}"


class Presence(models.Model):
    """Who is present at a sitting now: one row per seat that ever checked in, kept in step with the
    latest :class:`AttendanceRecord` by the services (the quorum counts these)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="presences")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="presences")
    present = models.BooleanField(_("present"))
    since = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "seat"], name="%(app_label)s_%(class)s_one_per_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} {'present' if self.present else 'absent'}"


class Credential(models.Model):
    """The credentials check of one delegate seat for a congress: accredited, or refused and why."""

    class Status(models.TextChoices):
        ACCREDITED = "accredited", _("accredited")
        REFUSED = "refused", _("refused")

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="credentials")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="credentials")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "seat"], name="%(app_label)s_%(class)s_one_per_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id}: {self.status}"


class AgendaItem(models.Model):
    """One numbered item of a sitting's agenda, with its planned and used time."""

    class Kind(models.TextChoices):
        REPORT = "report", _("report")
        MOTION = "motion", _("motion")
        ELECTION = "election", _("election")
        RECALL = "recall", _("recall")
        INSTRUCTION = "instruction", _("instruction")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        CURRENT = "current", _("under discussion")
        DONE = "done", _("done")

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    motion = models.ForeignKey(
        "Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    planned_seconds = models.PositiveIntegerField(_("planned time (seconds)"), default=0)
    used_seconds = models.PositiveIntegerField(_("used time (seconds)"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    # While the item is current: when its present run began (used_seconds holds earlier runs).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    speakers_closed = models.BooleanField(_("list of speakers closed"), default=False)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["sitting", "number"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.UniqueConstraint(
                fields=["sitting"], condition=Q(state="current"), name="%(app_label)s_%(class)s_one_current"
            ),
            models.CheckConstraint(
                condition=~Q(state="current") | Q(started_at__isnull=False),
                name="%(app_label)s_%(class)s_current_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def organization(self) -> Organization:
        """The sitting's organization (for the permission rules)."""
        return self.sitting.organization


class FactionBudget(models.Model):
    """A faction's speaking time on one agenda item: its speakers' countdowns share it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="budgets")
    faction = models.ForeignKey(Faction, on_delete=models.PROTECT, related_name="+")
    seconds = models.PositiveIntegerField(_("seconds"))

    class Meta:
        verbose_name = _("faction speaking time")
        verbose_name_plural = _("faction speaking times")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "faction"], name="%(app_label)s_%(class)s_one_per_faction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.faction_id} on {self.item_id}: {self.seconds} s"


class Speech(models.Model):
    """A place on an item's list of speakers: requested, then spoken (started, ended) or withdrawn.

    The waiting list is ordered by points of order first, then (where the council's rule says so)
    deputies who have not yet spoken in the sitting, then ``position`` (the order of request, which
    the chair may change).
    """

    class Kind(models.TextChoices):
        SPEECH = "speech", _("speech")
        POINT_OF_ORDER = "point_of_order", _("point of order")

    class Stance(models.TextChoices):
        NONE = "", _("none")
        PRO = "pro", _("for")
        CONTRA = "contra", _("against")

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="speeches")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="speeches")
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The faction the speaker sat with when they asked: its budget pays for the speech.
    faction = models.ForeignKey(Faction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SPEECH)
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, blank=True, default="")
    position = models.PositiveIntegerField(_("position"))
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    allotted_seconds = models.PositiveIntegerField(_("allotted seconds"), null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("speech")
        verbose_name_plural = _("speeches")
        constraints = [
            # Two requests at once from the same deputy: the database keeps one.
            models.UniqueConstraint(
                fields=["item", "member", "kind"],
                condition=Q(started_at__isnull=True, withdrawn_at__isnull=True),
                name="%(app_label)s_%(class)s_one_waiting_per_member",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(started_at__isnull=False, ended_at__isnull=True),
                name="%(app_label)s_%(class)s_one_speaking",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=False, ended_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(started_at__isnull=True),
                name="%(app_label)s_%(class)s_withdrawn_not_spoken",
            ),
        ]
        indexes = [models.Index(fields=["item", "started_at"], name="deliberation_speech_item")]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.item_id}"

    @property
    def organization(self) -> Organization:
        """The sitting's organization (for the permission rules)."""
        return self.item.sitting.organization

    @property
    def waiting(self) -> bool:
        return self.started_at is None and self.withdrawn_at is None
