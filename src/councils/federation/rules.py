"""Who may do what, as named predicates (the ``rules`` package).

Object permissions take the organization (or an object that belongs to one) as their object.
"""

from __future__ import annotations

from typing import Any

import rules

from councils import hotsql
from councils.federation.models import Member, Officer, Organization, RecallPetition


def _organization_of(obj: Any) -> Organization | None:
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj
    return getattr(obj, "organization", None)


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


@rules.predicate
def is_member(user: Any, obj: Any = None) -> bool:
    """The user is a current member of the object's organization."""
    org = _organization_of(obj)
    if org is None or not _authenticated(user):
        return False
    # Asked by every request of an organization's pages and API: SQL written once (councils.hotsql).
    return hotsql.is_current_member(org.pk, user.pk)


@rules.predicate
def is_organizer(user: Any, obj: Any = None) -> bool:
    """The user organizes the object's organization (superusers organize every organization)."""
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    org = _organization_of(obj)
    return (
        org is not None
        and Officer.objects.filter(organization=org, user=user, role=Officer.Role.ORGANIZER).exists()
    )


@rules.predicate
def is_returning_officer(user: Any, obj: Any = None) -> bool:
    """The user is a returning officer of the object's organization."""
    org = _organization_of(obj)
    if org is None or not _authenticated(user):
        return False
    return Officer.objects.filter(organization=org, user=user, role=Officer.Role.RETURNING_OFFICER).exists()


@rules.predicate
def is_officer(user: Any, obj: Any = None) -> bool:
    """The user holds any office in the object's organization."""
    org = _organization_of(obj)
    if org is None or not _authenticated(user):
        return False
    return bool(user.is_superuser) or Officer.objects.filter(organization=org, user=user).exists()


@rules.predicate
def is_constituent(user: Any, petition: RecallPetition | None = None) -> bool:
    """The user is a current member of the petition's constituency."""
    if petition is None or not _authenticated(user):
        return False
    return Member.objects.filter(
        constituency_id=petition.constituency_id, user=user, left_at__isnull=True
    ).exists()


rules.add_perm("federation.view_organization", is_member | is_officer)
rules.add_perm("federation.change_structure", is_organizer)
rules.add_perm("federation.declare_election", is_organizer | is_returning_officer)
rules.add_perm("federation.sign_petition", is_constituent)
