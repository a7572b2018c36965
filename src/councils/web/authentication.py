"""The session's user, read with SQL written once.

Every signed-in page loads its viewer: Django's ``ModelBackend.get_user`` builds and compiles that
query with the ORM on each request, about a sixth of a council page's CPU (bench/web_profile.py).
:func:`get_user` is Django's ``django.contrib.auth.get_user`` (5.2) with one change: for the model
backend, the user is read by :func:`councils.hotsql.pages.user_by_id`. Everything else (the session
keys, the backend check, the session hash and its fallbacks, a flushed session on a changed
password) is Django's, line for line; any other backend is asked as Django asks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import (  # type: ignore[attr-defined]  # the stubs omit the private helper
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    _get_user_session_key,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from councils.hotsql.pages import user_by_id
from councils.web import sessions


def _backend_user(request: HttpRequest, backend: Any, user_id: Any) -> Any:
    if type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    # ModelBackend.get_user: the user's row (read with the session when it was seen before).
    read_with = getattr(request.session, "user_read_with", None)
    read, user = read_with(user_id) if read_with is not None else (False, None)
    if not read:
        user = user_by_id(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return None
    sessions.remember(request.session.session_key, user.pk)
    return user


def get_user(request: HttpRequest) -> Any:
    """The user of the request's session, or an ``AnonymousUser``: ``django.contrib.auth.get_user``."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_user(request, backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback
                    # secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request: HttpRequest) -> Any:
    # As django.contrib.auth.middleware.get_user: once per request.
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class SessionUser:
    """After Django's ``AuthenticationMiddleware``: ``request.user`` loaded by :func:`get_user`
    instead (Django's ``request.auser`` stays). A request without a session (the API's lighter
    stack, ``councils.apiserving``, which leaves out the session's middleware) is left as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if hasattr(request, "session"):
            request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]
        return self.get_response(request)
