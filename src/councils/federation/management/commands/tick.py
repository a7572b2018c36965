"""``councils tick``: write down what time has changed (expired petitions, ended terms)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.federation.services import tick
from councils.voting.services import polls_tick


class Command(BaseCommand):
    help = _(
        "Write down what time has changed: recall petitions past their expiry become expired, and "
        "regular elections open where deputies' terms have ended, polls open and close at their "
        "times. Safe to run every minute, from "
        "cron or a timer, on several machines at once: a second run finds nothing left to do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet-when-idle",
            action="store_true",
            help=_("Print nothing when there was nothing to do (keeps cron mail quiet)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = tick()
        polls = polls_tick()
        idle = not (
            report.petitions_expired
            or report.elections_opened
            or polls.opened
            or polls.closed
            or polls.settled
        )
        if options["quiet_when_idle"] and idle:
            return
        self.stdout.write(
            ngettext("%(n)s petition expired.", "%(n)s petitions expired.", report.petitions_expired)
            % {"n": report.petitions_expired}
        )
        self.stdout.write(
            ngettext("%(n)s election opened.", "%(n)s elections opened.", report.elections_opened)
            % {"n": report.elections_opened}
        )
        self.stdout.write(
            ngettext("%(n)s poll opened.", "%(n)s polls opened.", polls.opened) % {"n": polls.opened}
        )
        self.stdout.write(
            ngettext("%(n)s poll closed.", "%(n)s polls closed.", polls.closed) % {"n": polls.closed}
        )
        if polls.settled:
            self.stdout.write(
                ngettext(
                    "%(n)s recall vote counted and published.",
                    "%(n)s recall votes counted and published.",
                    polls.settled,
                )
                % {"n": polls.settled}
            )
