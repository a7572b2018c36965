"""Importing members from a file, all or nothing: reading the CSV file (the command line and the
page read it the same way), then the import itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.accounts.actors import Actor
from councils.accounts.invitations import invite_on_commit
from councils.accounts.mail import Delivery
from councils.audit.services import event_record
from councils.federation.models import (
    Constituency,
    Member,
    Organization,
)
from councils.federation.services._common import (
    NOT_ORGANIZER,
    moment_of,
    require,
)
from councils.live.publish import publish_on_commit
from councils.live.topics import constituency_topic, organization_topic
from councils.validators import text_problem

User = get_user_model()


@dataclass(frozen=True)
class ImportReport:
    """What an import of members did.

    ``invitations`` is filled in once the import has committed and its invitations were handed
    to the mail server: how many went, how many could not (the log names them). A failure of
    mail never undoes the import; those members can be sent their invitation again.
    """

    members: int
    users_created: int
    invitations: Delivery = field(default_factory=Delivery)


#: The first row of a members' file, skipped when present (in any case, spaces around allowed).
MEMBERS_HEADER = ("name", "email", "constituency")


def members_csv_read(data: bytes, *, name: str, delimiter: str = ",") -> tuple[list[list[str]], int]:
    """The rows of a members' CSV file and the line number of the first of them (2 after a header).

    ``data`` is the whole file: UTF-8, a byte-order mark accepted. Blank lines at the end of a
    hand-edited file are not rows; elsewhere :func:`members_import` reports them by line. A file
    that is not UTF-8, cannot be read as CSV (a field over the csv module's size limit, an unclosed
    quote) or holds no rows raises ``ValidationError`` on the field ``file``, naming the file by
    ``name`` and the byte or line at fault. Nothing is checked here that the import checks.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValidationError(
            {
                "file": _("%(name)s is not UTF-8 text (byte %(position)s); save it as CSV UTF-8.")
                % {"name": name, "position": e.start}
            }
        ) from e
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as e:
        raise ValidationError(
            {
                "file": _("%(name)s is not a readable CSV file: line %(line)s: %(error)s")
                % {"name": name, "line": reader.line_num, "error": e}
            }
        ) from e
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    first_line = 1
    if rows and tuple(cell.strip().lower() for cell in rows[0]) == MEMBERS_HEADER:
        rows, first_line = rows[1:], 2
    if not rows:
        raise ValidationError({"file": _("%(name)s holds no members.") % {"name": name}})
    return rows, first_line


#: How many row errors an import lists before "and N more".
IMPORT_ERRORS_SHOWN = 20


#: Values per ``IN (...)`` lookup, below every backend's limit on query parameters.
_IN_CHUNK = 900


def _user_ids_by_email(emails: list[str]) -> dict[str, int]:
    """Ids of the users with these (lower-case) e-mail addresses, compared case-insensitively."""
    found: dict[str, int] = {}
    if not emails:
        return found
    table = User._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One scan with a hashed array, however many addresses (IN lists would scan per chunk).
            cursor.execute(f"SELECT id, lower(email) FROM {table} WHERE lower(email) = ANY(%s)", [emails])
            rows = cursor.fetchall()
        else:
            rows = []
            for start in range(0, len(emails), _IN_CHUNK):
                chunk = emails[start : start + _IN_CHUNK]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT id, lower(email) FROM {table} WHERE lower(email) IN ({placeholders})", chunk
                )
                rows += cursor.fetchall()
    for pk, email in sorted(rows):
        found.setdefault(email, pk)
    return found


def _existing(model: Any, field_name: str, values: list[str]) -> set[str]:
    """Which of ``values`` the model's ``field_name`` already holds."""
    found: set[str] = set()
    for start in range(0, len(values), _IN_CHUNK):
        found.update(
            model.objects.filter(**{f"{field_name}__in": values[start : start + _IN_CHUNK]}).values_list(
                field_name, flat=True
            )
        )
    return found


def _insert_rows(cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows at the speed the backend allows: executemany on SQLite (in-process, no
    round trips), COPY on PostgreSQL (which answers executemany one row at a time)."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


#: The longest e-mail address an import takes: it becomes the username (``User.username``).
EMAIL_MAX_LENGTH = User._meta.get_field("username").max_length or 150
#: The longest name of a member (``Member.name``).
NAME_MAX_LENGTH = Member._meta.get_field("name").max_length or 200


def _shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for an error message, control characters escaped, cut when long."""
    quoted = repr(value[:limit])
    return quoted + ("..." if len(value) > limit else "")


def _row_problems(line: int, name: str, email: str) -> list[str]:
    """What is wrong with a row's name and e-mail address, each naming the line."""
    problems: list[str] = []
    where = {"line": line}
    if not name:
        problems.append(_("line %(line)d: the name is empty") % where)
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(
            _("line %(line)d: the name is %(n)d characters long; at most %(max)d are allowed")
            % {**where, "n": len(name), "max": NAME_MAX_LENGTH}
        )
    elif (problem := text_problem(name)) is not None:
        problems.append(_("line %(line)d: the name %(problem)s") % {**where, "problem": problem})
    if len(email) > EMAIL_MAX_LENGTH:
        problems.append(
            _("line %(line)d: the email address is %(n)d characters long; at most %(max)d are allowed")
            % {**where, "n": len(email), "max": EMAIL_MAX_LENGTH}
        )
        return problems
    if (problem := text_problem(email)) is not None:
        problems.append(_("line %(line)d: the email address %(problem)s") % {**where, "problem": problem})
        return problems
    try:
        validate_email(email)
    except ValidationError:
        problems.append(_("line %(line)d: invalid email %(email)s") % {**where, "email": _shown(email)})
    return problems


def _fallback_username(email: str, organization_pk: int) -> str:
    """A username for a new user whose e-mail address is already someone's username."""
    suffix = f"#{organization_pk}"
    return email[: EMAIL_MAX_LENGTH - len(suffix)] + suffix


@transaction.atomic
def members_import(
    *,
    actor: Actor,
    organization: Organization,
    rows: Iterable[Sequence[str]],
    progress: Callable[[int], None] | None = None,
    first_line: int = 1,
    invite: bool = True,
    at: datetime | None = None,
) -> ImportReport:
    """Import members from rows of (name, email, constituency slug or name), all or nothing.

    Every row is checked before anything is written; the errors name the line
    (``first_line`` is the line number of the first row, 2 when the file has a header).
    Users are found by e-mail (case-insensitive) or created without a usable password. Unless
    ``invite`` is false, every member imported is sent an invitation once the import commits (a
    link to set their password, or word that they may sign in with the one they have).
    """
    require(actor, "federation.manage_members", organization, NOT_ORGANIZER)
    moment = moment_of(at)
    by_key: dict[str, Constituency] = {}
    for c in Constituency.objects.filter(organization=organization):
        by_key[c.slug] = c
        by_key.setdefault(c.name, c)
    errors: list[str] = []
    parsed: list[tuple[str, str, Constituency]] = []
    seen: dict[str, int] = {}
    line = first_line - 1
    for line, row in enumerate(rows, start=first_line):
        if len(row) != 3:
            errors.append(
                _("line %(line)d: expected 3 columns (name, email, constituency), found %(n)d")
                % {"line": line, "n": len(row)}
            )
            continue
        name, email, key = (v.strip() for v in row)
        email = email.lower()
        row_errors = _row_problems(line, name, email)
        errors += row_errors
        constituency = by_key.get(key)
        if constituency is None:
            errors.append(_("line %(line)d: unknown constituency %(c)s") % {"line": line, "c": _shown(key)})
        if row_errors:
            pass  # a malformed address is neither compared nor looked up
        elif email in seen:
            errors.append(
                _("line %(line)d: duplicate email %(email)s, also on line %(other)d")
                % {"line": line, "email": email, "other": seen[email]}
            )
        else:
            seen[email] = line
        if constituency is not None and not row_errors:
            parsed.append((name, email, constituency))
        if progress is not None and (line - first_line) % 1000 == 999:
            progress(line - first_line + 1)
    if not errors and not parsed:
        errors.append(_("the file holds no members"))
    existing_users = _user_ids_by_email(list(seen))
    if existing_users:
        already = set(
            Member.objects.filter(
                organization=organization, left_at__isnull=True, user_id__in=list(existing_users.values())
            ).values_list("user__email", flat=True)
        )
        for email in sorted(already, key=lambda e: seen[e.lower()]):
            errors.append(
                _("line %(line)d: %(email)s is already a member of this organization")
                % {"line": seen[email.lower()], "email": email}
            )
    if errors:
        shown = errors[:IMPORT_ERRORS_SHOWN]
        if len(errors) > IMPORT_ERRORS_SHOWN:
            more = len(errors) - IMPORT_ERRORS_SHOWN
            shown.append(ngettext("and %(n)d more error", "and %(n)d more errors", more) % {"n": more})
        raise ValidationError(shown)
    # One unusable password hash for all new users: each user still has no password to guess.
    unusable = make_password(None)
    new_emails = [email for _n, email, _c in parsed if email not in existing_users]
    taken_usernames = _existing(User, "username", new_emails)
    # Rows go in as plain tuples: building 200,000 model instances for bulk_create costs several
    # times the inserts themselves (36 s against 10 s for 100,000 members on SQLite).
    user_table = User._meta.db_table
    # Raw parameters need the backend's own form of a datetime (SQLite stores naive UTC text).
    stamp = connection.ops.adapt_datetimefield_value(moment)
    with connection.cursor() as cursor:
        _insert_rows(
            cursor,
            user_table,
            (
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ),
            [
                (
                    unusable,
                    False,
                    email if email not in taken_usernames else _fallback_username(email, organization.pk),
                    name[:150],
                    "",
                    email,
                    False,
                    True,
                    stamp,
                )
                for name, email, _c in parsed
                if email not in existing_users
            ],
        )
        user_ids = {**existing_users, **_user_ids_by_email(new_emails)}
        member_rows = [(organization.pk, user_ids[email], c.pk, name, stamp) for name, email, c in parsed]
        for start in range(0, len(member_rows), 5000):
            _insert_rows(
                cursor,
                Member._meta.db_table,
                ("organization_id", "user_id", "constituency_id", "name", "joined_at"),
                member_rows[start : start + 5000],
            )
            if progress is not None:
                progress(min(start + 5000, len(member_rows)))
    event_record(
        organization=organization,
        kind="members.imported",
        actor=actor,
        target=organization,
        data={"members": len(member_rows), "users_created": len(new_emails), "last_line": line},
        at=at,
    )
    publish_on_commit(organization_topic(organization), [constituency_topic(c) for c in by_key.values()])
    invitations = (
        invite_on_commit(organization_name=organization.name, user_ids=[row[1] for row in member_rows])
        if invite
        else Delivery(done=True)
    )
    return ImportReport(members=len(member_rows), users_created=len(new_emails), invitations=invitations)
