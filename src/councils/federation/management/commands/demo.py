"""``councils demo``: load the "Petrograd 1917" demonstration, once."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from councils.demo import data
from councils.demo.loader import load_demo


class Command(BaseCommand):
    help = _(
        "Load the demonstration 'Petrograd 1917': the soviets of Petrograd, Moscow and Kronstadt "
        "and the All-Russian Congress of Soviets, from the elections of March 1917 to October, "
        "with illustrative figures, played through the same services as the pages. Running it "
        "again changes nothing. Prints the demonstration accounts and their password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-migrate",
            action="store_false",
            dest="migrate",
            help=_("Do not apply database migrations first."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        verbose = options["verbosity"] >= 2
        organization = load_demo(log=self.stdout.write if verbose else None)
        if organization is None:
            self.stdout.write(
                _('The demonstration "%(slug)s" is already loaded; nothing changed.')
                % {"slug": data.ORGANIZATION_SLUG}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Loaded %(name)s in %(seconds)s s.")
                    % {
                        "name": organization.name,
                        "seconds": number_format(time.monotonic() - started, decimal_pos=1),
                    }
                )
            )
        self.stdout.write(
            _("Sign in as %(accounts)s with the password %(password)s.")
            % {
                "accounts": ", ".join((data.ORGANIZER_USERNAME, data.WORKER_USERNAME, data.SOLDIER_USERNAME)),
                "password": data.DEMO_PASSWORD,
            }
        )
        self.stdout.write(
            _(
                "The worker's factory has a recall petition one signature short: sign it as "
                "'worker' and the seat becomes vacant."
            )
        )
