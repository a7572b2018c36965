"""Forms of a person's account: a password link, a new address, notification settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.template import loader
from django.utils.translation import gettext_lazy as _

from councils.accounts import mail
from councils.accounts.notifications import NotificationKind

# Django's own comparison of addresses (NFKC, case-folded), as its reset form uses.
_unicode_ci_compare = auth_forms._unicode_ci_compare  # type: ignore[attr-defined]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Ask for a password link by e-mail address.

    Unlike Django's form it also answers people who never set a password: in Councils that is a
    member whose invitation was lost or expired, not an account managed elsewhere. Sending goes
    through :func:`councils.accounts.mail.deliver`, so a mail server that is down is logged rather
    than shown as an error page (the page says the same whatever happens, as it must).
    """

    def get_users(self, email: str) -> Iterable[Any]:
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if _unicode_ci_compare(email, user.email)
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        mail.deliver([mail.message(to=to_email, subject=subject, body=body)])


class EmailChangeForm(forms.Form):
    """A new address for the account, confirmed by the current password."""

    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NotificationSettingsForm(forms.Form):
    """One switch per registered kind of notification."""

    def __init__(self, *args: Any, kinds: Sequence[NotificationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.code] = forms.BooleanField(label=str(kind.label), required=False)
