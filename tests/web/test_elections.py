"""The returning officer's pages: the elections of an organization, opening one, recording its
result, apportioning a council's seats; members see them and are refused the actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.audit.models import Event
from councils.federation import services
from councils.federation.models import Council, Election, Officer, Seat
from tests.factories import MemberFactory, OfficerFactory, UserFactory
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Petrograd:
    return build_petrograd(congress=request.node.get_closest_marker("with_congress") is not None)


@pytest.fixture
def officer(pg: Petrograd) -> Any:
    user = UserFactory(username="returning-officer")
    OfficerFactory(organization=pg.org, user=user, role=Officer.Role.RETURNING_OFFICER)
    return user


def _state() -> tuple[int, int, int, int]:
    """What opening or declaring could write: a refusal leaves all of it unchanged."""
    return (
        Seat.objects.count(),
        Seat.objects.filter(end__isnull=True).count(),
        Election.objects.count(),
        Event.objects.count(),
    )


def _open(
    client, pg: Petrograd, part: str, kind: str = "regular", seats: str = "", council: Council | None = None
):
    return client.post(
        reverse("election_open", args=[pg.org.slug]),
        {
            "open-council": (council or pg.soviet).pk,
            "open-part": part,
            "open-kind": kind,
            "open-seats": seats,
        },
    )


def _declare(client, pg: Petrograd, election: Election, rows: list[tuple[Any, Any]], **kwargs: Any):
    data: dict[str, Any] = {}
    for n, (member, faction) in enumerate(rows, start=1):
        data[f"member_{n}"] = member.pk
        data[f"faction_{n}"] = faction.pk if faction is not None else ""
    return client.post(reverse("election", args=[pg.org.slug, election.pk]), data, **kwargs)


def _composition(client, pg: Petrograd, council: Council | None = None) -> str:
    content = client.get(reverse("council", args=[pg.org.slug, (council or pg.soviet).slug])).content.decode()
    return content.split('<table class="deputies">')[1].split("</table>")[0]


def test_a_returning_officer_opens_and_declares_an_election(client, pg, officer):
    client.force_login(officer)
    page = client.get(reverse("elections", args=[pg.org.slug])).content.decode()
    assert "Open an election" in page
    assert f'value="constituency:{pg.putilov.pk}"' in page

    response = _open(client, pg, f"constituency:{pg.putilov.pk}")
    election = Election.objects.get(constituency=pg.putilov, status="open", kind="regular")
    assert response.status_code == 302
    assert response["Location"] == reverse("election", args=[pg.org.slug, election.pk])
    page = client.get(response["Location"]).content.decode()
    assert "The regular election in Putilov Works for Petrograd Soviet is open, with 2 seats to fill." in page
    assert page.count('name="member_') == 2
    for name in ("Boris Ivanov", "Dora Kaplan", "Anna Petrova"):
        assert name in page
    assert "Elena Stasova" not in page  # of the Obukhov Works

    listing = client.get(reverse("elections", args=[pg.org.slug])).content.decode()
    assert "Record the result" in listing

    response = _declare(client, pg, election, [(pg.boris, pg.mensheviks), (pg.dora, None)], follow=True)
    assert response.redirect_chain == [(reverse("council", args=[pg.org.slug, pg.soviet.slug]), 302)]
    content = response.content.decode()
    assert "Elected to Petrograd Soviet for Putilov Works: Boris Ivanov, Dora Kaplan." in content
    deputies = content.split('<table class="deputies">')[1].split("</table>")[0]
    assert "Boris Ivanov" in deputies and "Dora Kaplan" in deputies
    assert "Anna Petrova" not in deputies and "Viktor Orlov" not in deputies

    declared = client.get(reverse("elections", args=[pg.org.slug])).content.decode()
    closed = declared.split('id="closed-elections-heading"')[1]
    assert "Boris Ivanov" in closed and "Mensheviks" in closed


def test_a_member_sees_the_elections_but_may_not_open_or_declare(client, pg):
    election = services.election_open(actor=pg.organizer, council=pg.soviet, constituency=pg.putilov)
    client.force_login(pg.dora.user)
    listing = client.get(reverse("elections", args=[pg.org.slug]))
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "Putilov Works" in content
    assert "Record the result" not in content and "Open an election" not in content
    detail = client.get(reverse("election", args=[pg.org.slug, election.pk])).content.decode()
    assert 'name="member_1"' not in detail

    before = _state()
    refused = [
        _open(client, pg, f"constituency:{pg.putilov.pk}"),
        _declare(client, pg, election, [(pg.dora, None)]),
        client.post(reverse("council_apportion", args=[pg.org.slug, pg.soviet.slug])),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()
    assert "Only a returning officer or an organizer may declare an election." in refused[0].content.decode()
    assert _state() == before


def test_refused_declarations_show_the_services_message_and_change_nothing(client, pg, officer):
    client.force_login(officer)
    services.petition_sign(actor=pg.dora.user, petition=pg.petition)  # Anna recalled: a by-election
    by_election = Election.objects.get(kind="by_election", status="open", constituency=pg.putilov)
    before = _state()

    too_many = _declare(client, pg, by_election, [(pg.boris, None), (pg.dora, None)])
    assert too_many.status_code == 400
    assert "This election fills 1 seat; 2 were named." in too_many.content.decode()

    ineligible = _declare(client, pg, by_election, [(pg.elena, None)])
    assert ineligible.status_code == 400
    assert "Elena Stasova is not a member of Putilov Works." in ineligible.content.decode()
    assert _state() == before

    assert _declare(client, pg, by_election, [(pg.dora, pg.bolsheviks)]).status_code == 302
    after = _state()
    again = _declare(client, pg, by_election, [(pg.boris, None)])
    assert again.status_code == 400
    assert "This election is declared, not open." in again.content.decode()
    assert _state() == after


def test_opening_an_election_for_a_part_of_another_council_shows_the_services_message(client, pg, officer):
    other = services.council_create(
        actor=pg.organizer, organization=pg.org, name="Moscow Soviet", members_per_seat=1
    )
    client.force_login(officer)
    before = _state()
    response = _open(client, pg, f"constituency:{pg.putilov.pk}", council=other)
    assert response.status_code == 400
    assert "Putilov Works does not elect deputies to Moscow Soviet." in response.content.decode()
    assert _state() == before


def test_a_by_election_after_a_recall_fills_the_vacancy(client, pg, officer):
    services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    client.force_login(officer)
    assert "Anna Petrova" not in _composition(client, pg)

    listing = client.get(reverse("elections", args=[pg.org.slug])).content.decode()
    open_part = listing.split('id="open-elections-heading"')[1].split('id="closed-elections-heading"')[0]
    assert "by-election" in open_part and "seat of Anna Petrova (recalled)" in open_part

    by_election = Election.objects.get(kind="by_election", status="open")
    page = client.get(reverse("election", args=[pg.org.slug, by_election.pk])).content.decode()
    assert page.count('name="member_') == 1
    assert "Viktor Orlov" not in page.split('id="declare-heading"')[1]  # sits already

    response = _declare(client, pg, by_election, [(pg.dora, pg.bolsheviks)], follow=True)
    assert "Elected to Petrograd Soviet for Putilov Works: Dora Kaplan." in response.content.decode()
    deputies = _composition(client, pg)
    assert "Dora Kaplan" in deputies
    content = client.get(reverse("council", args=[pg.org.slug, pg.soviet.slug])).content.decode()
    assert 'class="seat vacant"' not in content
    assert "Majority: Bolsheviks" in content


def _congress(pg: Petrograd) -> Council:
    """The congress above the Petrograd Soviet (in tests marked ``with_congress``)."""
    return Council.objects.get(organization=pg.org, slug="congress")


@pytest.mark.with_congress
def test_a_delegate_election_derives_the_delegate_seat_from_the_seat_below(client, pg, officer):
    congress = _congress(pg)
    client.force_login(pg.organizer)
    response = client.post(reverse("council_apportion", args=[pg.org.slug, congress.slug]), follow=True)
    assert "Seats of Congress of Soviets apportioned: Petrograd Soviet 1." in response.content.decode()

    client.force_login(officer)
    response = _open(client, pg, f"child:{pg.soviet.pk}", council=congress)
    assert response.status_code == 302
    election = Election.objects.get(council=congress)
    page = client.get(response["Location"]).content.decode()
    assert "Elena Stasova (below: Bolsheviks)" in page
    assert "Viktor Orlov (below: Mensheviks)" in page
    assert "Boris Ivanov" not in page  # holds no seat below
    assert "Their faction below" in page

    response = _declare(client, pg, election, [(pg.elena, None)], follow=True)
    assert "Elected to Congress of Soviets for Petrograd Soviet: Elena Stasova." in response.content.decode()
    delegate = Seat.objects.get(council=congress, end__isnull=True)
    below = Seat.objects.get(council=pg.soviet, holder=pg.elena, end__isnull=True)
    assert (delegate.holder, delegate.derives_from, delegate.faction) == (pg.elena, below, pg.bolsheviks)
    assert "Elena Stasova" in _composition(client, pg, congress)


def test_the_council_page_offers_organizers_to_apportion_and_links_its_elections(client, pg, officer):
    url = reverse("council", args=[pg.org.slug, pg.soviet.slug])
    elections_link = f"{reverse('elections', args=[pg.org.slug])}?council=soviet"
    client.force_login(pg.organizer)
    content = client.get(url).content.decode()
    assert "Apportion seats" in content and elections_link in content
    client.force_login(officer)
    content = client.get(url).content.decode()
    assert "Apportion seats" not in content and elections_link in content
    assert f'href="{reverse("elections", args=[pg.org.slug])}"' in content  # the navigation


@pytest.mark.with_congress
def test_the_elections_of_one_council(client, pg, officer):
    congress = _congress(pg)
    services.council_apportion(actor=pg.organizer, council=congress)
    services.election_open(actor=officer, council=congress, child_council=pg.soviet)
    client.force_login(pg.dora.user)
    content = client.get(reverse("elections", args=[pg.org.slug]), {"council": "congress"}).content.decode()
    assert "Elections to Congress of Soviets" in content
    rows = content.split("<tbody>")[1].split("</tbody>")[0]
    assert "Petrograd Soviet (delegates)" in rows
    assert "Putilov Works" not in content  # the soviet's own elections are not listed
    assert client.get(reverse("elections", args=[pg.org.slug]), {"council": "nowhere"}).status_code == 404


@pytest.mark.with_congress
def test_choosing_a_council_narrows_the_parts_offered(client, pg, officer):
    congress = _congress(pg)
    client.force_login(officer)
    response = client.get(
        reverse("elections", args=[pg.org.slug]),
        {"open-council": congress.pk, "open-kind": "regular"},
        headers={"HX-Request": "true", "HX-Target": "election-open-form"},
    )
    content = response.content.decode()
    assert content.startswith("<form") and "<html" not in content
    assert f'value="child:{pg.soviet.pk}"' in content
    assert f'value="constituency:{pg.putilov.pk}"' not in content
    assert f'<option value="{congress.pk}" selected>' in content


def _open_many(pg: Petrograd, officer: Any, n: int) -> None:
    for i in range(n):
        members = MemberFactory.create_batch(2, constituency=pg.obukhov)
        election = services.election_open(actor=officer, council=pg.soviet, constituency=pg.obukhov)
        if i % 2:
            services.election_declare(actor=officer, election=election, elected=[(members[0], pg.bolsheviks)])


def test_the_elections_page_costs_the_same_queries_for_few_and_many_elections(client, pg, officer):
    _open_many(pg, officer, 2)
    client.force_login(officer)
    url = reverse("elections", args=[pg.org.slug])
    # A session's first page reads its user apart; later ones with the session (councils.web.sessions).
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _open_many(pg, officer, 8)
    with CaptureQueriesContext(connection) as many:
        content = client.get(url).content.decode()
    assert content.count("Record the result") >= 5
    assert len(many.captured_queries) == len(few.captured_queries)
