"""Schemas of the error answers (see the API description)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Message(Schema):
    """401, 403, 404: what went wrong, in words."""

    detail: str


class SchemaErrors(Schema):
    """422: the request does not match the schema; each item's `loc` names the place, e.g.
    `["body", "seat"]` or `["query", "at"]`."""

    detail: list[dict[str, Any]]


class FieldErrors(Schema):
    """400: a well-formed request that the organization's rules refuse. Keys name the fields;
    `__all__` holds messages about the request as a whole. Nothing was changed."""

    errors: dict[str, list[str]]
