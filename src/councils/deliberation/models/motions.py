"""Motions, their supporters, history and amendments; decisions (how a council resolved) with any
roll call; instructions to delegates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from councils.deliberation.models.sittings import AgendaItem, Sitting
from councils.federation.models import Council, Faction, Member, Organization, Seat


class Motion(models.Model):
    """A proposal to a council: submitted by a deputy (with supporters), by a faction, or forwarded
    from a child council that adopted it (``origin``). Its text is Markdown."""

    class Kind(models.TextChoices):
        THESIS = "thesis", _("thesis")
        RESOLUTION = "resolution", _("resolution")
        DECREE = "decree", _("decree")

    # States share English words with an amendment's, not their Russian (and other) grammatical
    # gender: a context each ("motion state", "amendment state").
    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("motion state", "submitted")
        ON_AGENDA = "on_agenda", pgettext_lazy("motion state", "on the agenda")
        IN_VOTE = "in_vote", pgettext_lazy("motion state", "in a vote")
        ADOPTED = "adopted", pgettext_lazy("motion state", "adopted")
        REJECTED = "rejected", pgettext_lazy("motion state", "rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("motion state", "withdrawn")
        REFERRED = "referred", pgettext_lazy("motion state", "referred")
        FORWARDED = "forwarded", pgettext_lazy("motion state", "forwarded")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="motions")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="motions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RESOLUTION)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), help_text=_("Markdown."))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitter = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
        verbose_name=_("submitter"),
    )
    faction = models.ForeignKey(
        Faction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
        verbose_name=_("faction"),
    )
    origin = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarded_as",
        verbose_name=_("forwarded from"),
    )
    # The text as adopted, fixed when the council decides (the motion with its adopted amendments).
    adopted_text = models.TextField(_("adopted text"), blank=True)

    class Meta:
        ordering = ["council", "number"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(submitter__isnull=False) | Q(faction__isnull=False) | Q(origin__isnull=False),
                name="%(app_label)s_%(class)s_has_a_source",
            ),
        ]
        indexes = [models.Index(fields=["council", "state"], name="deliberation_motion_state")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class MotionSupport(models.Model):
    """A deputy's support for a motion submitted by another deputy."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="supports")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} supports {self.motion_id}"


class MotionStateChange(models.Model):
    """One dated change of a motion's state: its history."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="history")
    state = models.CharField(_("state"), max_length=16, choices=Motion.State.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["motion", "at", "pk"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.motion_id} {self.state} at {self.at:%Y-%m-%d %H:%M}"


class Amendment(models.Model):
    """A change to a span of a motion's lines (``first_line`` to ``last_line``, counted from 1 in the
    submitted text): the lines replaced by ``text``. An empty text deletes them."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("amendment state", "submitted")
        ADOPTED = "adopted", pgettext_lazy("amendment state", "adopted")
        REJECTED = "rejected", pgettext_lazy("amendment state", "rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("amendment state", "withdrawn")

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField(_("number"))
    first_line = models.PositiveIntegerField(_("first line"))
    last_line = models.PositiveIntegerField(_("last line"))
    text = models.TextField(_("new text"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    submitter = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faction = models.ForeignKey(Faction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["motion", "first_line", "number"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(first_line__gte=1, last_line__gte=F("first_line")),
                name="%(app_label)s_%(class)s_line_span",
            ),
        ]
        indexes = [models.Index(fields=["motion", "state"], name="deliberation_amend_state")]

    def __str__(self) -> str:
        return f"A{self.number} to {self.motion_id}"

    @property
    def organization(self) -> Organization:
        """The motion's organization (for the permission rules)."""
        return self.motion.organization


class Decision(models.Model):
    """How a council resolved a question: a motion, an amendment, or an instruction to its delegates.

    Recorded by the chair or secretary as counted in the hall (a show of hands, or a roll call whose
    named votes are :class:`RollCallVote` rows). A poll of the ``voting`` app will record its result
    here too (``method = poll``, with the poll linked): everything that reads an outcome reads this.
    """

    class Method(models.TextChoices):
        SHOW_OF_HANDS = "show_of_hands", _("show of hands")
        ROLL_CALL = "roll_call", _("roll call (named)")
        POLL = "poll", _("poll")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="decisions")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="decisions")
    sitting = models.ForeignKey(
        Sitting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    yes = models.PositiveIntegerField(_("yes"))
    no = models.PositiveIntegerField(_("no"))
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    adopted = models.BooleanField(_("adopted"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(amendment__isnull=True) | Q(motion__isnull=False),
                name="%(app_label)s_%(class)s_amendment_has_motion",
            ),
        ]

    def __str__(self) -> str:
        return f"decision {self.pk}: {self.yes}-{self.no}-{self.abstain}"


class RollCallVote(models.Model):
    """How one deputy voted in a decision taken by roll call."""

    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        NO = "no", _("no")
        ABSTAIN = "abstain", _("abstain")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="votes")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    # Set when the deputy voted against a binding or advisory instruction of their council below.
    departed_from = models.ForeignKey(
        "Instruction", null=True, blank=True, on_delete=models.PROTECT, related_name="departures"
    )

    class Meta:
        verbose_name = _("named vote")
        verbose_name_plural = _("named votes")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "seat"], name="%(app_label)s_%(class)s_once_per_seat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id}: {self.choice}"


class Instruction(models.Model):
    """A child council's instruction to its delegates on a motion before its parent council: vote
    yes, no, abstain, or free. Binding or advisory by the organization's procedure when adopted."""

    class Position(models.TextChoices):
        YES = "yes", _("vote yes")
        NO = "no", _("vote no")
        ABSTAIN = "abstain", _("abstain")
        FREE = "free", _("free vote")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="instructions")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="instructions_given")
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="instructions")
    position = models.CharField(_("position"), max_length=8, choices=Position.choices)
    binding = models.BooleanField(_("binding"))
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="instruction"
    )
    adopted_at = models.DateTimeField(_("adopted at"))
    # A later instruction on the same motion supersedes this one.
    ended_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["motion", "council", "adopted_at"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "motion"],
                condition=Q(ended_at__isnull=True),
                name="%(app_label)s_%(class)s_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} on {self.motion_id}: {self.position}"
