"""The ``councils`` command.

``councils count`` and ``councils apportion`` are the counting library's own command line and
import no Django, so they start fast. Every other subcommand is a Django management command
(``serve``, ``demo``, ``createadmin``, ``import-members``, ``audit``, ``tick``, ``migrate``...),
run with the Councils settings, and speaks the operator's language where Councils has it (the
locale's ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``: ``LANG=ru_RU.UTF-8 councils tick``
answers in Russian; anything else in English).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

COUNTING_COMMANDS = frozenset({"count", "apportion"})


def main(argv: list[str] | None = None) -> int:
    """Run ``councils SUBCOMMAND ...`` and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COUNTING_COMMANDS:
        from councils.counting.cli import main as counting_main

        return counting_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    language = operator_language(os.environ)
    if language is not None:
        translation.activate(language)

    if args:
        # Management command modules cannot hold a hyphen; the command line reads better with one.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["councils", *args])
    return 0


def operator_language(environ: Mapping[str, str]) -> str | None:
    """The language of the operator's locale that Councils has (``ru`` for ``ru_RU.UTF-8``), by
    POSIX precedence (GNU ``LANGUAGE`` first, a list such as ``ru:en``); None for the C locale or a
    language Councils does not have."""
    from django.utils import translation

    names = [*environ.get("LANGUAGE", "").split(":")] if environ.get("LANGUAGE") else []
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(variable):
            names.append(environ[variable])
            break
    for name in names:
        code = name.split(".")[0].split("@")[0].replace("_", "-").lower()
        if code in ("", "c", "posix"):
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


if __name__ == "__main__":
    sys.exit(main())
