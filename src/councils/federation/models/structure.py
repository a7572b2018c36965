"""The organization's structure: organizations, officers, factions, councils, constituencies and
members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A federation using Councils. Its audit log's heads are in ``councils.audit`` (``Stream``)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class OfficerQuerySet(models.QuerySet["Officer"]):
    def current(self) -> OfficerQuerySet:
        """Offices not ended: what every permission and access check reads."""
        return self.filter(ended_at__isnull=True)


class Officer(models.Model):
    """A person who runs an organization: an organizer (changes its structure) or a returning officer
    (records election results). An officer need not be a member."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("organizer")
        RETURNING_OFFICER = "returning_officer", _("returning officer")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    appointed_at = models.DateTimeField(_("appointed"), default=timezone.now)
    # History is data: an office ends, its row stays (who organized the organization when).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="%(app_label)s_%(class)s_one_current_role_each",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("appointed_at")),
                name="%(app_label)s_%(class)s_ends_after_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Faction(models.Model):
    """An organized group (party) of an organization."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="factions")
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=24)
    colour = models.CharField(
        _("colour"), max_length=7, default="#888888", help_text=_("A hex colour such as #c0392b.")
    )
    # Left-to-right order in the hemicycle (smaller sits further left).
    position = models.SmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["organization", "position", "name"]
        verbose_name = _("faction")
        verbose_name_plural = _("factions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="%(app_label)s_%(class)s_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Council(models.Model):
    """A body of deputies. Councils form a tree: a base council is filled by constituencies,
    a higher council by its child councils."""

    class SeatRule(models.TextChoices):
        RATIO = "ratio", _("one deputy per N members")
        FIXED = "fixed", _("fixed number of seats, apportioned")

    class Apportionment(models.TextChoices):
        DHONDT = "dhondt", _("D'Hondt")
        SAINTE_LAGUE = "sainte-lague", _("Sainte-Laguë")
        MODIFIED_SAINTE_LAGUE = "modified-sainte-lague", _("modified Sainte-Laguë")
        HARE = "hare", _("largest remainder (Hare)")
        DROOP = "droop", _("largest remainder (Droop)")
        HUNTINGTON_HILL = "huntington-hill", _("Huntington–Hill")

    class RecallMode(models.TextChoices):
        IMMEDIATE = "immediate", _("the seat ends when the threshold is reached")
        VOTE = "vote", _("a recall vote opens when the threshold is reached")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="councils")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    seat_rule = models.CharField(
        _("seat rule"), max_length=16, choices=SeatRule.choices, default=SeatRule.RATIO
    )
    members_per_seat = models.PositiveIntegerField(
        _("members per seat"),
        null=True,
        blank=True,
        help_text=_("For the ratio rule: one deputy per this many."),
    )
    minimum_seats = models.PositiveIntegerField(
        _("minimum seats per part"),
        default=1,
        help_text=_("Every constituency or child council gets at least this many."),
    )
    total_seats = models.PositiveIntegerField(
        _("total seats"), null=True, blank=True, help_text=_("For the fixed rule: the size of the council.")
    )
    apportionment_method = models.CharField(
        _("apportionment method"),
        max_length=32,
        choices=Apportionment.choices,
        default=Apportionment.SAINTE_LAGUE,
    )
    term_days = models.PositiveIntegerField(_("term (days)"), default=365)
    recall_threshold = models.DecimalField(
        _("recall threshold"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text=_("The fraction of a constituency's members whose signatures end a deputy's mandate."),
    )
    recall_mode = models.CharField(
        _("recall mode"), max_length=16, choices=RecallMode.choices, default=RecallMode.IMMEDIATE
    )
    petition_days = models.PositiveIntegerField(
        _("petition period (days)"),
        default=30,
        help_text=_("A recall petition not completed in this time expires."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            ),
            models.CheckConstraint(
                condition=Q(seat_rule="ratio", members_per_seat__gte=1)
                | Q(seat_rule="fixed", total_seats__gte=1),
                name="%(app_label)s_%(class)s_seat_rule_complete",
            ),
            models.CheckConstraint(
                condition=Q(recall_threshold__gt=0, recall_threshold__lte=1),
                name="%(app_label)s_%(class)s_recall_threshold_fraction",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    """A group of members that elects deputies to one (base) council."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="constituencies")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="constituencies")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    section = models.CharField(
        _("section"),
        max_length=40,
        blank=True,
        help_text=_('An optional label such as "workers" or "soldiers".'),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A person with voting rights in an organization, in exactly one constituency there.

    A person may be a member of several organizations (one row each). Leaving ends the row
    (``left_at``, ``left_reason``); it is not deleted. Moving to another constituency ends the row
    as *moved* and starts a new one there that records the row it continues (``moved_from``), so
    the constituency of every past signature, petition and seat stays what it was.
    """

    class LeftReason(models.TextChoices):
        LEFT = "left", _("left the organization")
        MOVED = "moved", _("moved to another constituency")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    constituency = models.ForeignKey(Constituency, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=200)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_reason = models.CharField(
        _("left because"), max_length=16, choices=LeftReason.choices, blank=True, default="", db_default=""
    )
    moved_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moved_to",
        verbose_name=_("continues the membership"),
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(left_at__isnull=True),
                name="%(app_label)s_%(class)s_one_membership_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True, left_reason="")
                | Q(left_at__isnull=False, left_at__gte=F("joined_at"), left_reason__gt=""),
                name="%(app_label)s_%(class)s_left_has_reason",
            ),
        ]
        indexes = [
            # Recall thresholds and apportionment count a constituency's current members.
            models.Index(
                fields=["constituency"], condition=Q(left_at__isnull=True), name="federation_member_current"
            ),
        ]

    def __str__(self) -> str:
        return self.name
