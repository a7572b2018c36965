"""``councils verify-poll FILE_OR_URL [--tracker T]``: check a secret poll's public board."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_audit_check, ballot_verify
from councils.voting.crypto.board import BoardError, verify_board
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.files import read_json


class Command(BaseCommand):
    help = _(
        "Check a secret poll's board: the hash chain, the trustees' proofs and the election key, "
        "every ballot's proofs, unique trackers, the weights, the encrypted sum, the decryption "
        "proofs and the declared result. Exits 0 when all of it holds; otherwise names the first "
        "event that fails and exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "source", metavar="FILE_OR_URL", help=_("The board: a board.json file or its address.")
        )
        parser.add_argument(
            "--tracker",
            metavar="T",
            help=_("Also check that the ballot with this tracker is on the board and counted."),
        )
        parser.add_argument(
            "--audit",
            metavar="FILE",
            help=_(
                "Also check a ballot the booth revealed for audit (its ballot, choices and randomness): "
                "it must encrypt exactly the choices shown, for this poll, and must not be on the board."
            ),
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help=_("Processes that check the ballots' proofs in parallel (default: one per core)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = read_json(options["source"])
        except CryptoError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            checked = verify_board(
                document,
                tracker=options["tracker"],
                processes=None if options["processes"] is None else max(1, options["processes"]),
            )
        except BoardError as exc:
            raise CommandError(_("FAILED: %(problem)s") % {"problem": exc}) from exc
        title = document["events"][0]["body"]["poll"].get("title", "")
        self.stdout.write(
            _(
                "OK: board of %(title)r, %(ballots)s ballots (%(withdrawn)s withdrawn), "
                "total weight %(weight)s"
            )
            % {
                "title": title,
                "ballots": checked.ballots,
                "withdrawn": checked.withdrawn,
                "weight": checked.total_weight,
            }
        )
        if checked.counts is not None:
            self.stdout.write(_("Result verified: %(counts)s") % {"counts": list(checked.counts)})
        elif checked.closed:
            self.stdout.write(_("Closed; not decrypted yet."))
        else:
            self.stdout.write(_("Still open."))
        if options["audit"]:
            self._audit(options["audit"], document)
        if options["tracker"]:
            self.stdout.write(
                _("Tracker %(tracker)s is on the board and counted.") % {"tracker": options["tracker"]}
            )
        self.stdout.write(_("Head: %(head)s") % {"head": checked.head})

    def _audit(self, path: str, document: dict[str, Any]) -> None:
        """Check an audited ballot (Benaloh challenge) against the board's poll and key."""
        setup = document["events"][0]["body"]
        try:
            audited = read_json(path)
            question = Question.from_json(setup["question"])
            key = bytes.fromhex(setup["election_key"])
            ballot = ballot_verify(
                audited["ballot"], question=question, fingerprint=setup["fingerprint"], key=key
            )
            randomness = [
                group.scalar_from_hex(r, f"audit/randomness/{i}")
                for i, r in enumerate(audited["audit"]["randomness"])
            ]
            ballot_audit_check(
                ballot=ballot, key=key, choices=audited["audit"]["choices"], randomness=randomness
            )
        except (CryptoError, KeyError, TypeError) as exc:
            raise CommandError(_("FAILED: audited ballot: %(problem)s") % {"problem": exc}) from exc
        trackers = {e["body"]["tracker"] for e in document["events"] if e["type"] == "ballot"}
        if ballot.tracker in trackers:
            raise CommandError(
                _("FAILED: audited ballot %(tracker)s was cast: an audited ballot must never be.")
                % {"tracker": ballot.tracker}
            )
        self.stdout.write(
            _("Audited ballot %(tracker)s encrypts exactly the choices %(choices)s.")
            % {"tracker": ballot.tracker, "choices": audited["audit"]["choices"]}
        )
