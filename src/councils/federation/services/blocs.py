"""Blocs: factions forming a coalition, changing its factions, and ending it.

History is data: a bloc's factions change by ending some memberships and starting others at the
moment of the change, and a bloc that ends keeps its row with its end. A faction sits in at most
one bloc at a time (at any moment of the past too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.audit.services import event_record
from councils.federation.models import Bloc, BlocMembership, Council, Faction, Organization
from councils.federation.services._common import NOT_ORGANIZER, full_clean, moment_of, require
from councils.live.publish import publish_on_commit
from councils.live.topics import Topic, council_topic, organization_topic

MIN_FACTIONS = 2


def _topics(organization: Organization) -> list[Topic]:
    # A bloc reads in the composition of every council and in the majority map.
    councils = Council.objects.filter(organization=organization).only("pk", "organization_id")
    return [organization_topic(organization), *(council_topic(c) for c in councils)]


def _checked_factions(organization: Organization, factions: Iterable[Faction]) -> list[Faction]:
    """The distinct factions, all of ``organization``, at least two; else a ``factions`` error."""
    chosen: dict[int, Faction] = {}
    for faction in factions:
        if faction.organization_id != organization.pk:
            raise ValidationError(
                {
                    "factions": _("%(faction)s is a faction of another organization.")
                    % {"faction": faction.name}
                }
            )
        chosen[faction.pk] = faction
    if len(chosen) < MIN_FACTIONS:
        raise ValidationError({"factions": _("A bloc joins at least two factions.")})
    return sorted(chosen.values(), key=lambda f: (f.position, f.name))


def _refuse_overlaps(factions: Sequence[Faction], at: datetime, *, besides: Bloc | None = None) -> None:
    """Refuse a faction that sits in another bloc at ``at`` or later."""
    overlapping = (
        BlocMembership.objects.filter(faction__in=factions)
        .filter(Q(end__isnull=True) | Q(end__gt=at))
        .select_related("bloc", "faction")
    )
    if besides is not None:
        overlapping = overlapping.exclude(bloc=besides)
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            {
                "factions": _(
                    "%(faction)s sits in the bloc %(bloc)s then: a faction sits in one bloc at a time."
                )
                % {"faction": clash.faction.name, "bloc": clash.bloc.name}
            }
        )


def _names(factions: Iterable[Faction]) -> list[str]:
    return [f.name for f in factions]


@transaction.atomic
def bloc_form(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    factions: Iterable[Faction],
    at: datetime | None = None,
) -> Bloc:
    """Form a bloc of two or more of the organization's factions, from ``at`` (default now)."""
    require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    moment = moment_of(at)
    members = _checked_factions(organization, factions)
    bloc = Bloc(organization=organization, name=name.strip(), start=moment)
    if (
        bloc.name
        and Bloc.objects.filter(organization=organization, name=bloc.name, end__isnull=True).exists()
    ):
        raise ValidationError({"name": _("A bloc of this name is in force already.")})
    full_clean(bloc)
    _refuse_overlaps(members, moment)
    bloc.save()
    BlocMembership.objects.bulk_create(
        BlocMembership(bloc=bloc, faction=f, organization=organization, start=moment) for f in members
    )
    event_record(
        organization=organization,
        kind="bloc.formed",
        actor=actor,
        target=bloc,
        data={"name": bloc.name, "factions": [f.pk for f in members], "faction_names": _names(members)},
        at=moment,
    )
    publish_on_commit(_topics(organization))
    return bloc


def _open_bloc(bloc: Bloc, moment: datetime) -> tuple[Bloc, list[BlocMembership]]:
    """The bloc, locked, with its open memberships; refused if it has ended or ``moment`` does
    not come after its last change."""
    bloc = Bloc.objects.select_for_update().select_related("organization").get(pk=bloc.pk)
    if bloc.end is not None:
        raise ValidationError({"bloc": _("The bloc %(bloc)s has ended.") % {"bloc": bloc.name}})
    current = list(bloc.memberships.filter(end__isnull=True).select_related("faction"))
    last = max([bloc.start, *(m.start for m in current)])
    if moment <= last:
        raise ValidationError({"at": _("A change of a bloc must come after its last change.")})
    return bloc, current


@transaction.atomic
def bloc_change(*, actor: Actor, bloc: Bloc, factions: Iterable[Faction], at: datetime | None = None) -> Bloc:
    """From ``at`` (default now) the bloc joins exactly ``factions``: those leaving it end their
    membership, those joining start one."""
    require(actor, "federation.change_structure", bloc.organization, NOT_ORGANIZER)
    moment = moment_of(at)
    bloc, current = _open_bloc(bloc, moment)
    organization = bloc.organization
    members = _checked_factions(organization, factions)
    wanted = {f.pk for f in members}
    leaving = [m for m in current if m.faction_id not in wanted]
    joining = [f for f in members if f.pk not in {m.faction_id for m in current}]
    if not leaving and not joining:
        raise ValidationError({"factions": _("The bloc already joins exactly these factions.")})
    _refuse_overlaps(joining, moment, besides=bloc)
    for membership in leaving:
        membership.end = moment
        membership.save(update_fields=["end"])
    BlocMembership.objects.bulk_create(
        BlocMembership(bloc=bloc, faction=f, organization=organization, start=moment) for f in joining
    )
    event_record(
        organization=organization,
        kind="bloc.changed",
        actor=actor,
        target=bloc,
        data={
            "name": bloc.name,
            "factions": [f.pk for f in members],
            "faction_names": _names(members),
            "joined": [f.pk for f in joining],
            "left": [m.faction_id for m in leaving],
        },
        at=moment,
    )
    publish_on_commit(_topics(organization))
    return bloc


@transaction.atomic
def bloc_end(*, actor: Actor, bloc: Bloc, at: datetime | None = None) -> Bloc:
    """End the bloc at ``at`` (default now), and every faction's membership of it."""
    require(actor, "federation.change_structure", bloc.organization, NOT_ORGANIZER)
    moment = moment_of(at)
    bloc, current = _open_bloc(bloc, moment)
    BlocMembership.objects.filter(pk__in=[m.pk for m in current]).update(end=moment)
    bloc.end = moment
    bloc.save(update_fields=["end"])
    event_record(
        organization=bloc.organization,
        kind="bloc.ended",
        actor=actor,
        target=bloc,
        data={"name": bloc.name, "factions": [m.faction_id for m in current]},
        at=moment,
    )
    publish_on_commit(_topics(bloc.organization))
    return bloc
