"""Who may see an organization: the one access check of the pages, the API, the live stream and the
admin.

An organization is seen by its current members and its officers (and the installation's
administrators); its structure is administered by its organizers. Every interface resolves the
organization it is asked about through :func:`organization_for`, so the rule and its message are
written once.
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from councils import hotsql, requestmemo
from councils.accounts.actors import Actor, is_person, is_system
from councils.federation.errors import NotAllowed, NotSignedIn
from councils.federation.models import Officer, Organization
from councils.federation.readcache import stream_head_key
from councils.federation.rules import viewer_key
from councils.hotsql.pages import organization_with_viewer_and_head

VIEW = "federation.view_organization"


def may_view(user: Actor, organization: Organization) -> bool:
    """True if ``user`` may see the organization (its pages, API, live updates)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(rules.has_perm(VIEW, user, organization))


def organization_for(user: Actor, slug: str) -> Organization:
    """The organization named ``slug`` if ``user`` may see it.

    Raises ``Http404`` for an unknown name, :class:`NotSignedIn` for a visitor who has not signed in
    (pages send them to sign in, the API answers 401), and :class:`NotAllowed` for anyone else.
    """
    # Organization.objects.filter(slug=slug).first(), with its SQL written once: every page and API
    # request asks (councils.hotsql). For a person, what they are there comes in the same query and
    # is kept for the rest of the request: the rules' predicates read it instead of asking again.
    # So is where the organization's audit stream stands, the key of what the pages share
    # (readcache): read with the organization, it costs no round trip of its own.
    if is_person(user):
        found = organization_with_viewer_and_head(slug, user.pk)
        if found is None:
            raise Http404(slug)
        organization, member, offices, head = found
        requestmemo.put(viewer_key(organization.pk, user.pk), (member, offices))
        requestmemo.put(stream_head_key(organization.pk), head)
    else:
        organization = hotsql.organization_by_slug(slug)
    if organization is None:
        raise Http404(slug)
    if not getattr(user, "is_authenticated", False):
        raise NotSignedIn(_("Sign in to see %(organization)s.") % {"organization": organization.name})
    if not may_view(user, organization):
        raise NotAllowed(
            _("Only members and officers of %(organization)s can see it.")
            % {"organization": organization.name}
        )
    return organization


def organizations_organized_by(user: Actor) -> QuerySet[Organization]:
    """The organizations whose structure ``user`` administers: every one for an administrator (and
    the system), else those they organize."""
    if is_system(user):
        return Organization.objects.all()
    if not is_person(user) or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        Exists(
            Officer.objects.current().filter(
                organization=OuterRef("pk"), user=user, role=Officer.Role.ORGANIZER
            )
        )
    )


def organizations_visible_to(user: Actor) -> QuerySet[Organization] | list[Organization]:
    """The organizations ``user`` may see, by name: where they are a current member or an officer
    (every one for an administrator). Two EXISTS tests, not a join with DISTINCT: each stays an index
    probe however many members the organizations have."""
    if not is_person(user) or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.order_by("name")
    # The same two EXISTS tests, with their SQL written once (councils.hotsql): every API client asks.
    return hotsql.organizations_of(user.pk)
