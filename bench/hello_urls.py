"""The project's URLs and one more for the benchmarks only: ``GET /api/bench-hello``, a JSON hello.
Under ``/api/`` and asked with a bearer token, it is served by the same lighter stack as a script's
cast (``councils.apiserving``): its middleware, without any endpoint's own work."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from _server import HELLO
from councils.urls import urlpatterns as project


def hello(request: HttpRequest) -> JsonResponse:
    """The least an answer through Django costs: no query, a small JSON body."""
    return JsonResponse({"hello": "world"})


urlpatterns = [path(HELLO.lstrip("/"), hello), *project]
