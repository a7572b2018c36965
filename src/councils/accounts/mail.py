"""Sending mail: after the change that causes it has committed, in bulk, and never losing the change.

Every message Councils sends (invitations, password resets, confirmations of an e-mail address,
notifications) goes through :func:`deliver`: one connection to the configured backend for the whole
batch, each message tried on its own, a failure logged and counted rather than raised. Services
call :func:`on_commit` so that nothing is sent for a change that is rolled back and a mail server
that is down or slow never holds a transaction open.

:func:`quiet` silences mail for a block of code: the demonstration and the benchmarks replay
history for people who do not exist.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

logger = logging.getLogger(__name__)

_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("councils_mail_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Send no mail from the code run inside (the demonstration, benchmarks)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    """True inside :func:`quiet`."""
    return _quiet.get()


@dataclass
class Delivery:
    """What became of a batch of messages: filled in once they have been handed to the backend.

    ``done`` stays False while the batch waits for its transaction to commit (or when the
    transaction was rolled back and nothing was sent).
    """

    sent: int = 0
    failed: int = 0
    done: bool = False
    #: The addresses that could not be reached, in order (the log has the reasons).
    failed_to: list[str] = field(default_factory=list)


def absolute_url(path: str) -> str:
    """``path`` on this installation, as a link in a message (``COUNCILS_BASE_URL``)."""
    return f"{settings.COUNCILS_BASE_URL}{path}"


def deliver(messages: Iterable[EmailMessage], delivery: Delivery | None = None) -> Delivery:
    """Send ``messages`` over one connection; a message that fails is logged and counted.

    A connection that breaks is opened again for the next message, so one bad address or one
    dropped connection does not lose the rest of the batch.
    """
    delivery = delivery if delivery is not None else Delivery()
    connection = get_connection(fail_silently=False)
    opened = False
    try:
        for message in messages:
            message.connection = connection
            try:
                if not opened:
                    connection.open()
                    opened = True
                sent = connection.send_messages([message])
            except Exception:  # any backend's failure: the batch goes on
                logger.exception("Could not send mail to %s: %r", ", ".join(message.to), message.subject)
                sent = 0
                # The connection may be broken: open a new one for the next message.
                try:
                    connection.close()
                except Exception:
                    logger.debug("closing a broken mail connection failed", exc_info=True)
                opened = False
            if sent:
                delivery.sent += 1
            else:
                delivery.failed += 1
                delivery.failed_to.extend(message.to)
    finally:
        if opened:
            try:
                connection.close()
            except Exception:
                logger.debug("closing the mail connection failed", exc_info=True)
    delivery.done = True
    if delivery.failed:
        logger.warning(
            "%d of %d messages could not be sent.", delivery.failed, delivery.sent + delivery.failed
        )
    return delivery


def on_commit(build: Callable[[], Iterable[EmailMessage]], delivery: Delivery | None = None) -> Delivery:
    """Build and send messages once the current transaction commits (at once outside one).

    ``build`` runs after the commit too, so it may query what the transaction wrote. Nothing is
    sent inside :func:`quiet`. A failure of the backend never reaches the caller: the change has
    committed, and what could not be sent is in the log and in the returned :class:`Delivery`.
    """
    delivery = delivery if delivery is not None else Delivery()
    if is_quiet():
        delivery.done = True
        return delivery

    def send() -> None:
        try:
            deliver(build(), delivery)
        except Exception:
            # Building failed (a template, a query): the change stands, the log says what broke.
            logger.exception("Mail could not be prepared after a commit.")
            delivery.done = True

    transaction.on_commit(send)
    return delivery


def message(*, to: str, subject: str, body: str) -> EmailMessage:
    """One plain-text message from the installation's sender (``DEFAULT_FROM_EMAIL``)."""
    # A subject is one line: a newline in it would be refused by the backend.
    subject = " ".join(subject.split())
    return EmailMessage(subject=subject, body=body, to=[to])
