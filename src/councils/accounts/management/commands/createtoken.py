"""``councils createtoken USERNAME NAME``: create a personal API token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from councils.accounts.services import token_create


class Command(BaseCommand):
    help = _(
        "Create a personal API token for USERNAME and print its secret. The secret is shown only "
        "this once: store it where the script that uses it can read it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("The user the token acts for."))
        parser.add_argument("name", help=_("What the token is for, e.g. “results script”."))

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist as e:
            raise CommandError(_("No user is called %(username)s.") % {"username": username}) from e
        try:
            # The token is the user's own: the operator running this command creates it on their behalf.
            _token, secret = token_create(actor=user, name=name)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        # The secret alone on stdout, so that `councils createtoken ... > file` stores just it.
        self.stdout.write(secret)
        self.stderr.write(_("Store this token now: it will not be shown again."))
