from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "councils.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # A token's cache forgets a token when it or its user changes (councils.accounts.tokencache).
        from councils.accounts import tokencache

        tokencache.connect_signals()
