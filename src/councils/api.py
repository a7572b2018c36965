"""The JSON API under /api/: one django-ninja router per app, calling the same services and selectors."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Councils API", version="1", urls_namespace="api")
