"""Signing in."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Sign in. django-axes counts failures and locks the name and address out after too many."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
