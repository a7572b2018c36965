"""The Russian catalog: every string a person reads is translated, and the committed .mo is compiled
from the committed .po.

``make messages`` gathers the marked strings into ``src/councils/locale/ru/LC_MESSAGES/django.po``
and compiles it (docs/translating.md). The first test runs the same ``makemessages`` into a
temporary copy of the catalog, so a string marked in a template or in Python but not translated
(or left fuzzy by msgmerge) fails here, listed with where it is used. It needs GNU gettext's
xgettext; outside CI it is skipped, saying so, when gettext is not installed.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "councils" / "locale"
PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same patterns as the Makefile's `messages` target. `locale`: makemessages would otherwise take
# every folder of that name it walks past as a catalog to write (the real one, not the test's copy).
IGNORE = [".venv", "tests", "bench", "build", "var", "docs", "locale"]


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ``#~`` entries left out), as msgfmt reads them."""
    entries: list[Entry] = []
    entry = Entry()
    last: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, last
        if started:
            entries.append(entry)
        entry, started, last = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if started:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            if started:
                finish()
            entry.locations += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert last is not None, f"{path}: a continuation line with nothing to continue: {raw!r}"
            text = ast.literal_eval(line)
            name, index = last
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, (getattr(entry, name) or "") + text)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword == "msgctxt" and started:
                finish()
            started = True
            if keyword.startswith("msgstr["):
                index = int(keyword[7:-1])
                entry.msgstr[index] = text
                last = ("msgstr", index)
            elif keyword == "msgstr":
                entry.msgstr[0] = text
                last = ("msgstr", 0)
            else:
                setattr(entry, keyword, text)
                last = (keyword, 0)
    finish()
    return entries


def catalog_of_po(entries: list[Entry]) -> dict[object, str]:
    """What msgfmt would compile: translated, not fuzzy entries, keyed as GNUTranslations keys them."""
    catalog: dict[object, str] = {}
    for entry in entries:
        if not entry.msgid or not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            catalog[key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                catalog[(key, index)] = text
    return catalog


def test_every_marked_string_has_a_russian_translation(tmp_path, monkeypatch) -> None:
    """Run makemessages over the sources into a copy of the catalog: nothing untranslated or fuzzy."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext, msgmerge) is missing: .ci/run installs it (apt-get gettext)")
        pytest.skip("GNU gettext is not installed (Debian: apt-get install gettext): cannot run makemessages")
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    # From the repository's root, which holds no `locale` folder: everything goes to the copy.
    monkeypatch.chdir(ROOT)
    with override_settings(LOCALE_PATHS=[copy]):
        call_command(
            "makemessages",
            locale=["ru"],
            ignore_patterns=IGNORE,
            add_location="full",
            no_obsolete=True,
            verbosity=0,
        )
    written = copy / "ru" / "LC_MESSAGES" / "django.po"
    assert written.read_bytes() != PO.read_bytes(), "makemessages did not write the copy"
    entries = [e for e in read_po(written) if e.msgid]
    assert len(entries) > 300, "makemessages found too few strings: did it scan src/councils?"
    missing = [
        f"{' '.join(e.locations)}: {e.msgid!r}{' (fuzzy)' if 'fuzzy' in e.flags else ''}"
        for e in entries
        if not e.translated
    ]
    assert not missing, (
        f"{len(missing)} strings have no Russian translation (run `make messages`, translate them in "
        f"{PO.relative_to(ROOT)}, see docs/translating.md):\n" + "\n".join(missing)
    )


def test_the_committed_mo_is_compiled_from_the_committed_po() -> None:
    """The .mo Django reads holds exactly the translated entries of the .po (run `make messages`)."""
    with MO.open("rb") as f:
        compiled = gnu_gettext.GNUTranslations(f)
    from_mo = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    from_po = catalog_of_po(read_po(PO))
    stale = sorted(str(k) for k in from_po.keys() - from_mo.keys())
    extra = sorted(str(k) for k in from_mo.keys() - from_po.keys())
    changed = sorted(str(k) for k in from_po.keys() & from_mo.keys() if from_po[k] != from_mo[k])
    assert not (stale or extra or changed), (
        f"{MO.relative_to(ROOT)} is not compiled from the .po: run `make messages` "
        f"(missing {stale[:5]}, not in the .po {extra[:5]}, different {changed[:5]})"
    )
    assert compiled.info().get("language") == "ru"
    assert "nplurals=4" in compiled.info().get("plural-forms", "")


def test_the_po_file_is_well_formed() -> None:
    """No entry is fuzzy and every placeholder of a msgid is kept in its translation."""
    problems = []
    for entry in read_po(PO):
        if not entry.msgid:
            assert "fuzzy" not in entry.flags, "the header is marked fuzzy: msgfmt would drop it"
            continue
        sources = {entry.msgid, entry.msgid_plural or entry.msgid}
        wanted = {p for s in sources for p in _placeholders(s)}
        for index, text in entry.msgstr.items():
            if text and not _placeholders(text) <= wanted:
                problems.append(f"{entry.msgid!r} [{index}]: {text!r} has a placeholder the English lacks")
            if text and entry.msgid_plural is None and _placeholders(text) != wanted:
                problems.append(f"{entry.msgid!r}: {text!r} drops or adds a placeholder")
    assert not problems, "\n".join(problems)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)[sdif]|\{\w*\}", text))


@pytest.mark.parametrize(
    ("number", "form"),
    [
        (1, "Импортирован 1 член"),
        (3, "Импортированы 3 члена"),
        (11, "Импортированы 11 членов"),
        (21, "Импортирован 21 член"),
    ],
)
def test_plural_forms_follow_russian_grammar(number: int, form: str) -> None:
    from councils.audit.kinds import summary_render

    data = {"members": number, "users_created": number, "last_line": number + 1}
    with translation.override("ru"):
        assert summary_render("members.imported", data) == form
    with translation.override("en"):
        assert summary_render("members.imported", data).endswith(
            "member imported" if number == 1 else "members imported"
        )


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "de_DE.UTF-8"}, None),
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LANGUAGE": "de:ru", "LANG": "en_US.UTF-8"}, "ru"),
        ({}, None),
    ],
)
def test_the_command_line_speaks_the_operators_language(environ: dict[str, str], language: str | None):
    from councils.cli import operator_language

    assert operator_language(environ) == language


def test_a_command_answers_in_russian_under_a_russian_locale(db, capsys, monkeypatch) -> None:
    from councils.cli import main

    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    try:
        main(["tick"])
    finally:
        translation.deactivate()
    assert capsys.readouterr().out.splitlines() == [
        "Истекло 0 петиций.",
        "Открыто выборов: 0.",
        "Открыто голосований: 0.",
        "Закрыто голосований: 0.",
    ]


# --- text a template shows without marking it ----------------------------------------------------

TEMPLATES = ROOT / "src" / "councils"
_BLOCK = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S)
_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|<!--.*?-->", re.S)
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_DJANGO = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_SHOWN_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")


def _unmarked(text: str) -> list[str]:
    """Words a person would read in a template that no translate tag covers."""
    text = _COMMENT.sub(" ", _BLOCK.sub(" ", text))
    text = _CODE.sub(" ", text)
    text = _DJANGO.sub(" ", text)
    found = [value for value in _SHOWN_ATTRIBUTE.findall(text) if _WORD.search(value)]
    text = re.sub(r"&\w+;|&#\d+;", " ", _TAG.sub(" ", text))
    found += [line.strip() for line in text.splitlines() if _WORD.search(line)]
    return found


def test_templates_mark_every_text_they_show() -> None:
    """No words in a template outside {% translate %}/{% blocktranslate %} (a page, a fragment, an
    e-mail, an SVG's title): makemessages cannot find them, so they would never be translated."""
    problems = []
    for path in sorted(TEMPLATES.rglob("templates/**/*")):
        if path.suffix not in {".html", ".txt", ".svg", ".xml"} or not path.is_file():
            continue
        for words in _unmarked(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}: {words!r}")
    assert not problems, "Text shown without a translate tag:\n" + "\n".join(problems)


def test_the_template_check_finds_unmarked_text() -> None:
    page = """{% load i18n %}<h1 title="Hello there">{% translate "Marked" %}</h1>
    <p>Not marked</p>{% blocktranslate %}Marked {{ x }}{% endblocktranslate %}{# a comment #}
    <script>const words = "not shown";</script><span aria-label="{% translate 'Fine' %}">{{ value }}</span>"""
    assert _unmarked(page) == ["Hello there", "Not marked"]
