"""The personal API tokens this server process authenticated recently, remembered for a few seconds.

Every request of a script carries its token, and looking the token and its user up cost one SQL
statement per request (about a sixth of the Python CPU of an authenticated ``GET /api/organizations``,
plus a round trip). A token seen in the last ``COUNCILS_TOKEN_CACHE_SECONDS`` seconds (default 5;
``0`` turns the cache off) is authenticated from memory instead.

- Keyed by the SHA-256 of the secret, never the secret. An entry is the token's and its user's row
  as immutable values (``councils.hotsql.TokenRow``); each request gets its own new model
  instances built from them, so a view that changes ``request.user`` changes no one else's.
- Bounded: at most ``COUNCILS_TOKEN_CACHE_SIZE`` entries (default 10,000; the least recently used
  goes first), each for the lifetime at most. Thread-safe: one lock around a dictionary.
- Only tokens that authenticate are kept: an unknown or refused secret runs its query every time,
  so a token created a moment ago works at once.
- Its last use is still recorded at most once a minute (``LAST_USED_PRECISION``): an entry whose
  recorded use is older records the new one (:mod:`councils.accounts.tokenuse`, which writes the
  uses of many requests at once) and remembers the new time.

**What stops a token at once, and what within the lifetime.** In the process that makes the
change, at once: revoking it (:func:`councils.accounts.services.token_revoke`, the admin's action),
and any save or deletion of its user or of the token through the ORM (deactivating a person in the
admin, a changed e-mail address or superuser flag): signals forget the entries, at the change and
again when its transaction commits. In every other server process, and for a change the ORM's
signals do not see (``QuerySet.update()``, raw SQL, a ``councils`` command run beside the server), within
``COUNCILS_TOKEN_CACHE_SECONDS`` at most: there is no channel every server process listens to
(``councils.live`` listens lazily, per organization, only while that organization has open live
streams), so the lifetime is the bound, by design (docs/operations.md).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from councils import hotsql, requestmemo
from councils.accounts import tokenuse

if TYPE_CHECKING:
    from councils.accounts.models import ApiToken

DEFAULT_SECONDS = 5.0
DEFAULT_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Entry:
    """One authenticated token: its row, its user's id, the last use recorded and when the entry
    stops counting (on the cache's clock)."""

    row: hotsql.TokenRow
    user_id: int
    last_used_at: datetime | None
    expires: float


class TokenCache:
    """A bounded, expiring, thread-safe map from a token's hash to its :class:`Entry`.

    ``clock`` (seconds, monotonic) is an attribute so that tests can move time without sleeping.
    Every forgetting bumps a generation number; an entry read from the database is kept only if no
    forgetting happened while it was read, so a revocation that commits during a lookup is not
    undone by the lookup's older answer."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def generation(self) -> int:
        """Read before a lookup; hand it to :meth:`put`."""
        return self._generation

    def get(self, key_hash: str) -> Entry | None:
        """The live entry of this hash, or None (never seen, forgotten or expired)."""
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is None:
                return None
            if entry.expires <= self.clock():
                del self._entries[key_hash]
                return None
            self._entries.move_to_end(key_hash)
            return entry

    def put(self, key_hash: str, entry: Entry, generation: int, size: int) -> None:
        """Keep ``entry`` unless something was forgotten since ``generation``; at most ``size``
        entries remain (the least recently used go)."""
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key_hash] = entry
            self._entries.move_to_end(key_hash)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def claim_touch(self, key_hash: str, at: datetime, stale_before: datetime) -> bool:
        """True for the one caller that should record a use ``at`` (the entry's recorded use is
        older than ``stale_before``); the entry remembers ``at`` from now on."""
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is None or (entry.last_used_at is not None and entry.last_used_at >= stale_before):
                return False
            self._entries[key_hash] = Entry(entry.row, entry.user_id, at, entry.expires)
            return True

    def forget(self, key_hash: str) -> None:
        """Drop the entry of this hash."""
        with self._lock:
            self._generation += 1
            self._entries.pop(key_hash, None)

    def forget_user(self, user_id: int) -> None:
        """Drop every entry of this user's tokens."""
        with self._lock:
            self._generation += 1
            for key_hash in [k for k, e in self._entries.items() if e.user_id == user_id]:
                del self._entries[key_hash]

    def clear(self) -> None:
        """Drop every entry (tests, and anything that cannot say which)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()


#: The process's cache.
CACHE = TokenCache()


def lifetime() -> float:
    """``COUNCILS_TOKEN_CACHE_SECONDS``: how long a token stays authenticated from memory (0: off)."""
    return float(getattr(settings, "COUNCILS_TOKEN_CACHE_SECONDS", DEFAULT_SECONDS))


def authenticate(key_hash: str, *, at: datetime, stale_before: datetime) -> ApiToken | None:
    """The live token of this hash with its user (new instances), or None; from memory when it
    authenticated within the lifetime. Records its use ``at`` (:mod:`councils.accounts.tokenuse`)
    unless one was recorded since ``stale_before``; the token returned carries the last use
    recorded, this one included."""
    tokenuse.write_due()
    seconds = lifetime()
    if seconds <= 0:
        return _from_database(key_hash, at, stale_before, generation=None, seconds=0)
    entry = CACHE.get(key_hash)
    if entry is None:
        return _from_database(key_hash, at, stale_before, generation=CACHE.generation, seconds=seconds)
    token = hotsql.token_from_row(entry.row)
    token.last_used_at = entry.last_used_at
    if CACHE.claim_touch(key_hash, at, stale_before):
        tokenuse.record(entry.row.using, token.pk, at)
        token.last_used_at = at
    return token


def read_along(key_hash: str, rider: hotsql.Rider, params: list[Any]) -> tuple[Any, ...] | None:
    """For a request about to authenticate the token of ``key_hash``: when it is not remembered,
    read its row with ``rider``'s columns in one statement, keep the row for this request's
    authentication (:mod:`councils.requestmemo`, which then runs no query of its own) and return
    the rider's values. None when the token is remembered (nothing is read) or not live."""
    if lifetime() > 0 and CACHE.get(key_hash) is not None:
        return None
    return read_with(key_hash, hotsql.token_with_sql(rider), [*params, key_hash, True])


def read_with(key_hash: str, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """For a request about to authenticate the token of ``key_hash``: run ``sql``, a statement
    whose row starts with that token's (``hotsql.token_read``), whether or not the token is
    remembered; keep the token's row for this request's authentication and return the values
    after it. None when the token is not live (no row)."""
    found = hotsql.token_read(sql, params)
    if found is None:
        return None
    row, values = found
    requestmemo.put(_memo_key(key_hash), row)
    return values


def _memo_key(key_hash: str) -> tuple[str, str]:
    return ("token-row", key_hash)


def _from_database(
    key_hash: str, at: datetime, stale_before: datetime, *, generation: int | None, seconds: float
) -> ApiToken | None:
    row = requestmemo.get(_memo_key(key_hash)) or hotsql.live_token_row(key_hash)
    if row is None:
        return None
    token = hotsql.token_from_row(row)
    if token.last_used_at is None or token.last_used_at < stale_before:
        tokenuse.record(row.using, token.pk, at)
        token.last_used_at = at
    if generation is not None:
        size = int(getattr(settings, "COUNCILS_TOKEN_CACHE_SIZE", DEFAULT_SIZE))
        entry = Entry(row, token.user_id, token.last_used_at, CACHE.clock() + seconds)
        CACHE.put(key_hash, entry, generation, size)
    return token


# --- forgetting: what changes a token or its user -----------------------------------------------


def forget(key_hash: str) -> None:
    """Forget a token now and again when the current transaction commits (a lookup by another
    thread between the two would read the row as it was before the change)."""
    CACHE.forget(key_hash)
    transaction.on_commit(lambda: CACHE.forget(key_hash))


def forget_user(user_id: int) -> None:
    """Forget a user's tokens now and again when the current transaction commits."""
    CACHE.forget_user(user_id)
    transaction.on_commit(lambda: CACHE.forget_user(user_id))


def _user_changed(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **_kwargs: Any
) -> None:
    # A new person has no token yet (loaders create thousands); signing in saves last_login alone,
    # which authentication by token never reads.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    if instance.pk is not None:
        forget_user(instance.pk)


def _token_changed(sender: Any, instance: Any, **_kwargs: Any) -> None:
    if instance.key_hash:
        forget(instance.key_hash)


def connect_signals() -> None:
    """Forget a token when it or its user is saved or deleted through the ORM (the app's ready())."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from councils.accounts.models import ApiToken

    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="tokencache-user-saved")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="tokencache-user-deleted")
    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="tokencache-token-saved")
    post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="tokencache-token-deleted")
