"""A person's account: setting a password from an invitation, resetting and changing it, changing
the e-mail address (confirmed by a link to the new one), and choosing notifications.

The password pages are Django's own views with the site's templates; the rest call the services
of :mod:`councils.accounts.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from councils.accounts import notifications, services
from councils.accounts.invitations import invitation_tokens
from councils.web.forms import EmailChangeForm, NotificationSettingsForm, PasswordResetForm
from councils.web.views._common import _validation_messages, attach_errors


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link to set a new password. The answer is the same whether or not the address
    belongs to an account, so the page does not tell who has one."""

    form_class = PasswordResetForm
    template_name = "web/accounts/password_reset.html"
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        # Links point at the configured address of the installation, not at the Host header a
        # request claims (which an attacker could set to their own server).
        self.extra_email_context = {"base_url": settings.COUNCILS_BASE_URL}
        return super().get_form_kwargs()


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the link of a reset message."""

    template_name = "web/accounts/password_set.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"heading": gettext_lazy("Choose a new password")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"


class InvitationConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a first password from the link of an invitation, then sign in."""

    template_name = "web/accounts/password_set.html"
    token_generator = invitation_tokens
    success_url = reverse_lazy("login")
    extra_context = {"heading": gettext_lazy("Welcome: choose your password"), "invitation": True}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Sign in with your e-mail address (%(username)s) and it.")
            % {"username": form.user.get_username()},
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponseBase:
    """The signed-in person's account: their address (and a form to change it), their password."""
    form = EmailChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.email_change_request(
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "A link went to %(email)s: follow it to use that address. Until then your "
                        "address stays as it is."
                    )
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("account")
        status = 400
    return render(request, "web/accounts/account.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: a button to confirm it, and the change when it is pressed.

    The change waits for a POST: mail scanners that open every link in a message must not confirm
    an address on the reader's behalf.
    """
    template = "web/accounts/email_confirm.html"
    if request.method == "GET":
        try:
            claim = services.email_change_claim(token=token)
        except ValidationError as exc:
            return render(request, template, {"errors": _validation_messages(exc)}, status=400)
        return render(request, template, {"claim": claim})
    try:
        user = services.email_change_confirm(actor=request.user, token=token)
    except ValidationError as exc:
        return render(request, template, {"errors": _validation_messages(exc)}, status=400)
    return render(request, template, {"email": user.email, "username": user.get_username(), "done": True})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponseBase:
    """Which notifications the signed-in person gets by mail, one switch per kind."""
    kinds = notifications.notification_kinds()
    current = notifications.preferences_of(int(request.user.pk or 0))
    form = NotificationSettingsForm(request.POST or None, kinds=kinds, initial=current)
    if request.method == "POST":
        if form.is_valid():
            services.notification_preferences_set(
                actor=request.user, enabled={kind.code: form.cleaned_data[kind.code] for kind in kinds}
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
        return render(request, "web/accounts/notifications.html", {"form": form}, status=400)
    return render(request, "web/accounts/notifications.html", {"form": form})
