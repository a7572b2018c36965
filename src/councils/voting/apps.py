from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "councils.voting"
    label = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        # The kinds of audit event the services record must be registered before any is recorded.
        from councils.voting import events  # noqa: F401
