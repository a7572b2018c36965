from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "councils.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        # The kinds of audit event the services record must be registered before any is recorded.
        from councils.deliberation import events  # noqa: F401
        from councils.deliberation.services import polls

        # A sitting's polls: electorate of those present, instructions checked, decisions recorded.
        polls.register()
