"""The organization page draws every council's hemicycle in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.accounts.actors import SYSTEM
from councils.federation import services
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _organization_with_councils(n_children: int, slug: str):
    organizer = UserFactory(username=f"organizer-{slug}")
    org = OrganizationFactory(slug=slug)
    services.officer_appoint(actor=SYSTEM, organization=org, user=organizer, role="organizer")
    red = services.faction_create(actor=SYSTEM, organization=org, name="Reds", colour="#aa0000", position=0)
    top = services.council_create(
        actor=SYSTEM, organization=org, name="Congress", seat_rule="fixed", total_seats=5
    )
    for i in range(n_children):
        child = services.council_create(
            actor=SYSTEM, organization=org, name=f"Soviet {i}", parent=top, members_per_seat=1
        )
        works = services.constituency_create(actor=SYSTEM, organization=org, council=child, name=f"Works {i}")
        member = MemberFactory(constituency=works)
        services.council_apportion(actor=SYSTEM, council=child)
        election = services.election_open(actor=SYSTEM, council=child, constituency=works)
        services.election_declare(actor=SYSTEM, election=election, elected=[(member, red)])
    return organizer, org


def test_the_organization_page_costs_the_same_queries_for_3_and_12_councils(
    client, django_assert_max_num_queries
):
    small_organizer, small = _organization_with_councils(2, "small")
    large_organizer, large = _organization_with_councils(11, "large")
    client.force_login(small_organizer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("organization", args=[small.slug])).status_code == 200
    client.force_login(large_organizer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = client.get(reverse("organization", args=[large.slug])).content.decode()
    # Every soviet's one deputy is drawn, with the majority it gives.
    assert content.count("Majority: Reds, with 1 of the 1 filled seat (1 needed).") == 11
