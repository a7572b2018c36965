"""ASGI entry point: ``uvicorn councils.asgi:application`` (``councils serve`` starts it)."""

from __future__ import annotations

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")

# WhiteNoise streams static files through a sync iterator, which Django under ASGI consumes in a
# thread and warns about on every file. Static files are few and small here, so the warning is
# noise in the operator's log, not a problem to act on.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
)

application = get_asgi_application()
