"""The long lists of deliberation's pages as HTML built in Python: an agenda of hundreds of items,
a motion's hundred amendments, a congress's thousands of delegates.

The template engine spends about a millisecond on a row of these, and ``format_html`` with lazy
translated labels a tenth of that; here labels, addresses and forms are made once per list and each
row costs a few microseconds. Every text that comes from the database is escaped here (``escape``)
and the result is marked safe once.
"""

from __future__ import annotations

from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from councils.deliberation import selectors
from councils.deliberation.models import AgendaItem, Amendment, Credential, Instruction, RollCallVote, Sitting
from councils.federation.models import Organization


def _url_parts(name: str, *args: object) -> tuple[str, str]:
    """The address of ``name`` split where its last argument (an id) goes: one ``reverse`` for a
    whole list of links."""
    before, _sep, after = reverse(name, args=[*args, 999999999]).rpartition("999999999")
    return escape(before), escape(after)


def agenda_rows(
    request: HttpRequest,
    organization: Organization,
    sitting: Sitting,
    items: list[AgendaItem],
    *,
    chair: bool,
) -> SafeString:
    """The agenda's table rows: number, title (a link to its motion), kind, planned and used time,
    state, and for the chair a button that moves the sitting to the item."""
    kinds = {k: escape(str(v)) for k, v in AgendaItem.Kind.choices}
    states = {k: escape(str(v)) for k, v in AgendaItem.State.choices}
    minutes, discuss = _("%(n)s min"), _("Discuss item %(n)s")
    motion_url = _url_parts("motion", organization.slug)
    may_start = chair and sitting.state == Sitting.State.OPEN
    form = ""
    if may_start:
        action = reverse("sitting_action", args=[organization.slug, sitting.pk, "item-start"])
        form = (
            f'<form method="post" action="{escape(action)}" class="inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            '<input type="hidden" name="item" value="'
        )
    now = timezone.now()
    rows = []
    for item in items:
        current = item.pk == sitting.current_item_id
        title = escape(item.title)
        if item.motion_id is not None:
            title = f'<a href="{motion_url[0]}{item.motion_id}{motion_url[1]}">{title}</a>'
        planned = escape(minutes % {"n": item.planned_seconds // 60}) if item.planned_seconds else ""
        used = escape(minutes % {"n": selectors.used_seconds(item, now) // 60})
        cells = [
            str(item.number),
            title,
            kinds.get(item.kind) or escape(item.kind),
            planned,
            used,
            states.get(item.state) or escape(item.state),
        ]
        if chair:
            button = ""
            if may_start and not current:
                label = escape(discuss % {"n": item.number})
                button = f'{form}{item.pk}"><button type="submit" class="secondary">{label}</button></form>'
            cells.append(button)
        opening = '<tr aria-current="true">' if current else "<tr>"
        rows.append(opening + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return mark_safe("\n".join(rows))  # every text is escaped above


def _lines_html(text: str) -> str:
    """A text with its line ends as ``<br>`` (what ``linebreaksbr`` does), escaped."""
    return "<br>".join(escape(line) for line in text.replace("\r\n", "\n").split("\n"))


def amendment_cards(page: selectors.MotionPage) -> SafeString:
    """A motion's amendments as cards: the lines they change, what they put instead, the reason,
    their state and how they were decided."""
    states = {k: escape(str(v)) for k, v in Amendment.State.choices}
    heading, counted = (
        _("Amendment %(n)s, lines %(first)s–%(last)s"),
        _("%(yes)s for, %(no)s against, %(abstain)s abstaining."),
    )
    removed, added = escape(_("removed:")), escape(_("added:"))
    cards = []
    for row in page.amendments:
        a = row.amendment
        title = escape(heading % {"n": a.number, "first": a.first_line, "last": a.last_line})
        parts = [
            f'<li class="card">\n        <h3>{title}: {states.get(a.state) or escape(a.state)}</h3>',
            f'<p><span class="visually-hidden">{removed} </span><del>'
            + "<br>".join(escape(line) for _n, line in row.replaced)
            + "</del></p>",
        ]
        if a.text:
            parts.append(
                f'<p><span class="visually-hidden">{added} </span><ins>{_lines_html(a.text)}</ins></p>'
            )
        if a.reason:
            parts.append(f'<p class="helptext">{escape(a.reason)}</p>')
        if row.decision is not None:
            d = row.decision
            parts.append(f"<p>{escape(counted % {'yes': d.yes, 'no': d.no, 'abstain': d.abstain})}</p>")
        cards.append("\n        ".join(parts) + "\n      </li>")
    return mark_safe("\n      ".join(cards))  # every text is escaped above


def compliance_rows(report: selectors.Compliance) -> SafeString:
    """The compliance report's rows: delegate, the council that sent them, its instruction, the vote,
    and whether it followed the instruction."""
    binding, advisory, none = _("binding"), _("advisory"), escape(_("none"))
    as_instructed = {
        None: "–",
        True: escape(_("yes")),
        False: f"<strong>{escape(_('no: departed'))}</strong>",
    }
    choices = {k: escape(str(v)) for k, v in RollCallVote.Choice.choices}
    positions = {k: str(v) for k, v in Instruction.Position.choices}
    # Per council: its name and its instruction's cell, escaped once for all its delegates.
    councils: dict[int | None, tuple[str, str]] = {}
    rows = []
    for r in report.rows:
        council = councils.get(r.council_id)
        if council is None:
            instruction = (
                escape(
                    f"{positions[r.instruction.position]} ({binding if r.instruction.binding else advisory})"
                )
                if r.instruction
                else none
            )
            council = councils[r.council_id] = (escape(r.council_name) or "–", instruction)
        rows.append(
            f"<tr><td>{escape(r.delegate)}</td><td>{council[0]}</td><td>{council[1]}</td>"
            f"<td>{choices.get(r.vote) or escape(r.vote)}</td><td>{as_instructed[r.complied]}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # every text is escaped above


def attendance_rows(rows: list[selectors.AttendanceRow], *, chair: bool, congress: bool) -> SafeString:
    """The attendance table's rows: the deputy (with a checkbox for the chair, its label the name),
    the council that sent them (at a congress), faction, presence, and credentials (at a congress)."""
    independent, here, away = escape(_("Independent")), escape(_("present")), escape(_("absent"))
    unchecked = escape(_("not checked"))
    statuses = {k: escape(str(v)) for k, v in Credential.Status.choices}
    out = []
    for r in rows:
        name = escape(r.name)
        if chair:
            name = (
                f'<input type="checkbox" name="seats" value="{r.seat_id}" id="seat-{r.seat_id}">'
                f' <label for="seat-{r.seat_id}">{name}</label>'
            )
        cells = [name]
        if congress:
            cells.append(escape(r.sent_by) or "–")
        cells += [escape(r.faction) if r.faction else independent, here if r.present else away]
        if congress:
            credential = unchecked
            if r.credential:
                credential = statuses.get(r.credential) or escape(r.credential)
                if r.credential_reason:
                    credential += f": {escape(r.credential_reason)}"
            cells.append(credential)
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return mark_safe("\n".join(out))  # every text is escaped above
