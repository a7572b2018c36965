"""The ``councils`` command.

``councils count`` and ``councils apportion`` are the counting library's own command line and
import no Django, so they start fast. Every other subcommand is a Django management command
(``serve``, ``demo``, ``createadmin``, ``import-members``, ``audit``, ``tick``, ``migrate``...),
run with the Councils settings.
"""

from __future__ import annotations

import os
import sys

COUNTING_COMMANDS = frozenset({"count", "apportion"})


def main(argv: list[str] | None = None) -> int:
    """Run ``councils SUBCOMMAND ...`` and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COUNTING_COMMANDS:
        from councils.counting.cli import main as counting_main

        return counting_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    from django.core.management import execute_from_command_line

    if args:
        # Management command modules cannot hold a hyphen; the command line reads better with one.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["councils", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
