"""``councils trustee init|keygen|deal|confirm|decrypt``: a trustee's side of a secret poll, on files.

The ceremony (CEREMONY) and the board (BOARD) are JSON documents, local files or addresses. A
local file is updated in place after the new message has been checked; for an address the
message is printed (or written with --out) to be posted to the server. The key file never leaves
the trustee's machine: it is written readable by its owner only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from councils.voting.crypto.board import board_add_partial, trustee_decrypt
from councils.voting.crypto.canonical import canonical_json
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.files import is_url, read_json, write_json
from councils.voting.crypto.trustees import (
    ceremony_add,
    ceremony_new,
    key_parse,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


class Command(BaseCommand):
    help = _(
        "A trustee's steps for secret polls: 'init' a key ceremony, 'keygen' (register), 'deal', "
        "'confirm', and 'decrypt' a closed poll's board. Each step works on files or addresses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        init = sub.add_parser("init", help=_("Start a key ceremony file for a committee of trustees."))
        init.add_argument("ceremony", metavar="CEREMONY", help=_("The ceremony file to create."))
        init.add_argument(
            "--threshold", type=int, default=2, help=_("Trustees needed to decrypt (default 2).")
        )
        init.add_argument("--size", type=int, default=3, help=_("Number of trustees (default 3)."))
        init.add_argument(
            "--label", default="", help=_("What the committee is, e.g. its organization and term.")
        )
        for name, text in [
            ("keygen", _("Step 1: make my key file and register my exchange key.")),
            ("deal", _("Step 2: deal sealed shares of my secret to every trustee.")),
            ("confirm", _("Step 3: check the shares dealt to me and keep their sum in my key file.")),
        ]:
            step = sub.add_parser(name, help=text, description=text)
            step.add_argument("ceremony", metavar="CEREMONY", help=_("The ceremony: a file or its address."))
            step.add_argument("--key", required=True, metavar="KEYFILE", help=_("My key file."))
            step.add_argument(
                "--out", metavar="FILE", help=_("Write my message here instead of into CEREMONY.")
            )
            if name == "keygen":
                step.add_argument(
                    "--index", type=int, required=True, help=_("My number in the committee (1 to size).")
                )
        decrypt = sub.add_parser(
            "decrypt",
            help=_("Decrypt a closed poll's sum (and nothing else) with my share."),
            description=_(
                "Verify the whole board, recompute the encrypted sum from its ballots and decrypt that "
                "sum only; a board whose declared sum differs is refused."
            ),
        )
        decrypt.add_argument("board", metavar="BOARD", help=_("The board: a board.json file or its address."))
        decrypt.add_argument("--key", required=True, metavar="KEYFILE", help=_("My key file."))
        decrypt.add_argument("--out", metavar="FILE", help=_("Write my factors here instead of into BOARD."))
        decrypt.add_argument(
            "--processes", type=int, default=2, help=_("Processes that verify ballots (default 2).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, options["action"])(options)
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc

    def _status(self, options: dict[str, Any], source: str, text: str) -> None:
        # When the message itself is printed (to be posted), keep standard output for it alone.
        (self.stderr if is_url(source) and not options.get("out") else self.stdout).write(text)

    def _deliver(
        self, options: dict[str, Any], source: str, document: Any, message: dict[str, Any], add: Any
    ) -> None:
        if options.get("out"):
            write_json(options["out"], _pretty(message))
            self.stdout.write(_("Message written to %(path)s.") % {"path": options["out"]})
        elif is_url(source):
            self.stdout.write(canonical_json(message).decode())
        else:
            add(document, message)
            write_json(source, _pretty(document))
            self.stdout.write(_("%(path)s updated.") % {"path": source})

    def init(self, options: dict[str, Any]) -> None:
        path = Path(options["ceremony"])
        if path.exists():
            raise CommandError(_("%(path)s exists already.") % {"path": path})
        ceremony = ceremony_new(label=options["label"], threshold=options["threshold"], size=options["size"])
        write_json(path, _pretty(ceremony))
        self.stdout.write(
            _("Ceremony %(fingerprint)s written to %(path)s.")
            % {"fingerprint": ceremony["fingerprint"], "path": path}
        )

    def keygen(self, options: dict[str, Any]) -> None:
        key_path = Path(options["key"])
        if key_path.exists():
            raise CommandError(
                _("%(path)s exists already: a key file is never overwritten.") % {"path": key_path}
            )
        ceremony = read_json(options["ceremony"])
        key, message = trustee_keygen(ceremony, options["index"])
        write_json(key_path, _pretty(key), private=True)
        self._status(
            options,
            options["ceremony"],
            _("Key file written to %(path)s: keep it safe and private.") % {"path": key_path},
        )
        self._deliver(options, options["ceremony"], ceremony, message, ceremony_add)

    def deal(self, options: dict[str, Any]) -> None:
        ceremony = read_json(options["ceremony"])
        key = key_parse(Path(options["key"]).read_bytes())
        self._deliver(options, options["ceremony"], ceremony, trustee_deal(ceremony, key), ceremony_add)

    def confirm(self, options: dict[str, Any]) -> None:
        ceremony = read_json(options["ceremony"])
        key = key_parse(Path(options["key"]).read_bytes())
        completed, message = trustee_confirm(ceremony, key)
        write_json(options["key"], _pretty(completed), private=True)
        self._status(
            options,
            options["ceremony"],
            _("Every share dealt to me matches its dealer's commitments; my key file now holds my share."),
        )
        self._deliver(options, options["ceremony"], ceremony, message, ceremony_add)

    def decrypt(self, options: dict[str, Any]) -> None:
        board = read_json(options["board"])
        key = key_parse(Path(options["key"]).read_bytes())
        processes = max(1, options["processes"])
        partial = trustee_decrypt(board, key, processes=processes)
        self._deliver(
            options,
            options["board"],
            board,
            partial,
            lambda doc, msg: board_add_partial(doc, msg, processes=processes),
        )
