from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "councils.federation"
    label = "federation"
    verbose_name = _("Federation")
