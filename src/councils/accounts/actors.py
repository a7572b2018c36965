"""Who acts: a signed-in person, or Councils itself.

Every service takes the acting party as ``actor``. A person is a Django user; changes that no
person makes (``councils tick`` writing down what time changed, the demonstration loader, the
benchmark's builder) are made by :data:`SYSTEM`, an explicit value that the permission rules let
through. ``None`` is not an actor: a service given ``None`` refuses, so a forgotten argument can
never silently skip every check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from typing import TypeGuard

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
    from typing_extensions import TypeIs


class SystemActor:
    """Councils itself, acting without a person: ``councils tick``, the demonstration, imports run by
    an operator on the command line. There is one: :data:`SYSTEM`."""

    __slots__ = ()
    pk = None
    is_authenticated = False
    is_superuser = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "the system"


SYSTEM: Final = SystemActor()

#: The acting party of a service: a person (a user, possibly anonymous on a page) or the system.
Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | SystemActor"


def is_system(actor: object) -> TypeIs[SystemActor]:
    """True for :data:`SYSTEM`, the one actor that is not a person."""
    return actor is SYSTEM


def is_person(actor: object) -> TypeGuard[User]:
    """True for a signed-in person: an authenticated user (not the system, not an anonymous visitor).

    Only a row of the user model is authenticated, and the user model is ``auth.User`` (no
    ``AUTH_USER_MODEL`` is set), so a true answer tells the type checker the actor is a ``User``.
    """
    return not isinstance(actor, SystemActor) and bool(getattr(actor, "is_authenticated", False))


def actor_user_id(actor: object) -> int | None:
    """The id of the acting person, or None for the system (and for an anonymous visitor)."""
    if isinstance(actor, SystemActor) or not getattr(actor, "is_authenticated", False):
        return None
    pk = getattr(actor, "pk", None)
    return int(pk) if pk is not None else None
