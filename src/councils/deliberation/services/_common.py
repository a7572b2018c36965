"""What the deliberation's services share: permission checks, the moment of a change, locks, the
live topic of a sitting and the messages raised by name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from councils.deliberation.models import AgendaItem, Sitting
from councils.federation.services._common import full_clean, moment_of, require
from councils.live.publish import publish_on_commit
from councils.live.topics import sitting_topic

__all__ = [
    "NOT_CHAIR",
    "NOT_DEPUTY",
    "NOT_ORGANIZER",
    "full_clean",
    "lock_item",
    "lock_sitting",
    "moment_of",
    "publish_sitting",
    "require",
    "require_not_closed",
]

# Messages raised and asserted by name.
NOT_ORGANIZER = "Only an organizer of this organization may do this."
NOT_CHAIR = "Only the chair or the secretary of this sitting (or an organizer) may do this."
NOT_DEPUTY = "Only a deputy holding a seat in this council may do this."
NOT_SEAT_HOLDER = "Only the deputy holding this seat may check in or out for it."
NOT_SUBMITTER = "Only the submitter (or an organizer) may withdraw this."
NOT_COUNCIL_OFFICER = "Only an officer of this council's sittings (or an organizer) may record its decisions."


def lock_sitting(sitting: Sitting) -> Sitting:
    """The sitting's row, locked until the transaction ends (changes to one sitting queue)."""
    return Sitting.objects.select_for_update().select_related("council", "organization").get(pk=sitting.pk)


def lock_item(item: AgendaItem) -> AgendaItem:
    """The item's row, locked until the transaction ends (its list of speakers changes one at a time)."""
    return AgendaItem.objects.select_for_update().select_related("sitting__council").get(pk=item.pk)


def require_not_closed(sitting: Sitting) -> None:
    """Refuse a change to a sitting that is closed."""
    if sitting.state == Sitting.State.CLOSED:
        raise ValidationError({"sitting": _("The sitting %(title)s is closed.") % {"title": sitting.title}})


def publish_sitting(sitting: Sitting) -> None:
    """After commit, tell the sitting's open pages (projector, deputies' page) that it changed."""
    publish_on_commit(sitting_topic(sitting))
