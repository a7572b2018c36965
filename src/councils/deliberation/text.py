"""Motion texts: Markdown rendered safely, numbered lines, amendments applied, and the diff.

Markdown is rendered by markdown-it-py (CommonMark, raw HTML off) and the result cleaned by nh3
(the Rust ammonia sanitizer): a motion's author cannot put a script, a style or an event handler
on a page, whatever they type. Lines are the lines of the submitted text, numbered from 1, as
amendments refer to them.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "code", "pre", "hr", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "ins",
}  # fmt: skip


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> SafeString:
    """The HTML of a Markdown text, safe to put on a page."""
    html = _parser().render(text)
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener")
    return mark_safe(cleaned)  # nh3 has just removed everything unsafe


def lines_of(text: str) -> list[str]:
    """The numbered lines of a text (line 1 first), with Windows line ends read as plain ones."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@dataclass(frozen=True)
class Change:
    """A replacement of lines ``first``..``last`` (from 1, inclusive) by ``text``."""

    first: int
    last: int
    text: str


def overlapping(changes: Iterable[Change]) -> tuple[Change, Change] | None:
    """Two changes whose line spans overlap (the first such pair, by first line), or None."""
    ordered = sorted(changes, key=lambda c: (c.first, c.last))
    for before, after in itertools.pairwise(ordered):
        if after.first <= before.last:
            return before, after
    return None


def apply_changes(text: str, changes: Sequence[Change]) -> str:
    """The text with each change applied (spans refer to the original lines and must not overlap)."""
    lines = lines_of(text)
    clash = overlapping(changes)
    if clash is not None:
        raise ValueError(
            f"lines {clash[0].first}-{clash[0].last} and {clash[1].first}-{clash[1].last} overlap"
        )
    for change in sorted(changes, key=lambda c: c.first, reverse=True):
        if change.last > len(lines):
            raise ValueError(f"line {change.last} is beyond the text's {len(lines)} lines")
        replacement = lines_of(change.text) if change.text != "" else []
        lines[change.first - 1 : change.last] = replacement
    return "\n".join(lines)


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: kept (``" "``), removed (``"-"``) or added (``"+"``), with the line's
    number in the old text (or the new one, for an added line)."""

    op: str
    number: int
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """The line-by-line diff of two texts (difflib), every line of both shown once."""
    a, b = lines_of(old), lines_of(new)
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(DiffLine(" ", i + 1, a[i]) for i in range(i1, i2))
            continue
        out.extend(DiffLine("-", i + 1, a[i]) for i in range(i1, i2))
        out.extend(DiffLine("+", j + 1, b[j]) for j in range(j1, j2))
    return out


def diff_html(old: str, new: str) -> SafeString:
    """The diff as an accessible HTML list: removed lines in ``<del>``, added in ``<ins>``, each with
    a visually hidden word ("removed", "added") that a screen reader says."""
    removed, added = escape(_("removed:")), escape(_("added:"))
    items = []
    for line in diff_lines(old, new):
        text = escape(line.text) or "&nbsp;"
        if line.op == "-":
            items.append(
                f'<li class="diff-del"><span class="visually-hidden">{removed} </span><del>{text}</del></li>'
            )
        elif line.op == "+":
            items.append(
                f'<li class="diff-ins"><span class="visually-hidden">{added} </span><ins>{text}</ins></li>'
            )
        else:
            items.append(f"<li>{text}</li>")
    return mark_safe('<ol class="diff">' + "".join(items) + "</ol>")  # every text is escaped above
