"""``/api/openapi.json`` from a cache: the document is built once per process, not per request.

django-ninja builds the OpenAPI document anew on every request (about 40 ms here: 25 requests a
second per process). The API cannot change while a process runs, so the first request (or the
server's start, ``councils.serving.warm_up``) builds it and every later one sends the same bytes.
"""

from __future__ import annotations

import functools
import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.responses import NinjaJSONEncoder


@functools.cache
def document(api: NinjaAPI) -> bytes:
    """The API's OpenAPI document as JSON bytes, built on first use."""
    schema = api.get_openapi_schema()
    return json.dumps(schema, cls=NinjaJSONEncoder).encode()


@require_GET
def openapi_json(request: HttpRequest) -> HttpResponse:
    from councils.api import api

    response = HttpResponse(document(api), content_type="application/json")
    response["Cache-Control"] = "public, max-age=300"
    return response
