"""``councils import-members ORG FILE.csv``: add many members at once, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, TextIO, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.accounts.actors import SYSTEM, Actor
from councils.federation.models import Organization
from councils.federation.services import members_import
from councils.federation.services.imports import members_csv_read


class Command(BaseCommand):
    help = _(
        "Import members from a CSV file (UTF-8, a byte-order mark is accepted) with one member per "
        "row: name,email,constituency. The constituency is given by its slug or its exact name. "
        "A first row 'name,email,constituency' is read as a header and skipped. Users are found by "
        "email or created without a password. Once the import is saved, each member is sent an "
        "invitation by mail with a link to choose their password (unless --no-invite); a message "
        "that cannot be sent is counted and logged, and the import stands. If any row is wrong, "
        "the errors are listed by line and nothing of the file is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", metavar="ORG", help=_("Slug of the organization."))
        parser.add_argument("file", metavar="FILE.csv", help=_("The CSV file, or - to read standard input."))
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help=_(
                "Record the import in the audit log as done by this organizer "
                "(default: the system, as for any command run by the operator)."
            ),
        )
        parser.add_argument(
            "--no-invite",
            action="store_true",
            help=_("Send no invitation (organizers can send each member one later from the member's page)."),
        )
        parser.add_argument(
            "--delimiter",
            default=",",
            help=_("Column separator (default: ','; use ';' for some spreadsheets)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(_("Unknown organization: %(slug)s") % {"slug": options["organization"]})
        # The operator at the command line acts as the system unless they name the person acting.
        actor: Actor = SYSTEM
        if options["actor"]:
            user = get_user_model()._default_manager.filter(username=options["actor"]).first()
            if user is None:
                raise CommandError(_("Unknown user: %(username)s") % {"username": options["actor"]})
            actor = user
        if len(options["delimiter"]) != 1:
            raise CommandError(_("--delimiter must be one character."))

        rows, first_line = self.read(options["file"], options["delimiter"])
        # cast: OutputWrapper keeps the stream it wraps in _out, which its stubs do not declare; the
        # bar writes there directly (the wrapper would end every write with a newline).
        bar = ProgressBar(cast(TextIO, self.stderr._out), total=len(rows)) if self.stderr.isatty() else None
        try:
            report = members_import(
                actor=actor,
                organization=organization,
                rows=rows,
                first_line=first_line,
                progress=bar.update if bar is not None else None,
                invite=not options["no_invite"],
            )
        except ValidationError as e:
            if bar is not None:
                bar.clear()
            raise CommandError(
                _("Nothing was imported. Fix these rows and run the import again:")
                + "\n  "
                + "\n  ".join(e.messages)
            ) from e
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        if bar is not None:
            bar.finish()
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Imported %(members)s member into %(organization)s (new users: %(users)s).",
                    "Imported %(members)s members into %(organization)s (new users: %(users)s).",
                    report.members,
                )
                % {
                    "members": number_format(report.members, force_grouping=True),
                    "organization": organization.name,
                    "users": number_format(report.users_created, force_grouping=True),
                }
            )
        )
        sent = report.invitations
        if options["no_invite"] or not (sent.sent or sent.failed):
            return
        self.stdout.write(
            _("Invitations sent: %(sent)s.") % {"sent": number_format(sent.sent, force_grouping=True)}
        )
        if sent.failed:
            # The import stands: say who was not reached, and how to reach them later.
            shown = ", ".join(sent.failed_to[:10]) + (", …" if len(sent.failed_to) > 10 else "")
            self.stderr.write(
                _(
                    "%(failed)s invitations could not be sent (%(addresses)s); the log has the reasons. "
                    "Once the mail server works, send them again from the page 'Import members' (to every "
                    "member without a password) or from each member's page."
                )
                % {"failed": number_format(sent.failed, force_grouping=True), "addresses": shown}
            )

    def read(self, name: str, delimiter: str) -> tuple[list[list[str]], int]:
        """The rows of the file (``-``: standard input) and the line number of the first of them."""
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except FileNotFoundError as e:
            raise CommandError(_("No such file: %(name)s") % {"name": name}) from e
        except OSError as e:
            # A folder, a file the operator may not read: said, not a traceback.
            raise CommandError(
                _("Cannot read %(name)s: %(error)s") % {"name": name, "error": e.strerror or e}
            ) from e
        try:
            return members_csv_read(data, name=name, delimiter=delimiter)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e


class ProgressBar:
    """A one-line progress bar on a terminal: rows checked, then members saved."""

    WIDTH = 30

    def __init__(self, stream: IO[str], *, total: int) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.phase = _("checking")
        self.last = 0

    def update(self, done: int) -> None:
        """Show ``done`` of the total; a count that starts again means the saving has begun."""
        if done < self.last:
            self.phase = _("saving")
        self.last = done
        filled = min(self.WIDTH, self.WIDTH * done // self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        done_text = number_format(done, force_grouping=True)
        total_text = number_format(self.total, force_grouping=True)
        self.stream.write(f"\r{self.phase:<9} [{bar}] {done_text} / {total_text}")
        self.stream.flush()

    def finish(self) -> None:
        self.update(self.total)
        self.stream.write("\n")

    def clear(self) -> None:
        self.stream.write("\r" + " " * (self.WIDTH + 40) + "\r")
        self.stream.flush()
