"""ASGI entry point: ``uvicorn councils.asgi:application`` (``councils serve`` starts it)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")

application = get_asgi_application()
