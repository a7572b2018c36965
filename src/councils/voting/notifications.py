"""The notification the voting app sends, which each person may turn off on their settings page
(the registry is :mod:`councils.accounts.notifications`): a poll they may vote in opened
(``poll.opened``). ``poll_open`` calls :func:`poll_opened` in its transaction; the messages go after
the commit, to the electorate fixed at opening, in one query."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from councils.accounts import mail
from councils.accounts.actors import Actor, actor_user_id
from councils.accounts.notifications import notify_on_commit, register_notification
from councils.voting.models import Elector, Poll

POLL_OPENED = register_notification("poll.opened", label=gettext_lazy("A poll I may vote in opens"), order=40)


def poll_opened(*, poll: Poll, actor: Actor) -> None:
    """Tell the poll's electors that it opened, when it closes, and where to vote (not the person who
    opened it)."""
    if mail.is_quiet():
        return
    values = {"title": poll.title, "electorate": poll.electorate_name}
    if poll.closes_at is not None:
        text = _(
            "The poll “%(title)s” of %(electorate)s is open and you are in its electorate. "
            "It closes at %(closes)s."
        ) % {**values, "closes": formats.date_format(poll.closes_at, "DATETIME_FORMAT")}
    else:
        text = _("The poll “%(title)s” of %(electorate)s is open and you are in its electorate.") % values
    notify_on_commit(
        kind=POLL_OPENED.code,
        users=Elector.objects.filter(poll_id=poll.pk).values("member__user_id"),
        exclude_user_id=actor_user_id(actor),
        subject=_("Poll open: %(title)s") % values,
        text=text,
        path=reverse("poll", args=[poll.organization.slug, poll.pk]),
    )
