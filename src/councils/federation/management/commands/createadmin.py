"""``councils createadmin``: create the first superuser, once."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import exceptions
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

PASSWORD_VARIABLE = "COUNCILS_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = _(
        "Create a superuser who can sign in to the admin and organize every organization. "
        "Running it again for an existing user name changes nothing. With --no-input the password "
        "comes from --password or the COUNCILS_ADMIN_PASSWORD environment variable."
    )
    requires_migrations_checks = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help=_("User name (default: admin)."))
        parser.add_argument("--email", default="", help=_("Email address (optional)."))
        parser.add_argument(
            "--password",
            help=_(
                "Password. Prefer the COUNCILS_ADMIN_PASSWORD variable or the prompt: "
                "a command line is visible to other users of the machine."
            ),
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=_("Do not prompt; fail if no password is given."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username: str = options["username"].strip()
        email: str = options["email"].strip()
        if not username:
            raise CommandError(_("The user name cannot be empty."))
        if email:
            try:
                validate_email(email)
            except exceptions.ValidationError as e:
                raise CommandError(_("Invalid email address: %(email)s") % {"email": email}) from e

        existing = User._default_manager.filter(username=username).first()
        if existing is not None:
            if existing.is_superuser:
                self.stdout.write(
                    _('Superuser "%(username)s" already exists; nothing changed.') % {"username": username}
                )
                return
            raise CommandError(
                _('A user "%(username)s" exists but is not a superuser; choose another --username.')
                % {"username": username}
            )

        password = options["password"] or os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if not options["interactive"]:
                raise CommandError(
                    _("No password: give --password or set %(variable)s when using --no-input.")
                    % {"variable": PASSWORD_VARIABLE}
                )
            password = self._prompt_password(username)

        user = User(username=username, email=email)
        if options["password"] or os.environ.get(PASSWORD_VARIABLE):
            # A password given without a prompt still has to be a good one.
            try:
                validate_password(password, user)
            except exceptions.ValidationError as e:
                raise CommandError(" ".join(e.messages)) from e
        with transaction.atomic():
            User._default_manager.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(_('Superuser "%(username)s" created.') % {"username": username}))

    def _prompt_password(self, username: str) -> str:
        """Ask twice until the two match and the validators accept the password."""
        User = get_user_model()
        for _attempt in range(3):
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                self.stderr.write(_("The passwords do not match."))
                continue
            try:
                validate_password(password, User(username=username))
            except exceptions.ValidationError as e:
                self.stderr.write("\n".join(e.messages))
                continue
            return password
        raise CommandError(_("Aborting after 3 attempts; no user was created."))
