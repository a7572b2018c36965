"""Bad input to the API: page numbers, statuses and dates out of range are answered 4xx in JSON
naming the parameter, and the OpenAPI document says what the server accepts."""

from __future__ import annotations

import pytest

from councils.api import api

LISTS = ["/events", "/petitions", "/elections", "/councils/soviet/seats", "/constituencies"]


@pytest.mark.parametrize(
    "query", ["page=184467440737095518", "page=1000001", "page=0", "page=-3", "page_size=101", "page_size=0"]
)
@pytest.mark.parametrize("path", LISTS)
def test_a_page_out_of_range_is_refused_naming_the_parameter(world, member_client, path, query):
    response = member_client.get(world.url(f"{path}?{query}"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_last_is_not_found_and_the_first_always_is(world, member_client, path):
    first = member_client.get(world.url(path))
    assert first.status_code == 200 and set(first.json()) == {"items", "count"}
    past = member_client.get(world.url(f"{path}?page=2&page_size=100"))
    assert past.status_code == 404
    assert "There is no page 2" in past.json()["detail"]


def test_statuses_are_those_of_petitions_and_of_elections(world, member_client):
    assert member_client.get(world.url("/petitions?status=succeeded")).status_code == 200
    assert member_client.get(world.url("/elections?status=declared")).status_code == 200
    for wrong in ("/petitions?status=declared", "/elections?status=succeeded"):
        response = member_client.get(world.url(wrong))
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_the_document_has_one_enum_for_each_status():
    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    assert "Status" not in schemas
    assert schemas["PetitionStatus"]["enum"] == ["open", "succeeded", "expired", "closed"]
    assert schemas["ElectionStatus"]["enum"] == ["open", "declared", "cancelled"]

    def status_of(path: str) -> str:
        [param] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "status"]
        return param["schema"]["anyOf"][0]["$ref"]

    assert status_of("/api/organizations/{slug}/petitions").endswith("/PetitionStatus")
    assert status_of("/api/organizations/{slug}/elections").endswith("/ElectionStatus")


def test_the_document_types_at_as_a_date_or_a_date_time_and_bounds_pages():
    document = api.get_openapi_schema()
    params = document["paths"]["/api/organizations/{slug}/councils/{council}/seats"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in params}
    formats = {s.get("format") for s in by_name["at"]["anyOf"]}
    assert formats == {"date", "date-time", None}  # None: empty (now) or null
    assert (by_name["page"]["minimum"], by_name["page"]["maximum"]) == (1, 1_000_000)
    assert by_name["page_size"]["anyOf"][0]["maximum"] == 100


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ("2100-01-01", "out of range"),
        ("0001-01-01", "out of range"),
        ("1917-13-45", "Give a date"),
        ("9999-12-31T23:59:59%2B14:00", "out of range"),
        ("1917-10-25T25:00", "Give a date"),
    ],
)
@pytest.mark.parametrize("path", ["/councils/soviet/seats", "/councils/soviet/composition", "/majority-map"])
def test_a_date_out_of_range_or_malformed_is_refused(world, member_client, path, at, words):
    response = member_client.get(world.url(f"{path}?at={at}"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "at"] and words in error["msg"]


def test_a_date_in_range_is_answered(world, member_client):
    assert member_client.get(world.url("/councils/soviet/seats?at=1917-10-25")).status_code == 200
    assert member_client.get(world.url("/councils/soviet/seats?at=1800-01-01")).status_code == 200


def test_a_petition_reason_with_a_control_character_is_refused_naming_reason(world, member_client):
    from councils.federation.models import RecallPetition

    response = member_client.post(
        world.url("/petitions"),
        {"seat": world.seat.pk, "reason": "He voted \u202efor the war"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "U+202E" in response.json()["errors"]["reason"][0]
    assert not RecallPetition.objects.exists()
