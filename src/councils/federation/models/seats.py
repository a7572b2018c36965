"""Seats and what gives them: apportionments, seat allocations, elections, mandates with their
faction affiliations and terms."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from councils.federation.models.structure import Constituency, Council, Faction, Member, Organization
from councils.federation.parts import HasPart, one_part_constraint
from councils.validators import validate_single_line


def open_at(at: datetime) -> Q:
    """Rows whose ``[start, end)`` interval contains ``at``: seats, affiliations and allocations
    held, in force or sat with at that moment."""
    return Q(start__lte=at) & (Q(end__isnull=True) | Q(end__gt=at))


class Apportionment(models.Model):
    """One apportionment of a council's seats among its parts: by which rule, from which sizes, and
    any lot drawn to break an exact tie, with the seed that repeats it.

    The seed is derived from the inputs (council, method, seats, sizes), so the same inputs give the
    same seats however often they are apportioned; ``ties`` records each tie and who won it.
    """

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="apportionments")
    at = models.DateTimeField(_("at"))
    seat_rule = models.CharField(_("seat rule"), max_length=16, choices=Council.SeatRule.choices)
    method = models.CharField(_("method"), max_length=32, blank=True)
    total_seats = models.PositiveIntegerField(_("total seats"))
    sizes = models.JSONField(_("sizes"), default=dict)
    seed = models.PositiveBigIntegerField(_("seed of the lot"), null=True, blank=True)
    ties = models.JSONField(_("ties"), default=list, blank=True)

    class Meta:
        ordering = ["council", "at"]
        verbose_name = _("apportionment")
        verbose_name_plural = _("apportionments")

    def __str__(self) -> str:
        return f"Apportionment of {self.council_id} at {self.at:%Y-%m-%d}"


class SeatAllocation(HasPart, models.Model):
    """How many seats one part (a constituency or a child council) has in a council, from ``start``
    to ``end``. Written by apportionment; a new apportionment ends the rows it changes."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="allocations")
    constituency = models.ForeignKey(
        Constituency, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    child_council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations_above"
    )
    seats = models.PositiveIntegerField(_("seats"))
    size = models.PositiveIntegerField(_("members counted"), default=0)
    apportionment = models.ForeignKey(
        Apportionment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat allocation")
        verbose_name_plural = _("seat allocations")
        constraints = [
            one_part_constraint(),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["council", "constituency"],
                condition=Q(end__isnull=True, constituency__isnull=False),
                name="%(app_label)s_%(class)s_one_open_per_constituency",
            ),
            models.UniqueConstraint(
                fields=["council", "child_council"],
                condition=Q(end__isnull=True, child_council__isnull=False),
                name="%(app_label)s_%(class)s_one_open_per_child",
            ),
        ]
        indexes = [models.Index(fields=["council", "start", "end"], name="federation_alloc_council_time")]

    def __str__(self) -> str:
        return f"{self.seats} seats in {self.council_id}"


#: The most seats one election fills when its part has no allocation to bound it (the Petrograd
#: Soviet, the largest council of 1917, had about 3,000 deputies).
MAX_ELECTION_SEATS = 5_000


class Election(HasPart, models.Model):
    """An election of deputies for one part of a council: regular (a new term) or a by-election
    for a vacancy. In this version results are entered by a returning officer."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular election")
        BY_ELECTION = "by_election", _("by-election")

    class Status(models.TextChoices):
        # With a context: other languages agree the word with "election" ("This election is open").
        OPEN = "open", pgettext_lazy("election status", "open")
        DECLARED = "declared", pgettext_lazy("election status", "declared")
        CANCELLED = "cancelled", pgettext_lazy("election status", "cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="elections")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="elections")
    constituency = models.ForeignKey(
        Constituency, null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    child_council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="elections_above"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    seats = models.PositiveIntegerField(_("seats to fill"))
    cause = models.ForeignKey(
        "Seat",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="by_elections",
        help_text=_("The seat whose end opened this by-election."),
    )
    opened_at = models.DateTimeField(_("opened at"))
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            one_part_constraint(),
            models.CheckConstraint(condition=Q(seats__gte=1), name="%(app_label)s_%(class)s_fills_a_seat"),
        ]
        indexes = [models.Index(fields=["council", "status"], name="federation_election_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def elected_seats(self) -> list[Seat]:
        """The seats this election filled or renewed, each with the faction it sat with when the
        election was declared (read by ``selectors.elections``; empty until declared)."""
        terms = getattr(self, "elected_terms", None)
        if terms is None:
            terms = list(self.terms.select_related("seat__holder").order_by("seat__slot", "seat__pk"))
        seats = []
        for term in terms:
            seat = term.seat
            moment = self.declared_at or term.start
            fetched = getattr(seat, "affiliation_list", None)
            if fetched is None:
                fetched = list(seat.affiliations.select_related("faction"))
            seat.affiliations_at = [
                a for a in fetched if a.start <= moment and (a.end is None or a.end > moment)
            ]
            seats.append(seat)
        return seats


class SeatQuerySet(models.QuerySet["Seat"]):
    """Seats, with the factions their deputies sat with fetched alongside (one more query)."""

    def with_faction(self, at: datetime | None = None) -> SeatQuerySet:
        """Fetch each seat's affiliations so that :attr:`Seat.faction` reads without a query: the
        one in force at ``at``, or (by default) all of them, of which it reads the open one (for an
        ended seat, the last)."""
        affiliations = Affiliation.objects.select_related("faction").order_by("start")
        if at is None:
            return self.prefetch_related(
                models.Prefetch("affiliations", queryset=affiliations, to_attr="affiliation_list")
            )
        at_moment = affiliations.filter(open_at(at))
        return self.prefetch_related(
            models.Prefetch("affiliations", queryset=at_moment, to_attr="affiliations_at")
        )


class Seat(HasPart, models.Model):
    """One deputy's mandate in one council for one part (constituency or child council), from
    ``start`` to ``end``, with the reason it ended.

    A mandate is one row for as long as it lasts: the faction the deputy sits with is a series of
    dated :class:`Affiliation` periods, and each election that gave or renewed it a :class:`Term`.
    So a change of faction or a re-election adds rows and never re-points what refers to the seat
    (petitions, delegate seats, later polls and instructions). Setting ``end`` once is the only
    change a seat row receives.

    A delegate's seat (in a higher council, for a child council) ``derives_from`` the delegate's
    seat in the child council: when that seat ends, this one ends in the same transaction.
    """

    class EndReason(models.TextChoices):
        TERM = "term", _("term ended")
        RECALL = "recall", _("recalled")
        RESIGNATION = "resignation", _("resigned")
        DERIVED = "derived", _("the seat it derives from ended")
        MOVED = "moved", _("moved to another constituency")
        LEFT = "left", _("left the organization")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="seats")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="seats")
    constituency = models.ForeignKey(
        Constituency, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    child_council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="seats_above"
    )
    slot = models.PositiveIntegerField(
        _("slot"), help_text=_("Which of the part's seats this is (1, 2, ...).")
    )
    holder = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="seats", verbose_name=_("deputy")
    )
    # Copied from the constituency (or the seat below) so composition by section needs no join.
    section = models.CharField(_("section"), max_length=40, blank=True, validators=[validate_single_line])
    derives_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived_seats"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=16, choices=EndReason.choices, blank=True)

    objects = SeatQuerySet.as_manager()

    # Set on read, never stored: the prefetches of SeatQuerySet.with_faction (to_attr) and the
    # selectors fill them; Seat.faction reads them when present. Declared only (no class value), so
    # an instance without them still has no such attribute.
    affiliations_at: list[Affiliation]
    affiliation_list: list[Affiliation]

    class Meta:
        ordering = ["council", "start"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            one_part_constraint(),
            models.CheckConstraint(
                condition=Q(end__isnull=True, end_reason="") | Q(end__gt=F("start"), end_reason__gt=""),
                name="%(app_label)s_%(class)s_end_has_reason_and_follows_start",
            ),
            models.CheckConstraint(
                condition=Q(child_council__isnull=True) | Q(derives_from__isnull=False),
                name="%(app_label)s_%(class)s_delegate_derives",
            ),
            # The database refuses two open seats for the same slot.
            models.UniqueConstraint(
                fields=["council", "constituency", "slot"],
                condition=Q(end__isnull=True, constituency__isnull=False),
                name="%(app_label)s_%(class)s_one_open_per_constituency_slot",
            ),
            models.UniqueConstraint(
                fields=["council", "child_council", "slot"],
                condition=Q(end__isnull=True, child_council__isnull=False),
                name="%(app_label)s_%(class)s_one_open_per_child_slot",
            ),
            # A seat below sends at most one open delegate seat.
            models.UniqueConstraint(
                fields=["derives_from"],
                condition=Q(end__isnull=True, derives_from__isnull=False),
                name="%(app_label)s_%(class)s_one_open_delegate_per_seat",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "start", "end"], name="federation_seat_council_time"),
            models.Index(fields=["organization", "start", "end"], name="federation_seat_org_time"),
            models.Index(
                fields=["holder"], condition=Q(end__isnull=True), name="federation_seat_open_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} in {self.council}"

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def faction(self) -> Faction | None:
        """The faction the deputy sits with (None: an independent): at the moment the seat was read
        for, else now (for an ended seat, the last one). Selectors fetch it alongside
        (:meth:`SeatQuerySet.with_faction`); otherwise reading it costs a query."""
        at_moment = getattr(self, "affiliations_at", None)
        if at_moment is not None:
            return at_moment[0].faction if at_moment else None
        every = getattr(self, "affiliation_list", None)
        if every is None:
            every = list(self.affiliations.select_related("faction").order_by("start"))
            self.affiliation_list = every
        current = next((a for a in every if a.end is None), every[-1] if every else None)
        return current.faction if current is not None else None

    @property
    def faction_id(self) -> int | None:
        faction = self.faction
        return faction.pk if faction is not None else None

    @property
    def term_ends(self) -> datetime | None:
        """When the seat's latest term ends (the next regular election is due), if it has one."""
        return max((t.ends for t in self.terms.all() if t.ends is not None), default=None)


class Affiliation(models.Model):
    """The faction a seat's deputy sat with (or none: an independent) from ``start`` to ``end``.

    A seat's affiliations follow each other without gap or overlap over the seat's whole life: a
    change of faction ends the open one and starts the next at the same moment. The composition of
    a council at a moment is its affiliations open then. ``council`` and ``organization`` are the
    seat's, copied so that composition and the majority map read one table by index.
    """

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="affiliations")
    faction = models.ForeignKey(
        Faction, null=True, blank=True, on_delete=models.PROTECT, related_name="affiliations"
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["seat", "start"]
        verbose_name = _("faction affiliation")
        verbose_name_plural = _("faction affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            # One faction at a time: at most one open affiliation per seat.
            models.UniqueConstraint(
                fields=["seat"],
                condition=Q(end__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_seat",
            ),
            models.UniqueConstraint(fields=["seat", "start"], name="%(app_label)s_%(class)s_one_per_start"),
        ]
        indexes = [
            # Composition at a moment and its history, per council and per organization.
            models.Index(fields=["council", "start", "end"], name="federation_affil_council_time"),
            models.Index(fields=["organization", "start", "end"], name="federation_affil_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} with {self.faction_id or 'no faction'} from {self.start:%Y-%m-%d}"


class Term(models.Model):
    """A term of a seat: the election that gave or renewed the mandate, from ``start`` until
    ``ends`` (when the next regular election is due). A deputy re-elected keeps the seat and gains a
    term; a seat entered without an election (a paper record) has a term without one."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="terms")
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="terms"
    )
    start = models.DateTimeField(_("start"))
    ends = models.DateTimeField(_("term ends"), null=True, blank=True)

    class Meta:
        ordering = ["seat", "start"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(fields=["seat", "start"], name="%(app_label)s_%(class)s_one_per_start"),
            models.UniqueConstraint(
                fields=["seat", "election"],
                condition=Q(election__isnull=False),
                name="%(app_label)s_%(class)s_once_per_election",
            ),
        ]
        indexes = [models.Index(fields=["ends"], name="federation_term_ends")]

    def __str__(self) -> str:
        return f"term of seat {self.seat_id} from {self.start:%Y-%m-%d}"
