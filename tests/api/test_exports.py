"""The exports' endpoints: files to save, documented in the OpenAPI document."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_script_downloads_each_export_as_csv_and_json(world):
    client = token_client(world.member.user)
    for path, rows_key in (
        (f"/councils/{world.council.slug}/composition", "seats"),
        (f"/councils/{world.council.slug}/history", "periods"),
        ("/majority-map", "councils"),
        ("/events", "events"),
    ):
        as_csv = client.get(world.url(f"{path}.csv"))
        assert as_csv.status_code == 200, path
        assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
        assert as_csv["Content-Disposition"].startswith('attachment; filename="petrograd_')
        assert next(csv.reader(io.StringIO(body(as_csv).lstrip("\ufeff")))), path
        as_json = client.get(world.url(f"{path}.json"))
        assert as_json["Content-Type"] == "application/json"
        assert as_json["Content-Disposition"].endswith('.json"')
        assert isinstance(json.loads(body(as_json))[rows_key], list), path


def test_the_composition_at_a_date_names_the_file_by_that_date(world, member_client):
    response = member_client.get(
        world.url(f"/councils/{world.council.slug}/composition.csv"), {"at": "1917-10-25"}
    )
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="petrograd_composition_soviet_1917-10-25.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert rows == []  # nothing was held in 1917 in this organization
    bad = member_client.get(
        world.url(f"/councils/{world.council.slug}/composition.csv"), {"at": "1917-13-45"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "at"]


def test_an_unknown_format_and_an_outsider_are_refused(
    world, member_client, outsider_client, anonymous_client
):
    assert member_client.get(world.url("/events.xlsx")).status_code in (404, 422)
    assert outsider_client.get(world.url("/events.csv")).status_code == 403
    assert anonymous_client.get(world.url("/events.csv")).status_code == 401


def test_the_openapi_document_describes_the_files(member_client):
    doc = member_client.get("/api/openapi.json").json()
    operation = doc["paths"]["/api/organizations/{slug}/councils/{council}/composition.{fmt}"]["get"]
    answer = operation["responses"]["200"]
    assert set(answer["content"]) == {"text/csv", "application/json"}
    assert "Content-Disposition" in answer["headers"]
    [fmt] = [p for p in operation["parameters"] if p["name"] == "fmt"]
    assert fmt["schema"]["enum"] == ["csv", "json"]
    assert {"/api/organizations/{slug}/events.{fmt}", "/api/organizations/{slug}/majority-map.{fmt}"} <= set(
        doc["paths"]
    )
