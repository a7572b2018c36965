"""Exports from the pages: links beside what they export, files named by organization and date,
the right rows, formula cells neutralized, and a constant number of queries however large."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.federation import services
from councils.federation.models import Seat
from tests.factories import MemberFactory, OrganizationFactory
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"), newline="")))


def test_the_council_page_links_its_exports_beside_the_composition_and_the_history(client, pg):
    client.force_login(pg.dora.user)
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    page = client.get(reverse("council", args=[pg.org.slug, pg.soviet.slug]), {"at": day}).content.decode()
    assert f'href="/o/petrograd/councils/soviet/composition.csv?at={day}"' in page
    assert f'href="/o/petrograd/councils/soviet/composition.json?at={day}"' in page
    assert 'href="/o/petrograd/councils/soviet/history.csv"' in page
    organization = client.get(reverse("organization", args=[pg.org.slug])).content.decode()
    assert 'href="/o/petrograd/majority-map.csv"' in organization
    audit = client.get(reverse("audit", args=[pg.org.slug]), {"kind": "election.declared"}).content.decode()
    assert 'href="/o/petrograd/audit.json?kind=election.declared"' in audit


def test_the_composition_at_a_date_as_csv_and_json(client, pg):
    client.force_login(pg.dora.user)
    day = timezone.localdate() - timedelta(days=5)
    url = reverse("composition_export", args=[pg.org.slug, pg.soviet.slug, "csv"])

    response = client.get(url, {"at": day.isoformat()})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="petrograd_composition_soviet_{day.isoformat()}.csv"'
    )
    table = rows(response)
    held = sorted(
        (r["deputy"], r["faction"], r["section"], r["elected_by"]) for r in table if r["status"] == "held"
    )
    assert held == [
        ("Anna Petrova", "Bolsheviks", "workers", "Putilov Works"),
        ("Elena Stasova", "Bolsheviks", "workers", "Obukhov Works"),
        ("Viktor Orlov", "Mensheviks", "workers", "Putilov Works"),
    ]
    data = json.loads(body(client.get(url.replace(".csv", ".json"), {"at": day.isoformat()})))
    assert data["majority"] == "Bolsheviks" and data["filled"] == 3
    assert {f["faction"]: f["seats"] for f in data["factions"]} == {"Bolsheviks": 2, "Mensheviks": 1}
    assert len(data["seats"]) == 3


def test_a_vacant_seat_and_a_bloc_are_in_the_composition(client, pg):
    services.bloc_form(
        actor=pg.organizer, organization=pg.org, name="Left", factions=[pg.bolsheviks, pg.mensheviks]
    )
    services.seat_resign(actor=pg.organizer, seat=Seat.objects.get(holder=pg.elena, end__isnull=True))
    client.force_login(pg.dora.user)
    table = rows(client.get(reverse("composition_export", args=[pg.org.slug, pg.soviet.slug, "csv"])))
    assert [r["elected_by"] for r in table if r["status"] == "vacant"] == ["Obukhov Works"]
    assert {r["bloc"] for r in table if r["status"] == "held"} == {"Left"}
    data = json.loads(
        body(client.get(reverse("composition_export", args=[pg.org.slug, pg.soviet.slug, "json"])))
    )
    assert data["blocs"] == [
        {"bloc": "Left", "factions": ["Bolsheviks", "Mensheviks"], "seats": 2, "majority": True}
    ]


def test_a_name_that_a_spreadsheet_would_run_is_neutralized(client, pg):
    pg.viktor.name = '=HYPERLINK("http://evil.example","Viktor")'
    pg.viktor.save()
    client.force_login(pg.dora.user)
    table = rows(client.get(reverse("composition_export", args=[pg.org.slug, pg.soviet.slug, "csv"])))
    assert "'" + pg.viktor.name in [r["deputy"] for r in table]
    history = rows(client.get(reverse("history_export", args=[pg.org.slug, pg.soviet.slug, "csv"])))
    assert "'" + pg.viktor.name in [r["deputy"] for r in history]


def test_the_seat_history_has_a_row_per_faction_period(client, pg):
    services.deputy_change_faction(actor=pg.organizer, member=pg.viktor, faction=pg.bolsheviks)
    client.force_login(pg.dora.user)
    response = client.get(reverse("history_export", args=[pg.org.slug, pg.soviet.slug, "csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="petrograd_seat-history_soviet_')
    viktor = [r for r in rows(response) if r["deputy"] == "Viktor Orlov"]
    assert [(r["faction"], r["until"] == "") for r in viktor] == [("Mensheviks", False), ("Bolsheviks", True)]
    assert viktor[0]["until"] == viktor[1]["from"]


def test_the_majority_map(client, pg):
    client.force_login(pg.dora.user)
    response = client.get(reverse("majority_map_export", args=[pg.org.slug, "csv"]))
    [row] = rows(response)
    assert (row["council"], row["majority"], row["filled"], row["seats:B"], row["seats:M"]) == (
        "soviet",
        "Bolsheviks",
        "3",
        "2",
        "1",
    )
    data = json.loads(body(client.get(reverse("majority_map_export", args=[pg.org.slug, "json"]))))
    assert data["organization"] == "petrograd" and data["councils"][0]["majority"] == "Bolsheviks"


def test_the_audit_log_with_hashes_as_the_page_shows_it(client, pg):
    client.force_login(pg.dora.user)
    response = client.get(reverse("audit_export", args=[pg.org.slug, "csv"]))
    table = rows(response)
    page = client.get(reverse("audit", args=[pg.org.slug])).context["page"]
    assert [(r["sequence"], r["kind"], r["hash"]) for r in table[: len(page)]] == [
        (str(e.sequence), e.kind, e.hash) for e in page
    ]
    assert all(len(r["hash"]) == 64 and len(r["previous_hash"]) == 64 for r in table)
    one_kind = json.loads(
        body(client.get(reverse("audit_export", args=[pg.org.slug, "json"]), {"kind": "petition.opened"}))
    )
    assert [e["kind"] for e in one_kind["events"]] == ["petition.opened"]
    assert one_kind["events"][0]["data"]["deputy"] == "Anna Petrova"
    assert (
        client.get(reverse("audit_export", args=[pg.org.slug, "csv"]), {"kind": "no.such"}).status_code == 400
    )


def test_a_malformed_date_is_refused_not_exported_as_today(client, pg):
    client.force_login(pg.dora.user)
    response = client.get(
        reverse("composition_export", args=[pg.org.slug, pg.soviet.slug, "csv"]), {"at": "1917-13-45"}
    )
    assert response.status_code == 400
    assert (
        client.get(reverse("majority_map_export", args=[pg.org.slug, "json"]), {"at": "x"}).status_code == 400
    )


def test_exports_follow_the_pages_access_rule(client, pg):
    url = reverse("audit_export", args=[pg.org.slug, "csv"])
    assert client.get(url).status_code == 302  # sign in first
    other = OrganizationFactory(slug="moscow")
    client.force_login(MemberFactory(constituency__council__organization=other, organization=other).user)
    assert client.get(url).status_code == 403
    assert client.get(f"/o/{pg.org.slug}/audit.xlsx").status_code == 404


def _grow(pg: Petrograd, n: int) -> None:
    """n more deputies (and their events) in a new constituency of the soviet."""
    works = services.constituency_create(
        actor=pg.organizer, organization=pg.org, council=pg.soviet, name=f"Works {n}", slug=f"works-{n}"
    )
    members = [MemberFactory(constituency=works, organization=pg.org) for _ in range(2 * n)]
    services.council_apportion(actor=pg.organizer, council=pg.soviet)
    election = services.election_open(actor=pg.organizer, council=pg.soviet, constituency=works)
    services.election_declare(
        actor=pg.organizer, election=election, elected=[(m, pg.bolsheviks) for m in members[:n]]
    )
    for member in members[:n]:
        services.deputy_change_faction(actor=pg.organizer, member=member, faction=pg.mensheviks)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("composition_export", ["soviet"]),
        ("history_export", ["soviet"]),
        ("majority_map_export", []),
        ("audit_export", []),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_costs_the_same_queries_however_large(client, name, args, fmt):
    counts = []
    for size in (1, 30):
        pg = build_petrograd(slug=f"p{size}")
        _grow(pg, size)
        client.force_login(pg.organizer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=[pg.org.slug, *args, fmt]))
            text = body(response)
        assert response.status_code == 200 and text
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_audit_export_names_people_for_members_and_adds_addresses_for_officers(client, pg):
    """The page's privacy rule (tests/web/test_privacy.py), in the export, on the pages and the API."""
    user = get_user_model().objects.create_user(username="vera@putilov.example", email="vera@putilov.example")
    vera = MemberFactory(constituency=pg.putilov, organization=pg.org, user=user, name="Vera Signer")
    services.petition_open(actor=vera.user, seat=Seat.objects.get(holder=pg.viktor, end__isnull=True))

    client.force_login(pg.dora.user)
    as_member = body(client.get(reverse("audit_export", args=[pg.org.slug, "csv"])))
    assert "Vera Signer" in as_member
    assert "vera@putilov.example" not in as_member
    api_member = body(client.get(f"/api/organizations/{pg.org.slug}/events.json"))
    assert "Vera Signer" in api_member and "vera@putilov.example" not in api_member

    client.force_login(pg.organizer)
    rows_seen = rows(client.get(reverse("audit_export", args=[pg.org.slug, "csv"])))
    assert "Vera Signer <vera@putilov.example>" in [r["actor"] for r in rows_seen]
