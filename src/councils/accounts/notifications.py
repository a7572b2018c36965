"""Notifications by mail that each person may turn off: a registry of kinds, and sending.

An app registers each kind of notification it sends once, when its module is imported (from its
``AppConfig.ready``)::

    POLL_OPENED = register_notification(
        "poll.opened", label=gettext_lazy("A poll I may vote in opens"), order=40
    )

and sends with :func:`notify_on_commit`, naming who it concerns as a query of user ids::

    notify_on_commit(
        kind="poll.opened",
        users=Participant.objects.filter(poll=poll).values("user_id"),
        subject=..., text=..., path=reverse("poll", args=[...]),
    )

Each person's settings page (``/accounts/notifications/``) lists every registered kind with a
switch; a kind a person never touched follows its ``default``. Sending happens after the commit,
for all recipients at once: one query finds them (active, with an address, not opted out), one
message body is rendered, and the messages go over one connection (:mod:`councils.accounts.mail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import get_template
from django.urls import reverse

from councils.accounts import mail
from councils.accounts.models import NotificationPreference

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.core.mail import EmailMessage
    from django.utils.functional import Promise

__all__ = [
    "NotificationKind",
    "UnknownNotification",
    "notification_get",
    "notification_kinds",
    "notify_on_commit",
    "recipients",
    "register_notification",
]


class UnknownNotification(KeyError):
    """A kind of notification that nothing registered."""


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification: its stable code, what the settings page calls it, whether it is on
    for a person who never chose, and where it stands in the list."""

    code: str
    label: str | Promise
    default: bool = True
    order: int = 100


_registry: dict[str, NotificationKind] = {}


def register_notification(
    code: str, *, label: str | Promise, default: bool = True, order: int = 100
) -> NotificationKind:
    """Register a kind of notification (again with the same code: replaced, for reloads)."""
    if not code or len(code) > NotificationPreference._meta.get_field("kind").max_length:  # type: ignore[operator]
        raise ValueError(f"A notification code must have 1 to 64 characters: {code!r}.")
    kind = NotificationKind(code=code, label=label, default=default, order=order)
    _registry[code] = kind
    return kind


def notification_get(code: str) -> NotificationKind:
    """The registered kind ``code``; raises :class:`UnknownNotification`."""
    try:
        return _registry[code]
    except KeyError:
        raise UnknownNotification(code) from None


def notification_kinds() -> list[NotificationKind]:
    """Every registered kind, in the order the settings page shows them."""
    return sorted(_registry.values(), key=lambda k: (k.order, k.code))


def recipients(*, kind: str, users: QuerySet[Any]) -> QuerySet[Any]:
    """The active users among ``users`` (a query of user ids) who have an address and want
    ``kind``, as one query."""
    notification = notification_get(kind)
    User = get_user_model()
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    queryset = User._default_manager.filter(pk__in=users, is_active=True).exclude(email="")
    if notification.default:
        return queryset.exclude(Exists(chosen.filter(enabled=False)))
    return queryset.filter(Exists(chosen.filter(enabled=True)))


def notify_on_commit(
    *,
    kind: str,
    users: QuerySet[Any],
    subject: str,
    text: str,
    path: str,
    exclude_user_id: int | None = None,
) -> mail.Delivery:
    """Tell ``users`` (a query of user ids, run after the commit) by mail what ``text`` says,
    with a link to ``path``; those who turned ``kind`` off get nothing.

    ``subject`` and ``text`` are rendered now, in the active language; ``exclude_user_id`` leaves
    out the person whose action it was (they know). Nothing is sent if the transaction rolls back.
    """
    notification_get(kind)  # an unknown kind fails now, in the service, not after the commit

    def build() -> Iterator[EmailMessage]:
        queryset = recipients(kind=kind, users=users)
        if exclude_user_id is not None:
            queryset = queryset.exclude(pk=exclude_user_id)
        body = get_template("accounts/mail/notification.txt").render(
            {
                "text": text,
                "link": mail.absolute_url(path),
                "settings_link": mail.absolute_url(reverse("notification_settings")),
            }
        )
        for address in queryset.order_by("pk").values_list("email", flat=True).iterator(chunk_size=2000):
            yield mail.message(to=address, subject=subject, body=body)

    return mail.on_commit(build)


def preferences_of(user_id: int) -> dict[str, bool]:
    """Whether the person gets each registered kind (their choice, or the kind's default)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user_id).values_list("kind", "enabled"))
    return {kind.code: chosen.get(kind.code, kind.default) for kind in notification_kinds()}
