"""Blocs: coalitions of an organization's factions, each over a dated period.

A bloc is formed, its factions may change, and it ends; nothing of it is deleted. Which factions
sat in it when is a series of :class:`BlocMembership` periods, so the composition of any council
at any past moment can say which bloc held how many seats then.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from councils.federation.models.structure import Faction, Organization


class Bloc(models.Model):
    """A coalition of two or more factions of an organization from ``start`` to ``end``."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="blocs")
    name = models.CharField(_("name"), max_length=120)
    start = models.DateTimeField(_("formed"))
    end = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["organization", "start", "name"]
        verbose_name = _("bloc")
        verbose_name_plural = _("blocs")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            # Two blocs of one name at once would read as one on every page.
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(end__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_name",
            ),
        ]
        indexes = [models.Index(fields=["organization", "start", "end"], name="federation_bloc_org_time")]

    def __str__(self) -> str:
        return self.name


class BlocMembership(models.Model):
    """A faction sitting in a bloc from ``start`` to ``end``. A faction sits in at most one bloc
    at a time; ``organization`` is the bloc's, copied so that a composition reads one table."""

    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="memberships")
    faction = models.ForeignKey(
        Faction, on_delete=models.PROTECT, related_name="bloc_memberships", verbose_name=_("faction")
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["bloc", "start", "faction"]
        verbose_name = _("bloc membership")
        verbose_name_plural = _("bloc memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["faction"],
                condition=Q(end__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_faction",
            ),
            models.UniqueConstraint(
                fields=["bloc", "faction", "start"], name="%(app_label)s_%(class)s_one_per_start"
            ),
        ]
        indexes = [
            # The blocs in force at a moment, for every composition and the majority map.
            models.Index(fields=["organization", "start", "end"], name="federation_blocm_org_time")
        ]

    def __str__(self) -> str:
        return f"{self.faction_id} in {self.bloc_id} from {self.start:%Y-%m-%d}"
