"""``councils audit verify [ORG ...]`` and ``councils audit head ORG``: check organizations'
hash-chained audit logs, and write down their heads to check against later."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.audit.anchor import HeadFileError, Heads, HeadsInconsistent, heads_parse, heads_read
from councils.audit.services import ChainReport, chain_verify

if TYPE_CHECKING:
    from councils.federation.models import Organization


def _organizations() -> QuerySet[Organization]:
    # By its label, as the audit models' foreign keys do: the audit app imports nothing from the
    # federation app.
    return apps.get_model("federation", "Organization").objects.order_by("slug")


class Command(BaseCommand):
    help = _(
        "Work with the audit log. 'verify' recomputes every event's hash in order and names the "
        "first missing, altered or broken event (or the first that differs from a head file); it "
        "exits with status 1 if there is one. 'head' prints each stream's length and head hash."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = subcommands.add_parser(
            "verify",
            help=_("Check the chains of events of organizations."),
            description=_(
                "Check every stream of events of the named organizations (all of them if none is named)."
            ),
        )
        verify.add_argument(
            "organizations", nargs="*", metavar="ORG", help=_("Slug of an organization (default: every one).")
        )
        verify.add_argument(
            "--expect",
            metavar="FILE",
            help=_(
                "A head file written earlier by 'audit head ORG --json' (one organization only): "
                "also name the first event that differs from it."
            ),
        )
        verify.add_argument(
            "--allow-newer",
            action="store_true",
            help=_(
                "With --expect: events appended after the head file was written are expected "
                "(without it, any event the file does not have is reported)."
            ),
        )
        head = subcommands.add_parser(
            "head",
            help=_("Print the heads of an organization's streams."),
            description=_(
                "Print each stream's name, length and head hash, to keep outside the database. "
                "With --json, print a head file that 'audit verify ORG --expect FILE' reads back."
            ),
        )
        head.add_argument("organization", metavar="ORG", help=_("Slug of the organization."))
        head.add_argument(
            "--json", action="store_true", help=_("Print a head file (JSON), with checkpoints and digests.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self.verify(
                options["organizations"], expect=options["expect"], allow_newer=options["allow_newer"]
            )
        elif options["action"] == "head":
            self.head(options["organization"], as_json=options["json"])

    def _find(self, slugs: list[str]) -> list[Organization]:
        organizations = list(_organizations())
        if not slugs:
            return organizations
        by_slug = {o.slug: o for o in organizations}
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            raise CommandError(
                _("Unknown organization: %(slugs)s") % {"slugs": ", ".join(unknown)}, returncode=2
            )
        return [by_slug[s] for s in slugs]

    def head(self, slug: str, *, as_json: bool) -> None:
        """Print the organization's heads, as text or as a head file."""
        [organization] = self._find([slug])
        try:
            heads = heads_read(organization=organization, slug=slug)
        except HeadsInconsistent as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(heads.as_json(), indent=1))
            return
        if not heads.streams:
            self.stdout.write(_("No event yet."))
        for stream in heads.streams:
            self.stdout.write(f"{stream.stream} {stream.length} {stream.head}")

    def _expected(self, path: str, slugs: list[str]) -> Heads:
        if len(slugs) != 1:
            raise CommandError(_("--expect checks one organization: name it."), returncode=2)
        try:
            heads = heads_parse(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}, returncode=2
            ) from exc
        except HeadFileError as exc:
            raise CommandError(
                _("%(path)s is not a head file: %(error)s") % {"path": path, "error": exc}, returncode=2
            ) from exc
        if heads.organization and heads.organization != slugs[0]:
            raise CommandError(
                _("%(path)s holds the heads of %(other)s, not of %(slug)s.")
                % {"path": path, "other": heads.organization, "slug": slugs[0]},
                returncode=2,
            )
        return heads

    def verify(self, slugs: list[str], *, expect: str | None = None, allow_newer: bool = False) -> None:
        """Verify each organization's streams; raise CommandError naming the first problem found."""
        expected = self._expected(expect, slugs) if expect else None
        organizations = self._find(slugs)
        broken = 0
        for organization in organizations:
            report = chain_verify(organization=organization, expected=expected, allow_newer=allow_newer)
            prefix = f"{organization.slug}: " if len(organizations) > 1 or not slugs else ""
            if report.ok:
                self.stdout.write(prefix + self._intact(report, anchored=expected is not None))
            else:
                problem = report.problem
                assert problem is not None
                checked = next(r.checked for r in report.streams if r.problem is problem)
                self.stderr.write(
                    prefix
                    + ngettext(
                        "BROKEN at event #%(sequence)s of stream %(stream)s: %(problem)s "
                        "(%(checked)s event before it is intact)",
                        "BROKEN at event #%(sequence)s of stream %(stream)s: %(problem)s "
                        "(%(checked)s events before it are intact)",
                        checked,
                    )
                    % {
                        "sequence": problem.sequence,
                        "stream": problem.stream,
                        "problem": problem.problem,
                        "checked": number_format(checked, force_grouping=True),
                    }
                )
                broken += 1
        if broken:
            # Exit status 1 (CommandError's) tells a script or a monitor that a chain does not hold.
            raise CommandError(
                ngettext("%(count)s audit chain is broken.", "%(count)s audit chains are broken.", broken)
                % {"count": broken}
            )

    @staticmethod
    def _intact(report: ChainReport, *, anchored: bool) -> str:
        count = number_format(report.checked, force_grouping=True)
        if len(report.streams) <= 1:
            line = ngettext(
                "OK: %(count)s event, chain intact", "OK: %(count)s events, chain intact", report.checked
            ) % {"count": count}
        else:
            line = ngettext(
                "OK: %(count)s event in %(streams)s streams, every chain intact",
                "OK: %(count)s events in %(streams)s streams, every chain intact",
                report.checked,
            ) % {
                "count": count,
                "streams": len(report.streams),
            }
        if anchored:
            line += _("; matches the head file")
        return line
