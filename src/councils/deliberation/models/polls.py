"""A poll of the ``voting`` app opened in a sitting: what it decides (a motion, an amendment, an
instruction to the council's delegates, or an election or recall), and the decision its published
result recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from councils.deliberation.models.motions import Amendment, Decision, Instruction, Motion
from councils.deliberation.models.sittings import AgendaItem, Sitting
from councils.federation.models import Member


class SittingPoll(models.Model):
    """The link of a poll to the sitting it was opened in. Its electorate is the deputies present
    when it opened (the voting app asks :mod:`councils.deliberation.services.polls`); when its result
    is published, the council's :class:`Decision` is recorded from it (``decision``)."""

    class Subject(models.TextChoices):
        MOTION = "motion", _("motion")
        AMENDMENT = "amendment", _("amendment")
        INSTRUCTION = "instruction", _("instruction to the delegates")
        ELECTION = "election", _("election")
        RECALL = "recall", _("recall")

    poll = models.OneToOneField("voting.Poll", on_delete=models.PROTECT, related_name="sitting_link")
    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="polls")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    # The motion voted on (for an amendment: its motion; for an instruction: the parent's motion).
    motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.PROTECT, related_name="sitting_polls"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="sitting_polls"
    )
    position = models.CharField(
        _("instruction"), max_length=8, choices=Instruction.Position.choices, blank=True, default=""
    )
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="sitting_poll"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        ordering = ["sitting", "opened_at", "pk"]
        verbose_name = _("poll of a sitting")
        verbose_name_plural = _("polls of sittings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject__in=["motion", "amendment", "instruction"]) | Q(motion__isnull=False),
                name="%(app_label)s_%(class)s_names_its_motion",
            ),
            models.CheckConstraint(
                condition=~Q(subject="amendment") | Q(amendment__isnull=False),
                name="%(app_label)s_%(class)s_names_its_amendment",
            ),
            models.CheckConstraint(
                condition=~Q(subject="instruction") | ~Q(position=""),
                name="%(app_label)s_%(class)s_instruction_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"poll {self.poll_id} in sitting {self.sitting_id}"


class SittingProxy(models.Model):
    """A deputy hands their vote for a whole sitting to another deputy of the council.

    At most one live proxy per giver and sitting (the database holds it). When a poll of the
    sitting opens while the giver is absent and the holder present, the giver joins the electorate
    and a per-poll proxy of the voting app is given to the holder; a giver who is present votes
    themself. Withdrawing sets ``withdrawn_at``; the row stays as history.
    """

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="proxies")
    giver = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Who recorded it: the giver, or the chair recording a paper proxy.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sitting", "given_at", "pk"]
        verbose_name = _("proxy for a sitting")
        verbose_name_plural = _("proxies for a sitting")
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "giver"],
                condition=Q(withdrawn_at__isnull=True),
                name="%(app_label)s_%(class)s_one_live_per_giver",
            ),
            models.CheckConstraint(condition=~Q(giver=F("holder")), name="%(app_label)s_%(class)s_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id} -> {self.holder_id} in sitting {self.sitting_id}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
