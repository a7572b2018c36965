"""Who may do what in deliberation, as named predicates (the ``rules`` package).

The object of a permission is a council, a sitting, an agenda item, a motion or a seat. Organizers
of the organization may do everything a chair may; the system actor (``councils tick``, the
demonstration) holds every permission. Deputies act for themselves: check in, ask to speak, submit
and support motions in the councils where they hold a seat now.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from councils.accounts.actors import Actor, is_person
from councils.federation.models import Council, Seat, open_at
from councils.federation.rules import is_organizer, is_seat_holder, is_superuser, is_system_actor


def council_of(obj: Any) -> Council | None:
    """The council an object of deliberation belongs to."""
    if isinstance(obj, Council):
        return obj
    for path in ("council", "sitting.council", "item.sitting.council", "motion.council"):
        value: Any = obj
        for attr in path.split("."):
            value = getattr(value, attr, None)
            if value is None:
                break
        if isinstance(value, Council):
            return value
    return None


def sitting_of(obj: Any) -> Any:
    """The sitting of a sitting, an agenda item, a speech or a sitting's proxy (None for anything
    else)."""
    from councils.deliberation.models import AgendaItem, Sitting, SittingProxy, Speech

    if isinstance(obj, Sitting):
        return obj
    if isinstance(obj, (AgendaItem, SittingProxy)):
        return obj.sitting
    if isinstance(obj, Speech):
        return obj.item.sitting
    return None


@rules.predicate
def is_sitting_officer(user: Actor, obj: Any = None) -> bool:
    """The user chairs the sitting (of the item, the speech) or keeps its minutes."""
    sitting = sitting_of(obj)
    if sitting is None or not is_person(user):
        return False
    return user.pk in (sitting.chair_id, sitting.secretary_id)


@rules.predicate
def is_council_officer(user: Actor, obj: Any = None) -> bool:
    """The user chairs or keeps the minutes of a sitting of the object's council (forwards what it
    adopted, records its instructions)."""
    from django.db.models import Q

    from councils.deliberation.models import Sitting

    council = council_of(obj)
    if council is None or not is_person(user):
        return False
    return Sitting.objects.filter(Q(chair=user) | Q(secretary=user), council=council).exists()


@rules.predicate
def is_deputy(user: Actor, obj: Any = None) -> bool:
    """The user holds a seat in the object's council now."""
    council = council_of(obj)
    if council is None or not is_person(user):
        return False
    return Seat.objects.filter(
        open_at(timezone.now()), council=council, holder__user=user, holder__left_at__isnull=True
    ).exists()


@rules.predicate
def is_motion_submitter(user: Actor, motion: Any = None) -> bool:
    """The user submitted the motion (or amendment)."""
    submitter = getattr(motion, "submitter", None)
    return submitter is not None and is_person(user) and submitter.user_id == user.pk


@rules.predicate
def is_proxy_giver(user: Actor, proxy: Any = None) -> bool:
    """The user is the deputy who gave the sitting's proxy."""
    from councils.deliberation.models import SittingProxy

    if not isinstance(proxy, SittingProxy) or not is_person(user):
        return False
    return bool(proxy.giver.user_id == user.pk)


_admin = is_system_actor | is_superuser | is_organizer

rules.add_perm("deliberation.set_procedure", _admin)
rules.add_perm("deliberation.plan_sitting", _admin)
rules.add_perm("deliberation.chair", _admin | is_sitting_officer)
rules.add_perm("deliberation.attend", is_system_actor | is_seat_holder)
# A deputy hands their own vote for a sitting; the chair records a paper proxy ("deliberation.chair").
rules.add_perm("deliberation.give_proxy", is_system_actor | is_deputy)
rules.add_perm("deliberation.withdraw_proxy", _admin | is_sitting_officer | is_proxy_giver)
rules.add_perm("deliberation.speak", is_system_actor | is_deputy)
rules.add_perm("deliberation.submit_motion", _admin | is_deputy)
rules.add_perm("deliberation.support_motion", is_system_actor | is_deputy)
rules.add_perm("deliberation.withdraw_motion", _admin | is_motion_submitter)
rules.add_perm("deliberation.amend", _admin | is_deputy)
rules.add_perm("deliberation.decide", _admin | is_council_officer)
