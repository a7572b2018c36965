"""The pages, one module per kind. Each view looks up what the URL names, checks permission
(``rules``, then the services check again), calls one selector or service and renders; htmx
requests get a partial. The names here are what ``urls.py`` and the settings refer to."""

from __future__ import annotations

from councils.web.views.audit import audit
from councils.web.views.auth import LoginView
from councils.web.views.blocs import bloc_change, bloc_end, bloc_form, blocs
from councils.web.views.constituencies import (
    constituency,
    constituency_members,
    petition_open,
    petition_sign,
    petition_withdraw,
)
from councils.web.views.councils import composition_context, council, council_apportion
from councils.web.views.elections import election, election_open, elections
from councils.web.views.errors import locked_out, page_not_found, permission_denied
from councils.web.views.exports import audit_export, composition_export, history_export, majority_map_export
from councils.web.views.home import home
from councils.web.views.live import live_updates
from councils.web.views.organization import organization

__all__ = [
    "LoginView",
    "audit",
    "audit_export",
    "bloc_change",
    "bloc_end",
    "bloc_form",
    "blocs",
    "composition_context",
    "composition_export",
    "constituency",
    "constituency_members",
    "council",
    "council_apportion",
    "election",
    "election_open",
    "elections",
    "history_export",
    "home",
    "live_updates",
    "locked_out",
    "majority_map_export",
    "organization",
    "page_not_found",
    "permission_denied",
    "petition_open",
    "petition_sign",
    "petition_withdraw",
]
