from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "councils.voting"
    label = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        # The kinds of audit event the services record must be registered before any is recorded.
        # What a published poll does besides being declared (recall, seats filled), and the
        # federation's recall vote opener.
        from councils.voting import (
            events,  # noqa: F401
            handlers,
            notifications,  # noqa: F401
        )

        handlers.register_all()
