"""A list election's models: the rule apportioning the assembly's seats among the lists, and the
places of the candidates on each list.

A list election is a :class:`~councils.voting.models.Poll` of purpose ``list`` whose candidates
are factions' lists; when its result is published the seats are apportioned among the lists by the
rule's method and threshold (``councils.counting``) and filled from each list in its order.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Council, Member
from councils.voting.models import Candidate, Poll


class ListRule(models.Model):
    """How a list election's seats are apportioned among the lists (its ``Candidate`` rows, each a
    faction's list): the method and the threshold, the assembly's, fixed when the poll is created."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="list_rule")
    method = models.CharField(
        _("apportionment method"),
        max_length=32,
        choices=Council.Apportionment.choices,
        default=Council.Apportionment.DHONDT,
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=4,
        decimal_places=3,
        default=0,
        help_text=_("The share of the votes a list needs to take part in the apportionment (0.05 for 5%)."),
    )

    class Meta:
        verbose_name = _("list election rule")
        verbose_name_plural = _("list election rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=0, threshold__lt=1), name="%(app_label)s_%(class)s_threshold_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} ({self.threshold}) for poll {self.poll_id}"


class ListPlace(models.Model):
    """A candidate's place on a list: the seats a list wins go to its candidates in this order."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="places")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("place on the list"))

    class Meta:
        ordering = ["candidate", "position"]
        verbose_name = _("place on a list")
        verbose_name_plural = _("places on lists")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "position"], name="%(app_label)s_%(class)s_one_per_place"
            ),
            models.UniqueConstraint(
                fields=["candidate", "member"], name="%(app_label)s_%(class)s_once_per_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.member_id} on {self.candidate_id}"
