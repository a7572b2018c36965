"""Who may do what in the federation, as named predicates (the ``rules`` package).

Every rule of the federation's services is one named permission here, built from the predicates
below; services call :func:`councils.federation.services._common.require` with the permission's
name, and pages and the API ask the same permission to decide what to offer. The object of a
permission is the organization, or an object that belongs to one (a council, a seat, a
constituency, a member, a petition).

The system actor (:data:`councils.accounts.actors.SYSTEM`) holds every permission: it is
``councils tick`` and the demonstration, acting on no person's behalf. No predicate accepts
``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from councils import hotsql, requestmemo
from councils.accounts.actors import Actor, is_system
from councils.federation.models import Constituency, Member, Officer, Organization, RecallPetition, Seat

if TYPE_CHECKING:
    from typing import TypeGuard

    from django.contrib.auth.models import User


def organization_of(obj: object) -> Organization | None:
    """The organization an object belongs to (the object itself for an organization)."""
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj
    return getattr(obj, "organization", None)


def _person(user: Actor | None) -> TypeGuard[User]:
    # A person is an authenticated user: see councils.accounts.actors.is_person.
    return bool(user is not None and not is_system(user) and getattr(user, "is_authenticated", False))


def viewer_key(organization_id: int, user_id: int) -> tuple[str, int, int]:
    """The request memo's key of what a user is in an organization: ``(member, offices held)``,
    read once per request with the organization (``access.organization_for``)."""
    return ("viewer", organization_id, user_id)


def constituent_key(constituency_id: int, user_id: int) -> tuple[str, int, int]:
    """The request memo's key of whether a user is a current member of a constituency (a bool),
    kept by a service that has just read the user's membership."""
    return ("constituent", constituency_id, user_id)


def _viewer(org: Organization, user: User) -> tuple[bool, frozenset[str]] | None:
    # Read with the organization earlier in this request, and nothing changed since
    # (councils.requestmemo); None elsewhere: the predicate asks the database.
    found: tuple[bool, frozenset[str]] | None = requestmemo.get(viewer_key(org.pk, user.pk))
    return found


@rules.predicate
def is_system_actor(user: Actor) -> bool:
    """The acting party is Councils itself (``councils tick``, the demonstration)."""
    return is_system(user)


@rules.predicate
def is_superuser(user: Actor) -> bool:
    """The user administers the whole installation."""
    return _person(user) and bool(user.is_superuser)


@rules.predicate
def is_member(user: Actor, obj: object = None) -> bool:
    """The user is a current member of the object's organization."""
    org = organization_of(obj)
    if org is None or not _person(user):
        return False
    known = _viewer(org, user)
    if known is not None:
        return known[0]
    # Asked by every request of an organization's pages and API: SQL written once (councils.hotsql).
    return hotsql.is_current_member(org.pk, user.pk)


@rules.predicate
def is_organizer(user: Actor, obj: object = None) -> bool:
    """The user organizes the object's organization (changes its structure and members)."""
    org = organization_of(obj)
    if org is None or not _person(user):
        return False
    known = _viewer(org, user)
    if known is not None:
        return Officer.Role.ORGANIZER in known[1]
    return Officer.objects.current().filter(organization=org, user=user, role=Officer.Role.ORGANIZER).exists()


@rules.predicate
def is_returning_officer(user: Actor, obj: object = None) -> bool:
    """The user is a returning officer of the object's organization (records election results)."""
    org = organization_of(obj)
    if org is None or not _person(user):
        return False
    known = _viewer(org, user)
    if known is not None:
        return Officer.Role.RETURNING_OFFICER in known[1]
    return (
        Officer.objects.current()
        .filter(organization=org, user=user, role=Officer.Role.RETURNING_OFFICER)
        .exists()
    )


@rules.predicate
def is_officer(user: Actor, obj: object = None) -> bool:
    """The user holds any office in the object's organization."""
    org = organization_of(obj)
    if org is None or not _person(user):
        return False
    known = _viewer(org, user)
    if known is not None:
        return bool(known[1])
    return Officer.objects.current().filter(organization=org, user=user).exists()


def _constituency_id(obj: object) -> int | None:
    if isinstance(obj, Constituency):
        return obj.pk
    if isinstance(obj, RecallPetition | Seat):
        return obj.constituency_id
    return None


@rules.predicate
def is_constituent(user: Actor, obj: object = None) -> bool:
    """The user is a current member of the constituency (of a constituency, a petition or a seat
    held for a constituency)."""
    constituency_id = _constituency_id(obj)
    if constituency_id is None or not _person(user):
        return False
    known = requestmemo.get(constituent_key(constituency_id, user.pk))
    if known is not None:
        return bool(known)
    return Member.objects.filter(constituency_id=constituency_id, user=user, left_at__isnull=True).exists()


@rules.predicate
def is_seat_holder(user: Actor, seat: object = None) -> bool:
    """The user is the deputy holding the seat."""
    if not isinstance(seat, Seat) or not _person(user):
        return False
    return Member.objects.filter(pk=seat.holder_id, user=user).exists()


@rules.predicate
def is_the_member(user: Actor, member: object = None) -> bool:
    """The user is this member (a person acting on their own membership)."""
    return isinstance(member, Member) and _person(user) and member.user_id == user.pk


rules.add_perm("federation.create_organization", is_system_actor | is_superuser)
rules.add_perm("federation.view_organization", is_superuser | is_member | is_officer)
rules.add_perm("federation.change_structure", is_system_actor | is_superuser | is_organizer)
rules.add_perm("federation.manage_members", is_system_actor | is_superuser | is_organizer)
rules.add_perm("federation.leave", is_system_actor | is_superuser | is_organizer | is_the_member)
rules.add_perm(
    "federation.declare_election", is_system_actor | is_superuser | is_organizer | is_returning_officer
)
rules.add_perm("federation.resign_seat", is_system_actor | is_superuser | is_organizer | is_seat_holder)
rules.add_perm("federation.change_faction", is_system_actor | is_superuser | is_organizer | is_the_member)
rules.add_perm("federation.sign_petition", is_constituent)
# E-mail addresses of members: only the officers whose work needs them (councils.accounts.privacy).
rules.add_perm("federation.see_contact", is_system_actor | is_superuser | is_organizer | is_returning_officer)
