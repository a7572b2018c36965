"""System checks of the serving configuration (``councils check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def https_behind_a_trusted_proxy(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """COUNCILS_HTTPS without a trusted proxy: ``councils serve`` speaks plain HTTP, so every request
    would look insecure and be redirected to HTTPS again and again."""
    if settings.HTTPS and not settings.COUNCILS_TRUSTED_PROXIES:
        return [
            Warning(
                "COUNCILS_HTTPS is set but COUNCILS_TRUSTED_PROXIES names no proxy.",
                hint=(
                    "councils serve speaks plain HTTP behind the proxy that holds the certificate: name "
                    "that proxy's address in COUNCILS_TRUSTED_PROXIES so that its X-Forwarded-Proto "
                    "is believed, or every request is redirected to HTTPS forever (docs/operations.md)."
                ),
                id="councils.W001",
            )
        ]
    return []
