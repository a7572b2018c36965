"""The minutes of a sitting for the organization's archive: PDF (fpdf2), CSV and JSON.

The CSV is one row per record (attendance, speech, decision, named vote) with a ``record`` column
saying which, so one file holds the whole sitting and opens in any spreadsheet. Each cell is
written as every other export writes it (:func:`councils.exports.cell`): a name or title that a
spreadsheet would run as a formula is neutralized.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from councils.deliberation.selectors.minutes import Minutes, minutes_data
from councils.exports import cell

# A Unicode font when the system has one (Debian's fonts-dejavu); else the PDF core font, with
# characters it lacks replaced.
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]

CSV_COLUMNS = [
    "record", "item", "title", "name", "faction", "kind", "stance", "choice", "yes", "no", "abstain",
    "adopted", "at", "seconds", "note",
]  # fmt: skip


def minutes_json(m: Minutes) -> str:
    """The minutes as a JSON document."""
    return json.dumps(minutes_data(m), ensure_ascii=False, indent=2)


def minutes_csv(m: Minutes) -> str:
    """The minutes as one CSV table, a record per row."""
    data = minutes_data(m)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for a in data["attendance"]:
        _write(
            writer,
            {
                "record": "attendance",
                "name": a["deputy"],
                "at": a["first_in"],
                "note": _("present at the end")
                if a["present_at_end"]
                else _("left at %(at)s") % {"at": a["last_out"]},
            },
        )
    for item in data["items"]:
        _write(
            writer,
            {
                "record": "item",
                "item": item["number"],
                "title": item["title"],
                "kind": item["kind"],
                "seconds": item["used_seconds"],
                "note": item["outcome"],
            },
        )
        for sp in item["speeches"]:
            _write(
                writer,
                {
                    "record": "speech",
                    "item": item["number"],
                    "name": sp["speaker"],
                    "faction": sp["faction"],
                    "kind": sp["kind"],
                    "stance": sp["stance"],
                    "at": sp["started_at"],
                    "seconds": sp["seconds"],
                },
            )
        for d in item["decisions"]:
            _decision_rows(writer, d, item["number"])
    for d in data["other_decisions"]:
        _decision_rows(writer, d, "")
    return out.getvalue()


def _write(writer: csv.DictWriter[str], row: dict[str, Any]) -> None:
    writer.writerow({column: cell(value) for column, value in row.items()})


def _decision_rows(writer: csv.DictWriter[str], d: dict[str, Any], item: Any) -> None:
    _write(
        writer,
        {
            "record": "decision",
            "item": item,
            "title": d["subject"],
            "kind": d["method"],
            "yes": d["yes"],
            "no": d["no"],
            "abstain": d["abstain"],
            "adopted": d["adopted"],
            "at": d["at"],
            "note": d["note"],
        },
    )
    for v in d["votes"]:
        _write(
            writer,
            {
                "record": "vote",
                "item": item,
                "title": d["subject"],
                "name": v["deputy"],
                "choice": v["choice"],
                "note": _("departed from the instruction") if v["departed_from_instruction"] else "",
            },
        )


class _Pdf(FPDF):
    unicode = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Character widths per font and size: fpdf2 measures a string through its bidirectional
        # and styling machinery, which costs tens of microseconds per call; minutes of a congress
        # measure thousands of names. Without text shaping a string is as wide as its characters.
        self._widths: dict[tuple[str, str, float, str], float] = {}

    def setup_font(self) -> None:
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("Body", "", str(regular))
                self.add_font("Body", "B", str(bold))
                self.unicode = True
                return

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", "B" if bold else "", size)

    def text_(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def width(self, text: str) -> float:
        """The width of ``text`` in the current font, from its characters' widths (cached)."""
        widths, total = self._widths, 0.0
        font = (self.font_family, self.font_style, self.font_size_pt)
        for char in text:
            key = (*font, char)
            w = widths.get(key)
            if w is None:
                w = widths[key] = self.get_string_width(char)
            total += w
        return total

    def para(self, value: str, size: float = 10, bold: bool = False) -> None:
        """A paragraph: one cell when it fits on a line (most do), else fpdf2's line breaking."""
        self.font(size, bold)
        text = self.text_(value)
        if "\n" not in text and self.width(text) <= self.epw - 2 * self.c_margin:
            self.cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def listing(self, values: list[str], size: float = 9) -> None:
        """A long list (thousands of names) packed into lines here, each written as one cell: fpdf2's
        own line breaking measures a line again for every character it adds, which costs seconds
        for a list of 2,000 names."""
        self.font(size)
        room = self.epw - 2 * self.c_margin
        separator = "; "
        gap = self.width(separator)
        line: list[str] = []
        used = 0.0
        for value in values:
            text = self.text_(value)
            width = self.width(text)
            if line and used + gap + width > room:
                self.cell(0, size * 0.5, separator.join(line) + ";", new_x="LMARGIN", new_y="NEXT")
                line, used = [], 0.0
            used += (gap if line else 0.0) + width
            line.append(text)
        if line:
            self.cell(0, size * 0.5, separator.join(line), new_x="LMARGIN", new_y="NEXT")


def _when(value: Any) -> str:
    return formats.date_format(value, "DATETIME_FORMAT") if value else ""


def minutes_pdf(m: Minutes) -> bytes:
    """The minutes as a PDF document."""
    pdf = _Pdf(format="A4")
    pdf.set_title(m.sitting.title)
    pdf.setup_font()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    s = m.sitting
    pdf.para(_("Minutes: %(title)s") % {"title": s.title}, 16, bold=True)
    pdf.para(f"{s.council.name} · {_when(s.starts_at)}" + (f" · {s.place}" if s.place else ""))
    pdf.para(
        _("Opened %(opened)s, closed %(closed)s.")
        % {"opened": _when(s.opened_at) or "-", "closed": _when(s.closed_at) or "-"}
    )
    pdf.para(
        _("%(present)s of %(held)s present at the end; quorum %(needed)s.")
        % {"present": m.quorum.present, "held": m.quorum.held, "needed": m.quorum.needed}
    )
    pdf.ln(3)
    pdf.para(_("Attendance"), 13, bold=True)
    if m.attendance:
        pdf.listing([a.name + ("" if a.present_at_end else " " + _("(left)")) for a in m.attendance])
    else:
        pdf.para(_("No attendance recorded."))
    for row in m.items:
        pdf.ln(3)
        pdf.para(f"{row.item.number}. {row.item.title}", 13, bold=True)
        pdf.para(_("Used time: %(minutes)s min") % {"minutes": row.item.used_seconds // 60})
        if row.speeches:
            pdf.para(_("Speakers"), 11, bold=True)
            for sp in row.speeches:
                extra = ", ".join(x for x in (sp.faction, sp.kind, sp.stance) if x)
                pdf.para(f"- {sp.name} ({extra}), {sp.seconds} s")
        for p in row.polls:
            _pdf_poll(pdf, p)
        for d in row.decisions:
            _pdf_decision(pdf, d)
        if row.item.outcome:
            pdf.para(row.item.outcome)
        if row.adopted_text:
            pdf.para(_("Adopted text"), 11, bold=True)
            pdf.para(row.adopted_text)
    for p in m.other_polls:
        _pdf_poll(pdf, p)
    for d in m.other_decisions:
        _pdf_decision(pdf, d)
    return bytes(pdf.output())


def _pdf_poll(pdf: _Pdf, p: Any) -> None:
    line = _("Poll: %(title)s (%(subject)s), %(state)s") % {
        "title": p.poll.title,
        "subject": p.subject,
        "state": p.state,
    }
    if p.outcome:
        line += f": {p.outcome}"
    if p.electors:
        line += " · " + _("%(voters)s of %(electors)s present voted") % {
            "voters": p.voters,
            "electors": p.electors,
        }
    pdf.para(line, 10, bold=True)
    if p.named:
        pdf.listing([f"{name}: {vote}" for name, vote in p.named])


def _pdf_decision(pdf: _Pdf, d: Any) -> None:
    outcome = _("adopted") if d.decision.adopted else _("rejected")
    pdf.para(
        _("%(subject)s: %(outcome)s, %(yes)s for, %(no)s against, %(abstain)s abstaining (%(method)s)")
        % {
            "subject": d.subject,
            "outcome": outcome,
            "yes": d.decision.yes,
            "no": d.decision.no,
            "abstain": d.decision.abstain,
            "method": d.decision.get_method_display(),
        },
        10,
        bold=True,
    )
    if d.votes:
        pdf.listing([f"{v.name}: {v.choice}" + (" *" if v.departed else "") for v in d.votes])
