"""The home page: a member's constituency, deputies, councils above and petitions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from councils.federation import selectors
from councils.federation.models import (
    Organization,
)
from councils.web.views._common import (
    _pages_errors,
)


@require_GET
@_pages_errors
def home(request: HttpRequest) -> HttpResponse:
    """A member's home in each of their organizations; for visitors, the organizations and a sign-in link."""
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html", {"organizations": Organization.objects.order_by("name")})
    homes = [selectors.member_home(member=m) for m in selectors.memberships(user=request.user)]
    member_orgs = {h.member.organization_id for h in homes}
    offices = (
        Organization.objects.filter(officers__user=request.user, officers__ended_at__isnull=True)
        .exclude(pk__in=member_orgs)
        .distinct()
        .order_by("name")
    )
    return render(request, "web/home.html", {"homes": homes, "offices": offices})
