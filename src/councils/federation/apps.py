from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "councils.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self) -> None:
        # The kinds of audit event the services record must be registered before any is recorded.
        # The notifications members may turn off are listed on their settings page from the start.
        from councils.federation import (
            events,  # noqa: F401
            notifications,  # noqa: F401
        )
