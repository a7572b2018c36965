"""The pages' sessions: Django's database sessions, read with SQL written once.

Every signed-in page reads its session first. Django's store builds that query with the ORM on
every request: about a sixth of a council page's CPU went to reading the session (bench/
web_profile.py). This store reads the same row with the same condition through
:func:`councils.hotsql.live_session`; everything else (saving, expiry, the table) is Django's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from councils import hotsql


class SessionStore(db.SessionStore):
    """Django's database session store, its read written once as SQL."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        try:
            found = None if key is None else hotsql.live_session(key, timezone.now())
        except SuspiciousOperation as exc:  # as Django's store: logged, and the session is new
            logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            found = None
        if found is None:
            self._session_key = None
        return found
