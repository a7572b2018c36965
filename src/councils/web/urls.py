"""The pages' URLs. Names are global (``home``, ``login``, ...) as the settings refer to them."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from councils.web import views
from councils.web.views import accounts, imports, members


class ExportFormat:
    """The extension of an export: ``csv`` or ``json``."""

    regex = "csv|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", accounts.account, name="account"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.InvitationConfirmView.as_view(),
        name="invitation_confirm",
    ),
    path("accounts/email/confirm/<str:token>/", accounts.email_confirm, name="email_confirm"),
    path("accounts/notifications/", accounts.notification_settings, name="notification_settings"),
    path("o/<slug:org_slug>/", views.organization, name="organization"),
    path("o/<slug:org_slug>/councils/<slug:council_slug>/", views.council, name="council"),
    path(
        "o/<slug:org_slug>/councils/<slug:council_slug>/apportion/",
        views.council_apportion,
        name="council_apportion",
    ),
    path("o/<slug:org_slug>/elections/", views.elections, name="elections"),
    path("o/<slug:org_slug>/elections/open/", views.election_open, name="election_open"),
    path("o/<slug:org_slug>/elections/<int:election_id>/", views.election, name="election"),
    path("o/<slug:org_slug>/constituencies/<slug:slug>/", views.constituency, name="constituency"),
    path(
        "o/<slug:org_slug>/constituencies/<slug:slug>/members/",
        views.constituency_members,
        name="constituency_members",
    ),
    path(
        "o/<slug:org_slug>/constituencies/<slug:slug>/petitions/",
        views.petition_open,
        name="petition_open",
    ),
    path("o/<slug:org_slug>/petitions/<int:petition_id>/sign/", views.petition_sign, name="petition_sign"),
    path(
        "o/<slug:org_slug>/petitions/<int:petition_id>/withdraw/",
        views.petition_withdraw,
        name="petition_withdraw",
    ),
    path("o/<slug:org_slug>/members/<int:member_id>/", members.member, name="member"),
    path("o/<slug:org_slug>/members/import/", imports.members_import, name="members_import"),
    path("o/<slug:org_slug>/audit/", views.audit, name="audit"),
    path("o/<slug:org_slug>/audit.<export:fmt>", views.audit_export, name="audit_export"),
    path(
        "o/<slug:org_slug>/majority-map.<export:fmt>", views.majority_map_export, name="majority_map_export"
    ),
    path(
        "o/<slug:org_slug>/councils/<slug:council_slug>/composition.<export:fmt>",
        views.composition_export,
        name="composition_export",
    ),
    path(
        "o/<slug:org_slug>/councils/<slug:council_slug>/history.<export:fmt>",
        views.history_export,
        name="history_export",
    ),
    path("o/<slug:org_slug>/blocs/", views.blocs, name="blocs"),
    path("o/<slug:org_slug>/blocs/form/", views.bloc_form, name="bloc_form"),
    path("o/<slug:org_slug>/blocs/<int:bloc_id>/change/", views.bloc_change, name="bloc_change"),
    path("o/<slug:org_slug>/blocs/<int:bloc_id>/end/", views.bloc_end, name="bloc_end"),
    path("o/<slug:org_slug>/live/", views.live_updates, name="live"),
]
