"""Proxies for a sitting: a deputy hands their vote for a whole sitting to another deputy of the
council, within the council's limit of proxies per holder (the voting app's rule).

A sitting's proxy changes nothing while its giver is present: they vote themself. When a poll of the
sitting opens with the giver absent and the holder present, the giver joins the poll's electorate
(:func:`proxied_seats`, asked by the electorate filter in :mod:`.poll_hooks`) and the voting app's
per-poll proxy is given to the holder (:func:`proxies_apply`), so casting, limits and results work
as for any proxy. The quorum still counts only the deputies present.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from councils.accounts.actors import SYSTEM, Actor, is_person
from councils.audit.services import event_record
from councils.deliberation.models import Presence, Sitting, SittingPoll, SittingProxy
from councils.deliberation.selectors.sittings import seat_of
from councils.deliberation.services._common import (
    NOT_CHAIR,
    NOT_DEPUTY,
    lock_sitting,
    moment_of,
    publish_sitting,
    require,
    require_not_closed,
)
from councils.federation.models import Member, Seat, open_at
from councils.voting import services as voting
from councils.voting.models import Elector, Participation, Poll, Proxy

# Messages raised and asserted by name.
NOT_GIVER = gettext_noop("Only the deputy who gave this proxy, or the chair of the sitting, may withdraw it.")
ALREADY_GIVEN = gettext_noop("%(n)s has already handed their vote for this sitting.")
NO_SEAT_HERE = gettext_noop("%(n)s holds no seat in %(council)s.")


def _seat_holders(sitting: Sitting, members: list[Member], moment: datetime) -> set[int]:
    """Which of ``members`` hold a seat of the sitting's council at ``moment``."""
    return set(
        Seat.objects.filter(
            open_at(moment),
            council_id=sitting.council_id,
            holder__in=members,
            holder__left_at__isnull=True,
        ).values_list("holder_id", flat=True)
    )


@transaction.atomic
def sitting_proxy_give(
    *,
    actor: Actor,
    sitting: Sitting,
    holder: Member,
    giver: Member | None = None,
    at: datetime | None = None,
) -> SittingProxy:
    """Hand one's vote for the sitting to ``holder`` (the chair may record a paper proxy for
    ``giver``). Both must hold a seat of the sitting's council; refused when the giver already
    handed their vote for the sitting or holds others' proxies, or the holder already holds as many
    as the council's rule allows."""
    moment = moment_of(at)
    sitting = lock_sitting(sitting)
    by_chair = giver is not None and not (is_person(actor) and giver.user_id == actor.pk)
    if by_chair:
        require(actor, "deliberation.chair", sitting, NOT_CHAIR)
    else:
        require(actor, "deliberation.give_proxy", sitting, NOT_DEPUTY)
        if giver is None:
            seat = seat_of(user=actor, council=sitting.council, at=moment)
            if seat is None:
                raise ValidationError(
                    {"giver": _("You hold no seat in %(council)s now.") % {"council": sitting.council.name}}
                )
            giver = seat.holder
    assert giver is not None
    require_not_closed(sitting)
    if holder.pk == giver.pk:
        raise ValidationError({"holder": _("You cannot hand your vote to yourself.")})
    seated = _seat_holders(sitting, [giver, holder], moment)
    for field, member in (("giver", giver), ("holder", holder)):
        if member.pk not in seated:
            raise ValidationError(
                {field: _(NO_SEAT_HERE) % {"n": member.name, "council": sitting.council.name}}
            )
    live = SittingProxy.objects.filter(sitting=sitting, withdrawn_at__isnull=True)
    limit = voting.council_proxy_limit(sitting.council_id)
    held = live.filter(holder=holder).count()
    if held >= limit:
        raise ValidationError(
            {
                "holder": _("%(n)s already holds %(h)s proxies, the most this council allows (%(l)s).")
                % {"n": holder.name, "h": held, "l": limit}
            }
        )
    if live.filter(holder=giver).exists():
        raise ValidationError(
            {"giver": _("%(n)s holds proxies of others and cannot pass them on.") % {"n": giver.name}}
        )
    try:
        with transaction.atomic():
            proxy = SittingProxy.objects.create(
                sitting=sitting,
                giver=giver,
                holder=holder,
                given_at=moment,
                recorded_by=actor if is_person(actor) else None,
            )
    except IntegrityError as exc:
        raise ValidationError({"giver": _(ALREADY_GIVEN) % {"n": giver.name}}) from exc
    event_record(
        organization=sitting.organization,
        kind="sitting.proxy_given",
        actor=actor,
        target=sitting,
        owner=sitting,
        data={
            "proxy": proxy.pk,
            "giver": giver.pk,
            "holder": holder.pk,
            "by_chair": by_chair,
            "giver_name": giver.name,
            "holder_name": holder.name,
            "title": sitting.title,
        },
        at=at,
    )
    publish_sitting(sitting)
    return proxy


@transaction.atomic
def sitting_proxy_withdraw(*, actor: Actor, proxy: SittingProxy, at: datetime | None = None) -> SittingProxy:
    """Take back one's vote for the sitting (the giver, or the chair). Polls opened from now on
    leave it out; in a poll already open, the per-poll proxy is withdrawn too unless the holder has
    cast the vote already (a vote cast stays cast)."""
    moment = moment_of(at)
    proxy = (
        SittingProxy.objects.select_for_update(of=("self",))
        .select_related("sitting__organization", "sitting__council", "giver", "holder")
        .get(pk=proxy.pk)
    )
    require(actor, "deliberation.withdraw_proxy", proxy, NOT_GIVER)
    if proxy.withdrawn_at is not None:
        raise ValidationError({"proxy": _("This proxy was already withdrawn.")})
    proxy.withdrawn_at = moment
    proxy.save(update_fields=["withdrawn_at"])
    open_polls = SittingPoll.objects.filter(sitting_id=proxy.sitting_id, poll__state=Poll.State.OPEN).values(
        "poll_id"
    )
    withdrawn: list[int] = []
    for per_poll in Proxy.objects.filter(
        poll_id__in=open_polls, giver_id=proxy.giver_id, holder_id=proxy.holder_id, withdrawn_at__isnull=True
    ).select_related("poll"):
        if Participation.objects.filter(poll_id=per_poll.poll_id, principal_id=proxy.giver_id).exists():
            continue
        voting.proxy_withdraw(actor=SYSTEM, proxy=per_poll, at=at)
        withdrawn.append(per_poll.poll_id)
    event_record(
        organization=proxy.sitting.organization,
        kind="sitting.proxy_withdrawn",
        actor=actor,
        target=proxy.sitting,
        owner=proxy.sitting,
        data={
            "proxy": proxy.pk,
            "giver": proxy.giver_id,
            "holder": proxy.holder_id,
            "polls": withdrawn,
            "giver_name": proxy.giver.name,
            "holder_name": proxy.holder.name,
            "title": proxy.sitting.title,
        },
        at=at,
    )
    publish_sitting(proxy.sitting)
    return proxy


def proxied_seats(*, sitting: Sitting, present: set[int], moment: datetime) -> set[int]:
    """The seats of absent deputies whose live proxy for ``sitting`` is held by a deputy present
    (``present``: the seats present): they join a poll's electorate when it opens."""
    present_members = set(Seat.objects.filter(pk__in=present).values_list("holder_id", flat=True))
    givers = (
        SittingProxy.objects.filter(sitting=sitting, withdrawn_at__isnull=True, holder_id__in=present_members)
        .exclude(giver_id__in=present_members)
        .values("giver_id")
    )
    return set(
        Seat.objects.filter(open_at(moment), council_id=sitting.council_id, holder_id__in=givers)
        .exclude(pk__in=present)
        .values_list("pk", flat=True)
    )


def proxies_apply(*, poll: Poll, sitting: Sitting, at: datetime | None = None) -> int:
    """Give the voting app's per-poll proxies for a poll of the sitting just opened: one for each
    live sitting proxy whose giver is absent and in the electorate, and whose holder is present and
    in the electorate. Returns how many were given."""
    electors = set(Elector.objects.filter(poll=poll).values_list("member_id", flat=True))
    present_members = set(
        Presence.objects.filter(sitting=sitting, present=True).values_list("seat__holder_id", flat=True)
    )
    given = 0
    for proxy in SittingProxy.objects.filter(sitting=sitting, withdrawn_at__isnull=True).select_related(
        "giver", "holder"
    ):
        if proxy.giver_id in present_members or proxy.holder_id not in present_members:
            continue
        if proxy.giver_id not in electors or proxy.holder_id not in electors:
            continue
        voting.proxy_give(actor=SYSTEM, poll=poll, holder=proxy.holder, giver=proxy.giver, at=at)
        given += 1
    return given
