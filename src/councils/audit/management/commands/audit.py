"""``councils audit verify [ORG ...]``: check organizations' hash-chained audit logs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.audit.services import chain_verify
from councils.federation.models import Organization


class Command(BaseCommand):
    help = _(
        "Work with the audit log. 'verify' recomputes every event's hash in order and names the "
        "first missing, altered or broken event; it exits with status 1 if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = subcommands.add_parser(
            "verify",
            help=_("Check the chain of events of organizations."),
            description=_(
                "Check the chain of events of the named organizations (all of them if none is named)."
            ),
        )
        verify.add_argument(
            "organizations", nargs="*", metavar="ORG", help=_("Slug of an organization (default: every one).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self.verify(options["organizations"])

    def verify(self, slugs: list[str]) -> None:
        """Verify each organization's chain; raise CommandError naming the first problem found."""
        organizations = list(Organization.objects.order_by("slug"))
        if slugs:
            by_slug = {o.slug: o for o in organizations}
            unknown = [s for s in slugs if s not in by_slug]
            if unknown:
                raise CommandError(
                    _("Unknown organization: %(slugs)s") % {"slugs": ", ".join(unknown)}, returncode=2
                )
            organizations = [by_slug[s] for s in slugs]
        broken = 0
        for organization in organizations:
            report = chain_verify(organization=organization)
            prefix = f"{organization.slug}: " if len(organizations) > 1 or not slugs else ""
            if report.ok:
                self.stdout.write(
                    prefix
                    + _("OK: %(count)s events, chain intact")
                    % {"count": number_format(report.checked, force_grouping=True)}
                )
            else:
                problem = report.problem
                assert problem is not None
                self.stderr.write(
                    prefix
                    + _(
                        "BROKEN at event #%(sequence)s: %(problem)s (%(checked)s events before it are intact)"
                    )
                    % {
                        "sequence": problem.sequence,
                        "problem": problem.problem,
                        "checked": number_format(report.checked, force_grouping=True),
                    }
                )
                broken += 1
        if broken:
            # Exit status 1 (CommandError's) tells a script or a monitor that a chain does not hold.
            raise CommandError(
                ngettext("%(count)s audit chain is broken.", "%(count)s audit chains are broken.", broken)
                % {"count": broken}
            )
