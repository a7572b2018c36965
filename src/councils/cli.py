"""The ``councils`` command.

``councils count`` and ``councils apportion`` are the counting library's own command line and
import no Django, so they start fast. Every other subcommand is a Django management command
(``serve``, ``demo``, ``createadmin``, ``import-members``, ``audit``, ``tick``, ``migrate``...),
run with the Councils settings, and speaks the operator's language where Councils has it (the
locale's ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``: ``LANG=ru_RU.UTF-8 councils tick``
answers in Russian; anything else in English). Commands are typed with hyphens
(``import-members``); the underscore spelling of the module works too.

``councils``, ``councils help`` and ``councils --help`` list every command by the name users type;
``councils help COMMAND`` (or ``councils COMMAND --help``) shows one command's options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

COUNTING_COMMANDS = frozenset({"count", "apportion"})
HELP_WORDS = frozenset({"help", "--help", "-h"})

#: The counting commands' one-line descriptions (they are not Django commands).
COUNTING_HELP = {
    "count": "Count a ballot file (BLT, or CSV of ranked ballots) by a method, stage by stage",
    "apportion": "Apportion seats among the rows of a CSV 'name,votes' by a proportional method",
}


def main(argv: list[str] | None = None) -> int:
    """Run ``councils SUBCOMMAND ...`` and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] in HELP_WORDS and len(args) == 1):
        _setup_django()
        sys.stdout.write(overview())
        return 0
    if args[0] in HELP_WORDS:
        # `councils help COMMAND`: that command's own help.
        args = [args[1], "--help"]
    if args[0] in COUNTING_COMMANDS:
        from councils.counting.cli import main as counting_main

        return counting_main(args)
    _setup_django()
    from django.core.management import ManagementUtility, execute_from_command_line
    from django.db import DatabaseError

    if args[0].startswith("-"):
        execute_from_command_line(["councils", *args])
        return 0
    # Management command modules cannot hold a hyphen; the command line reads better with one. The
    # command runs under the name typed, so that its usage line shows that name.
    module = args[0].replace("-", "_")
    command = ManagementUtility(["councils", module]).fetch_command(module)
    try:
        command.run_from_argv(["councils", typed_name(module), *args[1:]])
    except DatabaseError as exc:
        if "--traceback" in args:
            raise
        sys.stderr.write(database_problem(exc) + "\n")
        return 1
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


def database_problem(exc: Exception) -> str:
    """What to do about a database error met by a command: set the database up, or reach it."""
    from django.db import connection
    from django.utils.translation import gettext as _

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        where = str(settings["NAME"])
    else:
        where = (
            f"{settings.get('NAME')} on {settings.get('HOST') or 'localhost'}:{settings.get('PORT') or ''}"
        )
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return _(
            "The database %(where)s has no Councils tables yet (%(error)s). Set it up with "
            "`councils migrate` (`councils serve` does it too), then run the command again."
        ) % {"where": where, "error": text}
    return _(
        "The database %(where)s cannot be used: %(error)s. Check DATABASE_URL (or COUNCILS_DATA_DIR "
        "for the embedded database) and that the database server is running."
    ) % {"where": where, "error": text}


def _setup_django() -> None:
    """Django with the Councils settings, speaking the operator's language (:func:`operator_language`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.settings")
    import django
    from django.utils import translation

    django.setup()
    language = operator_language(os.environ)
    if language is not None:
        translation.activate(language)


def typed_name(command: str) -> str:
    """The name a person types for a management command: ``import_members`` -> ``import-members``."""
    return command.replace("_", "-")


def overview() -> str:
    """Every command by the name typed, Councils' own first, each with the first line of its help."""
    from django.core.management import get_commands, load_command_class
    from django.utils.translation import gettext as _

    ours: dict[str, str] = dict(COUNTING_HELP)
    others: list[str] = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("councils"):
            ours[typed_name(name)] = _first_sentence(str(load_command_class(app, name).help or ""))
        else:
            others.append(typed_name(name))
    width = max(len(name) for name in ours) + 2
    lines = [
        _("Usage: councils COMMAND [options]"),
        _("       councils help COMMAND    (the options of one command)"),
        "",
        _("Councils commands:"),
        *(f"  {name.ljust(width)}{ours[name]}" for name in sorted(ours)),
        "",
        _("Django's commands (for operators):"),
        *_wrapped(others, indent="  ", width=100),
        "",
    ]
    return "\n".join(lines)


def _first_sentence(text: str, limit: int = 86) -> str:
    """The first sentence of a command's help, cut at a word to fit a line."""
    sentence = text.split(". ")[0].split(": ")[0].rstrip(".")
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "..."
    return sentence


def _wrapped(words: list[str], *, indent: str, width: int) -> list[str]:
    lines: list[str] = []
    line = indent
    for word in words:
        if len(line) + len(word) + 2 > width and line.strip():
            lines.append(line.rstrip(", "))
            line = indent
        line += word + ", "
    if line.strip():
        lines.append(line.rstrip(", "))
    return lines


if __name__ == "__main__":
    sys.exit(main())
