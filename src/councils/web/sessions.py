"""The pages' sessions: Django's database sessions, read with SQL written once, with their user.

Every signed-in page reads its session first, then the user the session names. Django's store
builds the session's query with the ORM on every request: about a sixth of a council page's CPU
went to reading the session (bench/web_profile.py). This store reads the same row with the same
condition through :func:`councils.hotsql.live_session`; everything else (saving, expiry, the
table) is Django's.

The user is known only once the session's data is decoded, so it took a second round trip. This
process remembers which user each session it has seen named (:func:`remember`, by
``councils.web.authentication``): the next read of that session reads that user's row in the same
statement (:func:`councils.hotsql.pages.live_session_and_user`). The row is used only if the
decoded session names that very user (:meth:`SessionStore.user_read_with`); any other case reads
the user as before. A remembered guess is never trusted, only checked.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from councils import hotsql
from councils.hotsql.pages import live_session_and_user

MAX_REMEMBERED = 10_000

_lock = threading.Lock()
_users: OrderedDict[str, int] = OrderedDict()


def remember(session_key: str | None, user_id: int) -> None:
    """Note that the session of this key named this user (the next read reads them together)."""
    if not session_key:
        return
    with _lock:
        _users[session_key] = user_id
        _users.move_to_end(session_key)
        while len(_users) > MAX_REMEMBERED:
            _users.popitem(last=False)


def forget() -> None:
    """Forget every remembered session (tests)."""
    with _lock:
        _users.clear()


class SessionStore(db.SessionStore):
    """Django's database session store, its read written once as SQL (with its user's, when the
    session was seen before)."""

    _read_user: tuple[int, Any] | None = None

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        self._read_user = None
        try:
            with _lock:
                guess = None if key is None else _users.get(key)
            if key is None:
                found = None
            elif guess is None:
                found = hotsql.live_session(key, timezone.now())
            else:
                found, user = live_session_and_user(key, timezone.now(), guess)
                self._read_user = (guess, user)
        except SuspiciousOperation as exc:  # as Django's store: logged, and the session is new
            logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            found = None
        if found is None:
            self._session_key = None
            self._read_user = None
        return found

    def user_read_with(self, user_id: Any) -> tuple[bool, Any]:
        """(True, the user's row or None if there is none) when the session's read also read the
        user ``user_id``; (False, None) when it did not, and the user must be read."""
        if self._read_user is None or self._read_user[0] != user_id:
            return False, None
        return True, self._read_user[1]
