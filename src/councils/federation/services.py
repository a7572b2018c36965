"""Every change of state in the federation: one function per change.

Each service takes the acting user (``None`` for the system itself: the demonstration loader,
``councils tick``), checks permission and input, runs in one transaction and writes exactly one
audit event. Bad input raises ``ValidationError`` naming the field; a refused actor raises
``NotAllowed``. Nothing is written when a service raises.

``at`` defaults to now; passing a past moment plays history (the demonstration does).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from councils.audit.services import event_record
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Faction,
    Member,
    Officer,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
    Signature,
)

User = get_user_model()

# Messages raised and asserted by name (as the Django styleguide's example does).
NOT_ORGANIZER = "Only an organizer of this organization may change its structure."
NOT_RETURNING_OFFICER = "Only a returning officer or an organizer may declare an election."
NOT_CONSTITUENT = "Only members of the deputy's constituency may sign a petition to recall them."
RECALL_VOTE_NOT_YET = (
    "The recall mode 'a recall vote opens' needs online voting, which Councils does not have yet; "
    "use 'the seat ends when the threshold is reached'."
)


# --- helpers -------------------------------------------------------------------------------------


def _moment(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"at": _("The moment must carry a time zone.")})
    return at


def _is_system(actor: Any) -> bool:
    return actor is None


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    """Raise NotAllowed unless ``actor`` has ``perm`` on ``obj`` (the system may do anything)."""
    if _is_system(actor):
        return
    if not actor.has_perm(perm, obj):
        raise NotAllowed(_(message))


def _full_clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)


def _current_member(*, user: Any, organization: Organization) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(organization=organization, user=user, left_at__isnull=True).first()


def _part_kwargs(seat_or_part: Seat | Election | SeatAllocation) -> dict[str, Any]:
    if seat_or_part.constituency_id is not None:
        return {"constituency_id": seat_or_part.constituency_id}
    return {"child_council_id": seat_or_part.child_council_id}


def _part_label(obj: Seat | Election | SeatAllocation) -> str:
    return str(obj.constituency if obj.constituency_id is not None else obj.child_council)


def _open_at(at: datetime) -> Q:
    """Rows whose [start, end) interval contains ``at``."""
    return Q(start__lte=at) & (Q(end__isnull=True) | Q(end__gt=at))


# --- organization, officers, factions --------------------------------------------------------------


@transaction.atomic
def organization_create(
    *, actor: Any, name: str, slug: str = "", description: str = "", at: datetime | None = None
) -> Organization:
    """Create an organization; the acting user becomes its first organizer.

    Only a superuser (or the system) may create organizations.
    """
    if not _is_system(actor) and not getattr(actor, "is_superuser", False):
        raise NotAllowed(_("Only an administrator may create an organization."))
    org = Organization(name=name, slug=slug or slugify(name), description=description, created_at=_moment(at))
    _full_clean(org)
    org.save()
    if not _is_system(actor):
        Officer.objects.create(organization=org, user=actor, role=Officer.Role.ORGANIZER)
    event_record(
        organization=org,
        kind="organization.created",
        actor=actor,
        target=org,
        summary=f"Organization {org.name} created",
        at=at,
    )
    return org


@transaction.atomic
def officer_appoint(
    *, actor: Any, organization: Organization, user: Any, role: str, at: datetime | None = None
) -> Officer:
    """Make ``user`` an organizer or a returning officer of the organization."""
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    officer = Officer(organization=organization, user=user, role=role)
    _full_clean(officer)
    officer.save()
    event_record(
        organization=organization,
        kind="officer.appointed",
        actor=actor,
        target=officer,
        summary=f"{user} appointed {officer.get_role_display()}",
        data={"user": user.pk, "role": role},
        at=at,
    )
    return officer


@transaction.atomic
def faction_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    short_name: str = "",
    colour: str = "#888888",
    position: int = 0,
    at: datetime | None = None,
) -> Faction:
    """Create a faction of the organization."""
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    faction = Faction(
        organization=organization,
        name=name,
        short_name=short_name or name[:24],
        colour=colour,
        position=position,
    )
    _full_clean(faction)
    faction.save()
    event_record(
        organization=organization,
        kind="faction.created",
        actor=actor,
        target=faction,
        summary=f"Faction {faction.name} created",
        data={"name": name, "colour": colour},
        at=at,
    )
    return faction


# --- councils and constituencies -----------------------------------------------------------------


@transaction.atomic
def council_create(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    slug: str = "",
    parent: Council | None = None,
    seat_rule: str = Council.SeatRule.RATIO,
    members_per_seat: int | None = None,
    minimum_seats: int = 1,
    total_seats: int | None = None,
    apportionment_method: str = Council.Apportionment.SAINTE_LAGUE,
    term_days: int = 365,
    recall_threshold: Decimal | str | float = Decimal("0.5"),
    recall_mode: str = Council.RecallMode.IMMEDIATE,
    petition_days: int = 30,
    at: datetime | None = None,
) -> Council:
    """Create a council, at the root of the tree or under ``parent``.

    A council whose parent is filled by constituencies cannot take children: a council is either
    a base council (constituencies) or a higher one (child councils).
    """
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    errors: dict[str, list[str]] = defaultdict(list)
    if recall_mode == Council.RecallMode.VOTE:
        errors["recall_mode"].append(_(RECALL_VOTE_NOT_YET))
    if parent is not None:
        if parent.organization_id != organization.pk:
            errors["parent"].append(_("The parent council belongs to another organization."))
        elif parent.constituencies.exists():
            errors["parent"].append(
                _("%(council)s is filled by constituencies, so it cannot have child councils.")
                % {"council": parent.name}
            )
    if seat_rule == Council.SeatRule.RATIO and not members_per_seat:
        errors["members_per_seat"].append(_("The ratio rule needs the number of members per seat."))
    if seat_rule == Council.SeatRule.FIXED and not total_seats:
        errors["total_seats"].append(_("The fixed rule needs the total number of seats."))
    if errors:
        raise ValidationError(dict(errors))
    council = Council(
        organization=organization,
        parent=parent,
        name=name,
        slug=slug or slugify(name)[:80],
        seat_rule=seat_rule,
        members_per_seat=members_per_seat,
        minimum_seats=minimum_seats,
        total_seats=total_seats,
        apportionment_method=apportionment_method,
        term_days=term_days,
        recall_threshold=Decimal(str(recall_threshold)),
        recall_mode=recall_mode,
        petition_days=petition_days,
        created_at=_moment(at),
    )
    _full_clean(council)
    council.save()
    event_record(
        organization=organization,
        kind="council.created",
        actor=actor,
        target=council,
        summary=f"Council {council.name} created",
        data={"parent": parent.pk if parent else None, "seat_rule": seat_rule},
        at=at,
    )
    return council


@transaction.atomic
def constituency_create(
    *,
    actor: Any,
    organization: Organization,
    council: Council,
    name: str,
    slug: str = "",
    section: str = "",
    at: datetime | None = None,
) -> Constituency:
    """Create a constituency electing deputies to ``council`` (a base council)."""
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    if council.organization_id != organization.pk:
        raise ValidationError({"council": _("The council belongs to another organization.")})
    if council.children.exists():
        raise ValidationError(
            {
                "council": _("%(council)s is filled by child councils, not constituencies.")
                % {"council": council.name}
            }
        )
    constituency = Constituency(
        organization=organization,
        council=council,
        name=name,
        slug=slug or slugify(name)[:80],
        section=section,
        created_at=_moment(at),
    )
    _full_clean(constituency)
    constituency.save()
    event_record(
        organization=organization,
        kind="constituency.created",
        actor=actor,
        target=constituency,
        summary=f"Constituency {constituency.name} created",
        data={"council": council.pk, "section": section},
        at=at,
    )
    return constituency


# --- members -------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    actor: Any,
    organization: Organization,
    user: Any,
    constituency: Constituency,
    name: str = "",
    at: datetime | None = None,
) -> Member:
    """Make ``user`` a member of the organization in ``constituency``."""
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    if constituency.organization_id != organization.pk:
        raise ValidationError({"constituency": _("The constituency belongs to another organization.")})
    if Member.objects.filter(organization=organization, user=user, left_at__isnull=True).exists():
        raise ValidationError(
            {"user": _("%(user)s is already a member of this organization.") % {"user": user}}
        )
    member = Member(
        organization=organization,
        user=user,
        constituency=constituency,
        name=name or user.get_full_name() or user.get_username(),
        joined_at=_moment(at),
    )
    _full_clean(member)
    member.save()
    event_record(
        organization=organization,
        kind="member.added",
        actor=actor,
        target=member,
        summary=f"{member.name} joined {constituency.name}",
        data={"constituency": constituency.pk},
        at=at,
    )
    return member


@dataclass(frozen=True)
class ImportReport:
    """What an import of members did."""

    members: int
    users_created: int


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


@transaction.atomic
def members_import(
    *,
    actor: Any,
    organization: Organization,
    rows: Iterable[Sequence[str]],
    progress: Callable[[int], None] | None = None,
    first_line: int = 1,
    at: datetime | None = None,
) -> ImportReport:
    """Import members from rows of (name, email, constituency slug or name), all or nothing.

    Every row is checked before anything is written; the errors name the line
    (``first_line`` is the line number of the first row, 2 when the file has a header).
    Users are found by e-mail (case-insensitive) or created without a usable password.
    """
    _require(actor, "federation.change_structure", organization, NOT_ORGANIZER)
    moment = _moment(at)
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
        if not name:
            errors.append(_("line %(line)d: the name is empty") % {"line": line})
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("line %(line)d: invalid email %(email)r") % {"line": line, "email": email})
        constituency = by_key.get(key)
        if constituency is None:
            errors.append(_("line %(line)d: unknown constituency %(c)r") % {"line": line, "c": key})
        if email in seen:
            errors.append(
                _("line %(line)d: duplicate email %(email)s, also on line %(other)d")
                % {"line": line, "email": email, "other": seen[email]}
            )
        else:
            seen[email] = line
        if constituency is not None and name:
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
            shown.append(_("and %(n)d more") % {"n": len(errors) - IMPORT_ERRORS_SHOWN})
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
                    email if email not in taken_usernames else f"{email}#{organization.pk}",
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
        summary=f"{len(member_rows)} members imported",
        data={"members": len(member_rows), "users_created": len(new_emails), "last_line": line},
        at=at,
    )
    return ImportReport(members=len(member_rows), users_created=len(new_emails))


# --- apportionment -------------------------------------------------------------------------------


def _descendant_sizes(organization: Organization) -> tuple[dict[int, int], dict[int, int]]:
    """Current members per constituency, and per council summed over its whole subtree."""
    per_constituency = dict(
        Member.objects.filter(organization=organization, left_at__isnull=True)
        .values_list("constituency_id")
        .annotate(n=Count("id"))
        .values_list("constituency_id", "n")
    )
    councils = list(Council.objects.filter(organization=organization).values_list("id", "parent_id"))
    per_council: Counter[int] = Counter()
    for cid, council_id in Constituency.objects.filter(organization=organization).values_list(
        "id", "council_id"
    ):
        per_council[council_id] += per_constituency.get(cid, 0)
    parent_of = dict(councils)
    totals: Counter[int] = Counter()
    for council_id, size in per_council.items():
        node: int | None = council_id
        while node is not None:
            totals[node] += size
            node = parent_of.get(node)
    return per_constituency, dict(totals)


def _seat_counts(council: Council, sizes: dict[str, int]) -> dict[str, int]:
    """Apply the council's seat rule to the parts' sizes."""
    if council.seat_rule == Council.SeatRule.RATIO:
        per = council.members_per_seat or 1
        return {key: max(council.minimum_seats, size // per) for key, size in sizes.items()}
    from councils.counting.apportionment import apportion
    from councils.counting.errors import CountingError

    try:
        result = apportion(
            sizes,
            int(council.total_seats or 0),
            council.apportionment_method,
            min_seats=council.minimum_seats,
        )
    except CountingError as exc:
        raise ValidationError({"seat_rule": str(exc)}) from exc
    return dict(result.seats)


@transaction.atomic
def council_apportion(*, actor: Any, council: Council, at: datetime | None = None) -> list[SeatAllocation]:
    """Give each part of the council (constituency or child council) its seats by the seat rule.

    Sizes are the current members (of the constituency, or of the child council's whole
    subtree). A part whose number of seats changes gets a new allocation from ``at``; the old one
    ends then. Seats already held are not ended by a smaller allocation: the part shows more
    deputies than seats until its next election.
    """
    _require(actor, "federation.change_structure", council, NOT_ORGANIZER)
    moment = _moment(at)
    per_constituency, per_council = _descendant_sizes(council.organization)
    constituencies = list(council.constituencies.all())
    children = list(council.children.all())
    parts: dict[str, tuple[str, Any, int]] = {}
    for c in constituencies:
        parts[f"c{c.pk}"] = ("constituency", c, per_constituency.get(c.pk, 0))
    for child in children:
        parts[f"k{child.pk}"] = ("child_council", child, per_council.get(child.pk, 0))
    if not parts:
        raise ValidationError(
            _("%(council)s has no constituencies or child councils to apportion seats among.")
            % {"council": council.name}
        )
    counts = _seat_counts(council, {key: size for key, (_k, _p, size) in parts.items()})
    current = {
        (f"c{a.constituency_id}" if a.constituency_id else f"k{a.child_council_id}"): a
        for a in SeatAllocation.objects.select_for_update().filter(council=council, end__isnull=True)
    }
    allocations: list[SeatAllocation] = []
    changes: dict[str, int] = {}
    for key, (kind, part, size) in parts.items():
        seats = counts[key]
        old = current.get(key)
        if old is not None and old.seats == seats:
            allocations.append(old)
            continue
        if old is not None:
            if old.start >= moment:
                raise ValidationError(
                    {"at": _("An apportionment already took effect at or after this moment.")}
                )
            old.end = moment
            old.save(update_fields=["end"])
        new = SeatAllocation.objects.create(
            council=council, seats=seats, size=size, start=moment, **{kind: part}
        )
        allocations.append(new)
        changes[str(part)] = seats
    event_record(
        organization=council.organization,
        kind="council.apportioned",
        actor=actor,
        target=council,
        summary=f"Seats of {council.name} apportioned",
        data={"seats": {str(p): counts[k] for k, (_kind, p, _s) in parts.items()}, "changed": changes},
        at=at,
    )
    return allocations


# --- elections and seats -------------------------------------------------------------------------


def _part_of(
    council: Council, constituency: Constituency | None, child_council: Council | None
) -> dict[str, Any]:
    if (constituency is None) == (child_council is None):
        raise ValidationError(_("Name either a constituency or a child council."))
    if constituency is not None:
        if constituency.council_id != council.pk:
            raise ValidationError(
                {
                    "constituency": _("%(c)s does not elect deputies to %(council)s.")
                    % {"c": constituency.name, "council": council.name}
                }
            )
        return {"constituency": constituency}
    assert child_council is not None
    if child_council.parent_id != council.pk:
        raise ValidationError(
            {
                "child_council": _("%(c)s is not a child council of %(council)s.")
                % {"c": child_council.name, "council": council.name}
            }
        )
    return {"child_council": child_council}


def _ids(part: dict[str, Any]) -> dict[str, int]:
    """A part given as objects ({"constituency": c}) as ids ({"constituency_id": c.pk})."""
    return {f"{k}_id": v.pk for k, v in part.items()}


def _allocated(council_id: int, part_ids: dict[str, int], at: datetime) -> int | None:
    """The seats allocated to a part (given as ids) at ``at``, or None before any apportionment."""
    row = (
        SeatAllocation.objects.filter(_open_at(at), council_id=council_id, **part_ids)
        .values_list("seats")
        .first()
    )
    return row[0] if row else None


def _open_election(
    *, council: Council, part: dict[str, Any], kind: str, seats: int, at: datetime, cause: Seat | None = None
) -> Election:
    return Election.objects.create(
        organization_id=council.organization_id,
        council=council,
        kind=kind,
        seats=seats,
        cause=cause,
        opened_at=at,
        **part,
    )


@transaction.atomic
def election_open(
    *,
    actor: Any,
    council: Council,
    constituency: Constituency | None = None,
    child_council: Council | None = None,
    kind: str = Election.Kind.REGULAR,
    seats: int | None = None,
    at: datetime | None = None,
) -> Election:
    """Open an election for one part of a council.

    ``seats`` defaults to the part's allocation (regular) or its vacancies (by-election).
    """
    _require(actor, "federation.declare_election", council, NOT_RETURNING_OFFICER)
    moment = _moment(at)
    if kind not in Election.Kind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind of election %(kind)r: choose %(allowed)s.")
                % {"kind": kind, "allowed": ", ".join(Election.Kind.values)}
            }
        )
    part = _part_of(council, constituency, child_council)
    if seats is None:
        allocated = _allocated(council.pk, _ids(part), moment)
        if allocated is None:
            raise ValidationError(
                {"seats": _("The part has no seats allocated yet: apportion the council first.")}
            )
        if kind == Election.Kind.BY_ELECTION:
            held = Seat.objects.filter(council=council, end__isnull=True, **part).count()
            seats = allocated - held
            if seats < 1:
                raise ValidationError({"seats": _("No seat of this part is vacant.")})
        else:
            seats = allocated
    if seats < 1:
        raise ValidationError({"seats": _("An election fills at least one seat.")})
    election = _open_election(council=council, part=part, kind=kind, seats=seats, at=moment)
    event_record(
        organization=council.organization,
        kind="election.opened",
        actor=actor,
        target=election,
        summary=f"{election.get_kind_display()} opened in {_part_label(election)} for {council.name}",
        data={"seats": seats, "kind": kind},
        at=at,
    )
    return election


@dataclass
class _Cascade:
    """Seats ended and by-elections opened by one change, for the change's audit event."""

    ended: list[Seat] = field(default_factory=list)
    by_elections: list[Election] = field(default_factory=list)
    petitions_closed: list[RecallPetition] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {
            "ended_seats": [
                {"seat": s.pk, "council": s.council_id, "reason": s.end_reason} for s in self.ended
            ],
            "by_elections": [e.pk for e in self.by_elections],
            "petitions_closed": [p.pk for p in self.petitions_closed],
        }


def _end_seat(
    seat: Seat,
    *,
    at: datetime,
    reason: str,
    cascade: _Cascade,
    open_by_election: bool = True,
    except_petition: RecallPetition | None = None,
) -> None:
    """End ``seat`` and, in the same transaction, every open seat derived from it, up the tree.

    Each seat ended by reason of recall, resignation or derivation leaves a vacancy, for which a
    by-election opens. Open petitions against an ended seat are closed.
    """
    if seat.end is not None:
        return
    if at <= seat.start:
        raise ValidationError(_("A seat cannot end at or before the moment it started."))
    seat.end = at
    seat.end_reason = reason
    seat.save(update_fields=["end", "end_reason"])
    cascade.ended.append(seat)
    petitions = RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.OPEN)
    if except_petition is not None:
        petitions = petitions.exclude(pk=except_petition.pk)
    for petition in petitions:
        petition.status = RecallPetition.Status.CLOSED
        petition.closed_at = at
        petition.save(update_fields=["status", "closed_at"])
        cascade.petitions_closed.append(petition)
    if open_by_election:
        cascade.by_elections.append(
            _open_election(
                council=seat.council,
                part=_part_kwargs(seat),
                kind=Election.Kind.BY_ELECTION,
                seats=1,
                at=at,
                cause=seat,
            )
        )
    for derived in Seat.objects.select_related("council").filter(derives_from=seat, end__isnull=True):
        _end_seat(derived, at=at, reason=Seat.EndReason.DERIVED, cascade=cascade)


def _supersede(seat: Seat, *, at: datetime, **changes: Any) -> list[Seat]:
    """End ``seat`` as superseded and continue it from ``at`` with ``changes`` (same council, part,
    slot and holder). Seats derived from it continue too, now deriving from the new seat, and open
    petitions against it carry over. Returns the new seats, the continuation of ``seat`` first."""
    if at <= seat.start:
        raise ValidationError({"at": _("A change to a seat must come after the seat started.")})
    above = list(Seat.objects.select_for_update().filter(derives_from=seat, end__isnull=True))
    seat.end, seat.end_reason = at, Seat.EndReason.SUPERSEDED
    seat.save(update_fields=["end", "end_reason"])
    values = {
        "organization_id": seat.organization_id,
        "council_id": seat.council_id,
        "constituency_id": seat.constituency_id,
        "child_council_id": seat.child_council_id,
        "slot": seat.slot,
        "holder_id": seat.holder_id,
        "faction_id": seat.faction_id,
        "section": seat.section,
        "derives_from_id": seat.derives_from_id,
        "election_id": seat.election_id,
        "term_ends": seat.term_ends,
        "start": at,
    }
    values.update(changes)
    new = Seat.objects.create(**values)
    RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.OPEN).update(seat=new)
    out = [new]
    inherited = {k: v for k, v in changes.items() if k != "derives_from_id"}
    for upper in above:
        out += _supersede(upper, at=at, derives_from_id=new.pk, **inherited)
    return out


@transaction.atomic
def election_declare(
    *,
    actor: Any,
    election: Election,
    elected: Sequence[tuple[Member, Faction | None]],
    at: datetime | None = None,
) -> list[Seat]:
    """Record who was elected; their seats start at ``at``.

    For a constituency, the elected must be its members. For a child council, each elected must
    hold an open seat there: the new delegate seat derives from it (and the faction defaults to
    theirs below). A regular election ends the part's previous seats ("term"); a re-elected
    deputy's delegate seats above continue from the new seat, the others' end.
    """
    _require(actor, "federation.declare_election", election, NOT_RETURNING_OFFICER)
    moment = _moment(at)
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("council", "constituency")
        .get(pk=election.pk)
    )
    if election.status != Election.Status.OPEN:
        raise ValidationError(
            {
                "election": _("This election is %(status)s, not open.")
                % {"status": election.get_status_display()}
            }
        )
    if moment < election.opened_at:
        raise ValidationError({"at": _("An election cannot be declared before it opened.")})
    if not elected:
        raise ValidationError({"elected": _("Name at least one elected deputy.")})
    if len(elected) > election.seats:
        raise ValidationError(
            {
                "elected": _("This election fills %(n)d seats; %(m)d were named.")
                % {"n": election.seats, "m": len(elected)}
            }
        )
    members = [m for m, _f in elected]
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"elected": _("A deputy is named twice.")})
    council = election.council
    part = _part_kwargs(election)
    below: dict[int, Seat] = {}
    for member, faction in elected:
        if member.organization_id != council.organization_id or member.left_at is not None:
            raise ValidationError(
                {"elected": _("%(m)s is not a member of this organization.") % {"m": member}}
            )
        if faction is not None and faction.organization_id != council.organization_id:
            raise ValidationError(
                {"elected": _("%(f)s is a faction of another organization.") % {"f": faction}}
            )
        if election.constituency_id is not None and member.constituency_id != election.constituency_id:
            raise ValidationError(
                {"elected": _("%(m)s is not a member of %(c)s.") % {"m": member, "c": election.constituency}}
            )
        if election.child_council_id is not None:
            seat_below = Seat.objects.filter(
                council_id=election.child_council_id, holder=member, end__isnull=True
            ).first()
            if seat_below is None:
                raise ValidationError(
                    {
                        "elected": _("%(m)s holds no seat in %(c)s, so cannot be its delegate.")
                        % {"m": member, "c": election.child_council}
                    }
                )
            below[member.pk] = seat_below
    cascade = _Cascade()
    reelected: dict[int, Seat] = {}
    if election.kind == Election.Kind.REGULAR:
        elected_ids = {m.pk for m in members}
        for old in Seat.objects.select_for_update().filter(council=council, end__isnull=True, **part):
            if old.holder_id in elected_ids:
                reelected[old.holder_id] = old
                old.end, old.end_reason = moment, Seat.EndReason.TERM
                old.save(update_fields=["end", "end_reason"])
                cascade.ended.append(old)
            else:
                _end_seat(old, at=moment, reason=Seat.EndReason.TERM, cascade=cascade, open_by_election=False)
    open_here = list(
        Seat.objects.filter(council=council, end__isnull=True, **part).values_list(
            "slot", "holder_id", "derives_from_id"
        )
    )
    sitting = {holder for _slot, holder, _below in open_here}
    sent = {seat_below for _slot, _holder, seat_below in open_here if seat_below is not None}
    for member in members:
        if member.pk in sitting or (member.pk in below and below[member.pk].pk in sent):
            raise ValidationError(
                {
                    "elected": _("%(m)s already holds a seat for %(part)s in %(council)s.")
                    % {"m": member.name, "part": _part_label(election), "council": council.name}
                }
            )
    taken = {slot for slot, _holder, _below in open_here}
    allocated = _allocated(council.pk, part, moment)
    capacity = max(allocated or 0, election.seats if allocated is None else 0)
    free = [s for s in range(1, capacity + 1) if s not in taken]
    if len(free) < len(elected):
        raise ValidationError({"elected": _("Only %(n)d seats of this part are vacant.") % {"n": len(free)}})
    term_ends = moment + timedelta(days=council.term_days)
    seats: list[Seat] = []
    for (member, faction), slot in zip(elected, free, strict=False):
        seat_below = below.get(member.pk)
        if seat_below is not None and faction is None:
            faction = seat_below.faction
        section = (
            seat_below.section
            if seat_below is not None
            else (election.constituency.section if election.constituency else "")
        )
        seat = Seat.objects.create(
            organization_id=council.organization_id,
            council=council,
            slot=slot,
            holder=member,
            faction=faction,
            section=section,
            derives_from=seat_below,
            election=election,
            start=moment,
            term_ends=term_ends,
            **part,
        )
        seats.append(seat)
        old = reelected.get(member.pk)
        if old is not None:
            # A re-elected deputy's delegate seats above carry on, now deriving from the new seat.
            for upper in Seat.objects.select_for_update().filter(derives_from=old, end__isnull=True):
                _supersede(upper, at=moment, derives_from_id=seat.pk)
            # Petitions against the deputy carry over to the new mandate.
            RecallPetition.objects.filter(seat=old, status=RecallPetition.Status.OPEN).update(seat=seat)
    election.status = Election.Status.DECLARED
    election.declared_at = moment
    election.save(update_fields=["status", "declared_at"])
    event_record(
        organization=council.organization,
        kind="election.declared",
        actor=actor,
        target=election,
        summary=f"{election.get_kind_display()} in {_part_label(election)} for {council.name}: "
        + ", ".join(m.name for m in members),
        data={
            "elected": [
                {"member": s.holder_id, "faction": s.faction_id, "seat": s.pk, "slot": s.slot} for s in seats
            ],
            **cascade.as_data(),
        },
        at=at,
    )
    return seats


@transaction.atomic
def seat_resign(*, actor: Any, seat: Seat, at: datetime | None = None) -> Seat:
    """End a deputy's mandate at their own request (or an organizer's); derived seats end too."""
    moment = _moment(at)
    seat = Seat.objects.select_for_update(of=("self",)).select_related("council", "holder").get(pk=seat.pk)
    if not _is_system(actor) and seat.holder.user_id != actor.pk:
        _require(actor, "federation.change_structure", seat, NOT_ORGANIZER)
    if seat.end is not None:
        raise ValidationError({"seat": _("This seat already ended.")})
    cascade = _Cascade()
    _end_seat(seat, at=moment, reason=Seat.EndReason.RESIGNATION, cascade=cascade)
    event_record(
        organization=seat.council.organization,
        kind="seat.resigned",
        actor=actor,
        target=seat,
        summary=f"{seat.holder.name} resigned from {seat.council.name}",
        data=cascade.as_data(),
        at=at,
    )
    return seat


@transaction.atomic
def deputy_change_faction(
    *, actor: Any, member: Member, faction: Faction | None, at: datetime | None = None
) -> list[Seat]:
    """Move a deputy to another faction (or none) from ``at``, in every council where they sit.

    Each open seat ends as "superseded" and a seat with the new faction continues it; delegate
    seats above continue from the new seats below; open petitions carry over.
    """
    moment = _moment(at)
    if not _is_system(actor) and member.user_id != actor.pk:
        _require(actor, "federation.change_structure", member, NOT_ORGANIZER)
    if faction is not None and faction.organization_id != member.organization_id:
        raise ValidationError({"faction": _("The faction belongs to another organization.")})
    open_seats = list(Seat.objects.select_for_update().filter(holder=member, end__isnull=True))
    if not open_seats:
        raise ValidationError({"member": _("%(m)s holds no seat.") % {"m": member.name}})
    if all(s.faction_id == (faction.pk if faction else None) for s in open_seats):
        raise ValidationError({"faction": _("%(m)s already sits with this faction.") % {"m": member.name}})
    held = {s.pk for s in open_seats}
    successors: list[Seat] = []
    # Superseding a seat carries the seats derived from it along, so start from the lowest ones.
    for seat in open_seats:
        if seat.derives_from_id not in held:
            successors += _supersede(seat, at=moment, faction_id=faction.pk if faction else None)
    event_record(
        organization=member.organization,
        kind="deputy.faction_changed",
        actor=actor,
        target=member,
        summary=f"{member.name} now sits with {faction.name if faction else 'no faction'}",
        data={"faction": faction.pk if faction else None, "seats": [s.pk for s in successors]},
        at=at,
    )
    return successors


# --- recall --------------------------------------------------------------------------------------


def _signatures_standing(petition: RecallPetition) -> int:
    return Signature.objects.filter(petition=petition, withdrawn_at__isnull=True).count()


def _recall_if_complete(
    petition: RecallPetition, *, at: datetime, cascade: _Cascade, standing: int | None = None
) -> bool:
    if (_signatures_standing(petition) if standing is None else standing) < petition.required:
        return False
    petition.status = RecallPetition.Status.SUCCEEDED
    petition.closed_at = at
    petition.save(update_fields=["status", "closed_at"])
    seat = Seat.objects.select_related("council").get(pk=petition.seat_id)
    _end_seat(seat, at=at, reason=Seat.EndReason.RECALL, cascade=cascade, except_petition=petition)
    return True


def _constituent(actor: Any, constituency: Constituency) -> Member:
    member = _current_member(user=actor, organization=constituency.organization)
    if member is None or member.constituency_id != constituency.pk:
        raise NotAllowed(_(NOT_CONSTITUENT))
    return member


@transaction.atomic
def petition_open(*, actor: Any, seat: Seat, reason: str = "", at: datetime | None = None) -> RecallPetition:
    """Open a petition to recall the deputy holding ``seat``; the opener signs it first.

    The signatures required are fixed now: the council's threshold times the constituency's
    current members, rounded up.
    """
    moment = _moment(at)
    seat = (
        Seat.objects.select_for_update(of=("self",))
        .select_related("council", "constituency", "holder")
        .get(pk=seat.pk)
    )
    if seat.constituency_id is None:
        raise ValidationError(
            {"seat": _("A delegate is recalled through their seat in the council that sent them.")}
        )
    opener = _constituent(actor, seat.constituency)
    if seat.end is not None or seat.start > moment:
        raise ValidationError({"seat": _("This seat is not held now.")})
    if seat.council.recall_mode != Council.RecallMode.IMMEDIATE:
        raise ValidationError({"seat": _(RECALL_VOTE_NOT_YET)})
    if RecallPetition.objects.filter(
        seat=seat, status=RecallPetition.Status.OPEN, expires_at__gt=moment
    ).exists():
        raise ValidationError(
            {
                "seat": _("A petition to recall %(d)s is already open: sign that one.")
                % {"d": seat.holder.name}
            }
        )
    # A petition past its expiry that tick has not yet written down is written down now.
    RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.OPEN).update(
        status=RecallPetition.Status.EXPIRED, closed_at=moment
    )
    constituents = Member.objects.filter(constituency_id=seat.constituency_id, left_at__isnull=True).count()
    required = max(1, math.ceil(Decimal(constituents) * seat.council.recall_threshold))
    petition = RecallPetition.objects.create(
        organization_id=seat.organization_id,
        seat=seat,
        constituency_id=seat.constituency_id,
        opened_by=opener,
        reason=reason,
        required=required,
        opened_at=moment,
        expires_at=moment + timedelta(days=seat.council.petition_days),
    )
    Signature.objects.create(petition=petition, member=opener, signed_at=moment)
    cascade = _Cascade()
    recalled = _recall_if_complete(petition, at=moment, cascade=cascade)
    event_record(
        organization=seat.council.organization,
        kind="petition.opened",
        actor=actor,
        target=petition,
        summary=f"Petition to recall {seat.holder.name} from {seat.council.name} opened",
        data={"seat": seat.pk, "required": required, "recalled": recalled, **cascade.as_data()},
        at=at,
    )
    return petition


def _locked_open_petition(petition: RecallPetition, moment: datetime) -> RecallPetition:
    # Locking the petition serializes its signers: the one whose signature reaches the threshold
    # is the only one to end the seat (select_for_update is a no-op on SQLite, whose IMMEDIATE
    # transactions already serialize writers).
    petition = (
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related("seat__holder", "seat__council__organization", "constituency__organization")
        .get(pk=petition.pk)
    )
    if petition.status != RecallPetition.Status.OPEN:
        raise ValidationError(
            {"petition": _("This petition is %(s)s.") % {"s": petition.get_status_display()}}
        )
    if petition.expires_at <= moment:
        raise ValidationError(
            {
                "petition": _("This petition expired on %(d)s.")
                % {"d": timezone.localtime(petition.expires_at).date().isoformat()}
            }
        )
    return petition


@dataclass(frozen=True)
class SignOutcome:
    """A signature and what it caused."""

    signature: Signature
    signatures: int
    required: int
    recalled: bool


@transaction.atomic
def petition_sign(*, actor: Any, petition: RecallPetition, at: datetime | None = None) -> SignOutcome:
    """Sign a recall petition, once; at the threshold the seat ends and by-elections open."""
    moment = _moment(at)
    petition = _locked_open_petition(petition, moment)
    member = _constituent(actor, petition.constituency)
    # The unique constraint on a standing signature (petition, member) refuses a second one: no
    # query first, and no savepoint, since nothing more runs in this transaction after a refusal
    # (the ValidationError rolls it back). Each statement less is a round trip less per signature.
    try:
        signature = Signature.objects.create(petition=petition, member=member, signed_at=moment)
    except IntegrityError as exc:
        raise ValidationError({"petition": _("You have already signed this petition.")}) from exc
    count = _signatures_standing(petition)
    cascade = _Cascade()
    recalled = _recall_if_complete(petition, at=moment, cascade=cascade, standing=count)
    if recalled:
        count = _signatures_standing(petition)
    event_record(
        organization=petition.constituency.organization,
        kind="petition.signed",
        actor=actor,
        target=petition,
        summary=f"Petition to recall {petition.seat.holder.name} signed ({count} of {petition.required})"
        + (": the seat ends" if recalled else ""),
        data={
            "signature": signature.pk,
            "signatures": count,
            "required": petition.required,
            "recalled": recalled,
            **cascade.as_data(),
        },
        at=at,
    )
    return SignOutcome(signature=signature, signatures=count, required=petition.required, recalled=recalled)


@transaction.atomic
def petition_withdraw(*, actor: Any, petition: RecallPetition, at: datetime | None = None) -> Signature:
    """Withdraw one's signature from a petition that is still open."""
    moment = _moment(at)
    petition = _locked_open_petition(petition, moment)
    member = _constituent(actor, petition.constituency)
    signature = Signature.objects.filter(petition=petition, member=member, withdrawn_at__isnull=True).first()
    if signature is None:
        raise ValidationError({"petition": _("You have not signed this petition.")})
    signature.withdrawn_at = moment
    signature.save(update_fields=["withdrawn_at"])
    event_record(
        organization=petition.constituency.organization,
        kind="petition.withdrawn",
        actor=actor,
        target=petition,
        summary=f"A signature on the petition to recall {petition.seat.holder.name} withdrawn",
        data={"signature": signature.pk, "signatures": _signatures_standing(petition)},
        at=at,
    )
    return signature


# --- time ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TickReport:
    """What ``tick`` wrote."""

    petitions_expired: int
    elections_opened: int


def tick(*, at: datetime | None = None) -> TickReport:
    """Write down what time has changed: petitions past their expiry, terms that ended.

    Safe to run every minute from several machines at once: each change is its own transaction
    that re-checks its row under a lock, so a second runner finds nothing left to do.
    """
    moment = _moment(at)
    expired = 0
    for pk in RecallPetition.objects.filter(
        status=RecallPetition.Status.OPEN, expires_at__lte=moment
    ).values_list("pk", flat=True):
        expired += _petition_expire(pk, moment)
    opened = 0
    due = (
        Seat.objects.filter(end__isnull=True, term_ends__lte=moment)
        .values_list("council_id", "constituency_id", "child_council_id")
        .distinct()
    )
    for council_id, constituency_id, child_council_id in due:
        opened += _election_due(council_id, constituency_id, child_council_id, moment)
    return TickReport(petitions_expired=expired, elections_opened=opened)


@transaction.atomic
def _petition_expire(pk: int, moment: datetime) -> int:
    petition = (
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related("seat__holder", "organization")
        .filter(pk=pk, status=RecallPetition.Status.OPEN, expires_at__lte=moment)
        .first()
    )
    if petition is None:
        return 0
    petition.status = RecallPetition.Status.EXPIRED
    petition.closed_at = petition.expires_at
    petition.save(update_fields=["status", "closed_at"])
    event_record(
        organization=petition.organization,
        kind="petition.expired",
        actor=None,
        target=petition,
        summary=f"Petition to recall {petition.seat.holder.name} expired",
        data={"signatures": _signatures_standing(petition), "required": petition.required},
        at=moment,
    )
    return 1


@transaction.atomic
def _election_due(
    council_id: int, constituency_id: int | None, child_council_id: int | None, moment: datetime
) -> int:
    council = (
        Council.objects.select_for_update(of=("self",)).select_related("organization").get(pk=council_id)
    )
    part = {"constituency_id": constituency_id} if constituency_id else {"child_council_id": child_council_id}
    if Election.objects.filter(
        council=council, status=Election.Status.OPEN, kind=Election.Kind.REGULAR, **part
    ).exists():
        return 0
    allocated = (
        SeatAllocation.objects.filter(_open_at(moment), council=council, **part).values_list("seats").first()
    )
    seats = (
        allocated[0] if allocated else Seat.objects.filter(council=council, end__isnull=True, **part).count()
    )
    election = Election.objects.create(
        organization_id=council.organization_id,
        council=council,
        kind=Election.Kind.REGULAR,
        seats=max(1, seats),
        opened_at=moment,
        **part,
    )
    event_record(
        organization=council.organization,
        kind="election.opened",
        actor=None,
        target=election,
        summary=f"Term ended: regular election opened in {_part_label(election)} for {council.name}",
        data={"seats": election.seats, "kind": election.kind, "reason": "term ended"},
        at=moment,
    )
    return 1
