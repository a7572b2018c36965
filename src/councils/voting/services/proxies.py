"""Proxies: a deputy hands their vote in a poll to another deputy, within the rule's limit."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Council,
    Member,
)
from councils.federation.services._common import moment_of, require
from councils.voting.models import (
    Elector,
    Participation,
    Poll,
    Proxy,
)
from councils.voting.services.common import (
    NOT_ELECTOR,
    NOT_OFFICER,
    NOT_OPEN,
    locked,
)


def council_proxy_limit(council_id: int | None) -> int:
    """How many proxies one deputy of the council may hold: its rule, or one without a council
    (also the limit of a sitting's proxies, :mod:`councils.deliberation.services.proxies`)."""
    if council_id is not None:
        return int(Council.objects.filter(pk=council_id).values_list("proxies_per_holder", flat=True).get())
    return 1


def proxy_limit(poll: Poll) -> int:
    """How many proxies one deputy may hold in ``poll``: the council's rule, or one."""
    return council_proxy_limit(poll.electorate_council_id)


@transaction.atomic
def proxy_give(
    *, actor: Actor, poll: Poll, holder: Member, giver: Member | None = None, at: datetime | None = None
) -> Proxy:
    """Hand one's vote in an open poll to another elector (an officer may record it for ``giver``).

    Refused when the giver has voted, already handed their vote, or the holder already holds as
    many proxies as the council's rule allows.
    """
    moment = moment_of(at)
    poll = locked(poll)
    if giver is None:
        if not is_person(actor):
            raise NotAllowed(_(NOT_ELECTOR))
        giver = Member.objects.filter(
            organization=poll.organization, user_id=actor.pk, left_at__isnull=True
        ).first()
        if giver is None:
            raise NotAllowed(_(NOT_ELECTOR))
    elif not (is_person(actor) and giver.user_id == actor.pk):
        require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    if not poll.is_open:
        raise ValidationError({"poll": _(NOT_OPEN) % {"state": poll.get_current_state_display()}})
    electors = dict(
        Elector.objects.filter(poll=poll, member_id__in=[giver.pk, holder.pk]).values_list(
            "member_id", "weight"
        )
    )
    if giver.pk not in electors:
        raise NotAllowed(_(NOT_ELECTOR))
    if holder.pk not in electors:
        raise ValidationError({"holder": _("%(n)s is not in this poll's electorate.") % {"n": holder.name}})
    if holder.pk == giver.pk:
        raise ValidationError({"holder": _("You cannot hand your vote to yourself.")})
    if Participation.objects.filter(poll=poll, principal=giver).exists():
        raise ValidationError({"giver": _("%(n)s has already voted.") % {"n": giver.name}})
    limit = proxy_limit(poll)
    held = Proxy.objects.filter(poll=poll, holder=holder, withdrawn_at__isnull=True).count()
    if held >= limit:
        raise ValidationError(
            {
                "holder": _("%(n)s already holds %(h)s proxies, the most this council allows (%(l)s).")
                % {"n": holder.name, "h": held, "l": limit}
            }
        )
    if Proxy.objects.filter(poll=poll, holder=giver, withdrawn_at__isnull=True).exists():
        raise ValidationError(
            {"giver": _("%(n)s holds proxies of others and cannot pass them on.") % {"n": giver.name}}
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(poll=poll, giver=giver, holder=holder, given_at=moment)
    except IntegrityError as exc:
        raise ValidationError(
            {"giver": _("%(n)s has already handed their vote in this poll.") % {"n": giver.name}}
        ) from exc
    event_record(
        organization=poll.organization,
        kind="poll.proxy_given",
        actor=actor,
        target=poll,
        owner=poll,
        data={"title": poll.title, "giver": giver.name, "holder": holder.name, "proxy": proxy.pk},
        at=at,
    )
    return proxy


@transaction.atomic
def proxy_withdraw(*, actor: Actor, proxy: Proxy, at: datetime | None = None) -> Proxy:
    """Take back one's vote from a proxy holder (before they cast it)."""
    moment = moment_of(at)
    proxy = Proxy.objects.select_for_update().select_related("poll__organization", "giver").get(pk=proxy.pk)
    if not (is_person(actor) and proxy.giver.user_id == actor.pk):
        require(actor, "voting.manage_poll", proxy.poll.organization, NOT_OFFICER)
    if proxy.withdrawn_at is not None:
        raise ValidationError({"proxy": _("This proxy was already withdrawn.")})
    if Participation.objects.filter(poll_id=proxy.poll_id, principal_id=proxy.giver_id).exists():
        raise ValidationError({"proxy": _("The vote has already been cast.")})
    proxy.withdrawn_at = moment
    proxy.save(update_fields=["withdrawn_at"])
    event_record(
        organization=proxy.poll.organization,
        kind="poll.proxy_withdrawn",
        actor=actor,
        target=proxy.poll,
        owner=proxy.poll,
        data={"title": proxy.poll.title, "giver": proxy.giver.name, "proxy": proxy.pk},
        at=at,
    )
    return proxy
