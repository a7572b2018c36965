"""Every change of state of a poll: one function per change (the federation's service contract).

Each service takes keyword arguments only, the first ``actor``; checks permission first (the rule
``voting.manage_poll``, or the poll's electorate for a vote); checks its input and raises
``ValidationError`` naming the field; runs in one transaction; and writes one audit event, except
:func:`ballot_cast`: a vote's record is its participation row (unique per voter, never changed),
sealed into the audit chain by the digest ``poll.closed`` carries (see :mod:`councils.voting.events`
for why a per-cast event would cost a congress its speed).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from councils.accounts.actors import SYSTEM, Actor, is_person
from councils.audit.services import event_record
from councils.counting.errors import CountingError, MethodError
from councils.counting.majority import decide, tally
from councils.counting.methods import METHODS, SINGLE_SEAT
from councils.counting.profile import Profile
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Member,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
    open_at,
)
from councils.federation.services._common import moment_of, require
from councils.live.publish import publish_on_commit
from councils.voting import hooks, purposes
from councils.voting.errors import AlreadyVoted
from councils.voting.live import poll_topic, turnout_changed
from councils.voting.models import (
    ANSWERS,
    SECRET_ALLOWED_METHODS,
    Candidate,
    Elector,
    Participation,
    Poll,
    Proxy,
)

# Messages raised and asserted by name.
NOT_OFFICER = "Only an organizer or a returning officer may run polls."
RANKED_SECRET_LATER = (
    "Ranked secret polls (instant-runoff, STV, Schulze) need a verifiable mixnet, which comes in a "
    "later version: make this poll open (named), or count it by plurality or approval."
)
NOT_ELECTOR = "You are not in the electorate of this poll."
NOT_OPEN = "This poll is %(state)s: votes are taken only while it is open."
ALREADY_VOTED = (
    "%(name)s has already voted in this poll: the first vote stands and a second is refused "
    "(a retry must send the same Idempotency-Key as the first attempt)."
)
KEY_REUSED = "This Idempotency-Key was already used for another voter's ballot in this poll."
SECRET_CAST_ELSEWHERE = (
    "A secret poll takes ballots encrypted in the voter's browser, not plain choices: vote on the "
    "poll's page."
)
NO_PROXY = "%(name)s has not handed you their vote in this poll."

MAX_CANDIDATES = 500


# --- creating ---------------------------------------------------------------------------------


def _check_rules(
    *,
    kind: str,
    majority: str,
    majority_base: str,
    abstentions: str,
    quorum: str,
    quorum_value: Decimal | None,
) -> None:
    errors: dict[str, str] = {}
    if majority not in Poll.Majority.values:
        errors["majority"] = _("Choose a majority rule: %(c)s.") % {"c": ", ".join(Poll.Majority.values)}
    if majority_base not in Poll.Base.values:
        errors["majority_base"] = _("Choose cast, members or nothing.")
    if abstentions not in Poll.Abstentions.values:
        errors["abstentions"] = _("Choose exclude or count.")
    if quorum not in Poll.Quorum.values:
        errors["quorum"] = _("Choose a quorum: %(c)s.") % {"c": ", ".join(Poll.Quorum.values)}
    elif quorum in (Poll.Quorum.NUMBER, Poll.Quorum.SHARE):
        if quorum_value is None:
            errors["quorum_value"] = _("Give the quorum's figure.")
        elif quorum == Poll.Quorum.NUMBER and (quorum_value < 1 or quorum_value != int(quorum_value)):
            errors["quorum_value"] = _("A quorum of votes is a whole number of at least 1.")
        elif quorum == Poll.Quorum.SHARE and not (0 < quorum_value <= 1):
            errors["quorum_value"] = _("A quorum as a share is above 0 and at most 1 (e.g. 0.5).")
    if errors:
        raise ValidationError(errors)
    if kind == Poll.Kind.MOTION:
        # The counting library knows which rules take which base: ask it with a dry run.
        try:
            decide(yes=1, no=0, members=1, rule=majority, base=majority_base or None, abstentions=abstentions)  # type: ignore[arg-type]
        except (MethodError, CountingError) as exc:
            raise ValidationError({"majority_base": str(exc)}) from exc


@transaction.atomic
def poll_create(
    *,
    actor: Actor,
    organization: Organization,
    title: str,
    kind: str,
    electorate_council: Council | None = None,
    electorate_constituency: Constituency | None = None,
    method: str = "",
    seats: int = 1,
    candidates: Sequence[str] = (),
    secrecy: str = Poll.Secrecy.OPEN,
    majority: str = Poll.Majority.SIMPLE,
    majority_base: str = "",
    abstentions: str = Poll.Abstentions.EXCLUDE,
    quorum: str = Poll.Quorum.NONE,
    quorum_value: Decimal | int | None = None,
    weighting: str = Poll.Weighting.EQUAL,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    description: str = "",
    running_result: bool = False,
    purpose: str = Poll.Purpose.GENERAL,
    recall_petition: RecallPetition | None = None,
    election: Election | None = None,
    at: datetime | None = None,
) -> Poll:
    """Create a poll in draft: its question or candidates, electorate, rules and deadlines.

    Secret polls are allowed for motions, plurality and approval; a ranked secret poll is refused
    (``RANKED_SECRET_LATER``). The electorate is named here and fixed when the poll opens.
    """
    require(actor, "voting.manage_poll", organization, NOT_OFFICER)
    moment = moment_of(at)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the poll a title.")})
    if kind not in Poll.Kind.values:
        raise ValidationError({"kind": _("Choose motion or election.")})
    if (electorate_council is None) == (electorate_constituency is None):
        raise ValidationError(
            {
                "electorate": _(
                    "Name the electorate: the deputies of a council, or the members of a constituency."
                )
            }
        )
    electorate = electorate_council or electorate_constituency
    assert electorate is not None
    if electorate.organization_id != organization.pk:
        raise ValidationError({"electorate": _("The electorate must belong to this organization.")})
    names = [str(n).strip() for n in candidates]
    if kind == Poll.Kind.MOTION:
        if method:
            raise ValidationError(
                {"method": _("A motion is decided by its majority rule, not a counting method.")}
            )
        if names:
            raise ValidationError(
                {"candidates": _("A motion's answers are yes, no and abstain: it has no candidates.")}
            )
        seats = 1
    else:
        if method not in Poll.Method.values:
            raise ValidationError(
                {"method": _("Choose a counting method: %(c)s.") % {"c": ", ".join(Poll.Method.values)}}
            )
        if not isinstance(seats, int) or seats < 1:
            raise ValidationError({"seats": _("At least one seat is filled.")})
        if method in SINGLE_SEAT and seats != 1:
            raise ValidationError({"seats": _("%(m)s fills one seat.") % {"m": Poll.Method(method).label}})
        if any(not n for n in names):
            raise ValidationError({"candidates": _("Every candidate needs a name.")})
        if len(set(names)) != len(names):
            raise ValidationError({"candidates": _("Two candidates have the same name.")})
        if len(names) > MAX_CANDIDATES:
            raise ValidationError({"candidates": _("At most %(n)s candidates.") % {"n": MAX_CANDIDATES}})
        if len(names) < seats:
            raise ValidationError(
                {
                    "candidates": _("%(s)s seats need at least as many candidates; %(c)s given.")
                    % {"s": seats, "c": len(names)}
                }
            )
    if secrecy not in Poll.Secrecy.values:
        raise ValidationError({"secrecy": _("Choose open or secret.")})
    if secrecy == Poll.Secrecy.SECRET and kind == Poll.Kind.ELECTION and method not in SECRET_ALLOWED_METHODS:
        raise ValidationError({"secrecy": _(RANKED_SECRET_LATER)})
    if running_result and secrecy == Poll.Secrecy.SECRET:
        raise ValidationError(
            {"running_result": _("A secret poll has no running result: only its sum is decrypted.")}
        )
    if weighting not in Poll.Weighting.values:
        raise ValidationError({"weighting": _("Choose equal or represented.")})
    if weighting == Poll.Weighting.REPRESENTED and electorate_council is None:
        raise ValidationError({"weighting": _("Only deputies carry the members they represent.")})
    if purpose not in Poll.Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    value = None if quorum_value is None else Decimal(quorum_value)
    _check_rules(
        kind=kind,
        majority=majority,
        majority_base=majority_base,
        abstentions=abstentions,
        quorum=quorum,
        quorum_value=value,
    )
    for name, moment_value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if moment_value is not None and timezone.is_naive(moment_value):
            raise ValidationError({name: _("The moment must carry a time zone.")})
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("A poll closes after it opens.")})
    if closes_at is not None and closes_at <= moment:
        raise ValidationError({"closes_at": _("The closing time has already passed.")})
    poll = Poll.objects.create(
        organization=organization,
        title=title,
        description=description,
        kind=kind,
        method=method,
        seats=seats,
        secrecy=secrecy,
        majority=majority,
        majority_base=majority_base,
        abstentions=abstentions,
        quorum=quorum,
        quorum_value=value if quorum in (Poll.Quorum.NUMBER, Poll.Quorum.SHARE) else None,
        weighting=weighting,
        electorate_council=electorate_council,
        electorate_constituency=electorate_constituency,
        opens_at=opens_at,
        closes_at=closes_at,
        running_result=running_result,
        created_by=actor if is_person(actor) else None,
        created_at=moment,
        purpose=purpose,
        recall_petition=recall_petition,
        election=election,
    )
    Candidate.objects.bulk_create(
        [Candidate(poll=poll, name=name, position=i) for i, name in enumerate(names, start=1)]
    )
    event_record(
        organization=organization,
        kind="poll.created",
        actor=actor,
        target=poll,
        data={
            "title": title,
            "kind": kind,
            "method": method,
            "secrecy": secrecy,
            "candidates": names,
            "electorate": str(electorate),
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


# --- opening: the electorate fixed --------------------------------------------------------------


def _electorate_rows(poll: Poll, moment: datetime) -> list[Elector]:
    """The electors of ``poll`` at ``moment``: the deputies holding a seat of the council then (with
    their weights), or the constituency's current members."""
    if poll.electorate_constituency_id is not None:
        members = Member.objects.filter(
            constituency_id=poll.electorate_constituency_id, left_at__isnull=True, joined_at__lte=moment
        ).values_list("pk", flat=True)
        return [Elector(poll=poll, member_id=pk, weight=1) for pk in members]
    council_id = int(poll.electorate_council_id or 0)
    seats: list[tuple[int, int, int | None, int | None]] = list(
        Seat.objects.filter(open_at(moment), council_id=council_id, holder__left_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "holder_id", "constituency_id", "child_council_id")
    )
    allowed = hooks.allowed_seats(poll, moment)
    if allowed is not None:
        seats = [row for row in seats if row[0] in allowed]
    weights: dict[tuple[str, int], int] = {}
    if poll.weighting == Poll.Weighting.REPRESENTED:
        weights = _represented(council_id, seats, moment)
    found: dict[int, Elector] = {}
    for seat_id, holder_id, constituency_id, child_id in seats:
        part = _part_key(constituency_id, child_id)
        weight = weights.get(part, 1)
        if holder_id in found:
            # A deputy holding two seats (two parts) carries both.
            found[holder_id].weight += weight
        else:
            found[holder_id] = Elector(poll=poll, member_id=holder_id, weight=weight, seat_id=seat_id)
    return list(found.values())


def _part_key(constituency_id: int | None, child_id: int | None) -> tuple[str, int]:
    if constituency_id is not None:
        return ("c", constituency_id)
    return ("k", int(child_id or 0))


def _represented(
    council_id: int, seats: list[tuple[int, int, int | None, int | None]], moment: datetime
) -> dict[tuple[str, int], int]:
    """Each part's weight per deputy: the members it has (a constituency's current members, a child
    council's members as its seat allocation counted them) divided among the seats held for it,
    rounded to the nearest whole vote (at least 1)."""
    held: dict[tuple[str, int], int] = {}
    for _seat, _holder, constituency_id, child_id in seats:
        key = _part_key(constituency_id, child_id)
        held[key] = held.get(key, 0) + 1
    sizes: dict[tuple[str, int], int] = {}
    constituency_ids = [k[1] for k in held if k[0] == "c"]
    for row in (
        Member.objects.filter(constituency_id__in=constituency_ids, left_at__isnull=True)
        .values("constituency_id")
        .annotate(n=Count("pk"))
    ):
        sizes[("c", row["constituency_id"])] = row["n"]
    child_ids = [k[1] for k in held if k[0] == "k"]
    for child_id, size in SeatAllocation.objects.filter(
        open_at(moment), council_id=council_id, child_council_id__in=child_ids
    ).values_list("child_council_id", "size"):
        sizes[("k", child_id)] = size
    return {key: max(1, round(Fraction(sizes.get(key, n), n))) for key, n in held.items()}


def electorate_digest(rows: Sequence[tuple[int, int]]) -> str:
    """SHA-256 of the electorate as ``member:weight`` lines in member order: what ``poll.opened``
    records, so that an elector added or reweighed later is caught."""
    lines = "".join(f"{m}:{w}\n" for m, w in sorted(rows))
    return hashlib.sha256(lines.encode()).hexdigest()


def _locked(poll: Poll) -> Poll:
    return Poll.objects.select_for_update(of=("self",)).select_related("organization").get(pk=poll.pk)


@transaction.atomic
def poll_open(*, actor: Actor, poll: Poll, at: datetime | None = None, reason: str = "") -> Poll:
    """Open a draft poll: its electorate is fixed now (one elector row each, with weights)."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = _locked(poll)
    if poll.state != Poll.State.DRAFT:
        raise ValidationError(
            {
                "poll": _("Only a draft poll can be opened; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    if poll.closes_at is not None and poll.closes_at <= moment:
        raise ValidationError(
            {"closes_at": _("The closing time has already passed: change it or cancel the poll.")}
        )
    electors = _electorate_rows(poll, moment)
    if not electors:
        raise ValidationError({"electorate": _("The electorate is empty: nobody could vote.")})
    Elector.objects.bulk_create(electors, batch_size=2000)
    poll.state = Poll.State.OPEN
    poll.opened_at = moment
    poll.save(update_fields=["state", "opened_at"])
    event_record(
        organization=poll.organization,
        kind="poll.opened",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "electors": len(electors),
            "weight": sum(e.weight for e in electors),
            "digest": electorate_digest([(e.member_id, e.weight) for e in electors]),
            "reason": reason,
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


# --- ballots ----------------------------------------------------------------------------------


# Candidates do not change once a poll exists (no service changes them): their ids are cached
# per process so that a cast spends no query on them.
# Keyed by the poll's id and creation time: a poll whose creation rolled back may see its id given
# again (SQLite), never with the same creation time.
_candidate_cache: dict[tuple[int, datetime], tuple[int, ...]] = {}
_candidate_lock = threading.Lock()


def candidate_ids(poll: Poll) -> tuple[int, ...]:
    """The ids of the poll's candidates in ballot order (cached: they never change)."""
    key = (poll.pk, poll.created_at)
    found = _candidate_cache.get(key)
    if found is None:
        found = tuple(
            Candidate.objects.filter(poll_id=poll.pk).order_by("position", "pk").values_list("pk", flat=True)
        )
        with _candidate_lock:
            if len(_candidate_cache) > 10_000:
                _candidate_cache.clear()
            _candidate_cache[key] = found
    return found


def ballot_clean(poll: Poll, ballot: Mapping[str, Any] | None, *, weight: int) -> dict[str, Any]:
    """The ballot as stored, or a ``ValidationError`` naming what is wrong (field ``ballot``).

    A motion: ``{"answer": "yes"}`` or, for a voter of weight above 1, their weight split
    ``{"answers": {"yes": 2, "no": 1}}`` (summing to the weight). An election:
    ``{"ranking": [candidate ids]}``: one for plurality, up to the seats for a block vote, any
    distinct candidates for approval, distinct candidates in order of preference when ranked. An
    empty ranking is a blank ballot: counted as cast, for nobody.
    """
    if not isinstance(ballot, Mapping):
        raise ValidationError({"ballot": _("The ballot must be an object.")})
    if poll.kind == Poll.Kind.MOTION:
        if set(ballot) == {"answer"}:
            answer = ballot["answer"]
            if answer not in ANSWERS:
                raise ValidationError({"ballot": _("The answer must be yes, no or abstain.")})
            return {"answers": {answer: weight}}
        if set(ballot) == {"answers"} and isinstance(ballot["answers"], Mapping):
            answers = ballot["answers"]
            bad = [a for a in answers if a not in ANSWERS]
            if bad:
                raise ValidationError(
                    {"ballot": _("Unknown answer %(a)s: give yes, no or abstain.") % {"a": bad[0]}}
                )
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in answers.values()):
                raise ValidationError(
                    {"ballot": _("Each part of a split vote is a whole number, 0 or more.")}
                )
            if sum(answers.values()) != weight:
                raise ValidationError(
                    {
                        "ballot": _(
                            "A split vote must share out your whole weight, %(w)s; it adds up to %(s)s."
                        )
                        % {"w": weight, "s": sum(answers.values())}
                    }
                )
            return {"answers": {a: int(v) for a, v in answers.items() if v}}
        raise ValidationError({"ballot": _('A motion\'s ballot is {"answer": "yes" | "no" | "abstain"}.')})
    if set(ballot) != {"ranking"} or not isinstance(ballot["ranking"], list | tuple):
        raise ValidationError({"ballot": _('An election\'s ballot is {"ranking": [candidate ids]}.')})
    ranking = ballot["ranking"]
    if any(isinstance(c, bool) or not isinstance(c, int) for c in ranking):
        raise ValidationError({"ballot": _("Candidates are named by their ids (whole numbers).")})
    known = candidate_ids(poll)
    unknown = [c for c in ranking if c not in known]
    if unknown:
        raise ValidationError({"ballot": _("There is no candidate %(c)s in this poll.") % {"c": unknown[0]}})
    if len(set(ranking)) != len(ranking):
        raise ValidationError({"ballot": _("A candidate is marked or ranked more than once.")})
    if len(ranking) > poll.max_marks:
        raise ValidationError(
            {
                "ballot": _("Too many marks: %(n)s given, at most %(m)s allowed.")
                % {"n": len(ranking), "m": poll.max_marks}
            }
        )
    return {"ranking": [int(c) for c in ranking]}


@dataclass(frozen=True)
class CastOutcome:
    """A vote taken: its participation, and whether this call was a retry answered from the first."""

    participation: Participation
    replayed: bool = False


_ELECTOR_SQL = (
    "SELECT p.state, p.closes_at, e.member_id, e.weight, m.name FROM voting_poll p "
    "LEFT JOIN federation_member m ON m.organization_id = p.organization_id AND m.user_id = %s "
    "AND m.left_at IS NULL "
    "LEFT JOIN voting_elector e ON e.poll_id = p.id AND e.member_id = m.id "
    "WHERE p.id = %s"
)


def _poll_and_elector(poll: Poll, user_id: int) -> tuple[str, datetime | None, int | None, int | None, str]:
    """The poll's state and deadline, and the user's elector row (member id, weight, name), in one
    round trip."""
    with connection.cursor() as cursor:
        cursor.execute(_ELECTOR_SQL, [user_id, poll.pk])
        row = cursor.fetchone()
    if row is None:
        raise ValidationError({"poll": _("This poll does not exist.")})
    state, closes_at, member_id, weight, name = row
    if isinstance(closes_at, str):  # SQLite gives text, in UTC
        closes_at = datetime.fromisoformat(closes_at)
    if closes_at is not None and timezone.is_naive(closes_at):
        closes_at = closes_at.replace(tzinfo=UTC)
    return state, closes_at, member_id, weight, name or ""


def _insert_returning(
    *,
    poll: Poll,
    principal_id: int,
    cast_by_id: int | None,
    weight: int,
    key: str,
    moment: datetime,
    ballot: Any,
    source: str,
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None on a conflict (the
    voter or the key already has a participation). One round trip; nothing aborted."""
    field = Participation._meta.get_field("ballot")
    ballot_db = field.get_db_prep_save(ballot, connection)
    cast_at = Participation._meta.get_field("cast_at").get_db_prep_save(moment, connection)
    # The poll must still be open when the row is written, checked by the same statement: on
    # PostgreSQL under the weakest row lock (KEY SHARE), so casts do not wait for each other but
    # poll_close (which locks the row FOR UPDATE) waits for every cast in flight, and a cast after
    # the close finds it closed; no vote commits after the close has sealed the participations. On
    # SQLite every write is serialized anyway.
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    sql = (
        "INSERT INTO voting_participation (poll_id, principal_id, cast_by_id, weight, idempotency_key, "
        "cast_at, source, ballot) SELECT %s, %s, %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM "
        "voting_poll p WHERE p.id = %s AND p.state = 'open' AND (p.closes_at IS NULL OR p.closes_at > %s)"
        f"{lock}) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [poll.pk, principal_id, cast_by_id, weight, key, cast_at, source, ballot_db, poll.pk, cast_at],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _replay_or_conflict(poll: Poll, principal_id: int, key: str, name: str) -> CastOutcome:
    """After a conflict: the first answer for the same key, else the refusal that says why."""
    if key:
        first = Participation.objects.filter(poll_id=poll.pk, idempotency_key=key).first()
        if first is not None:
            if first.principal_id != principal_id:
                raise AlreadyVoted(_(KEY_REUSED))
            return CastOutcome(participation=first, replayed=True)
    raise AlreadyVoted(_(ALREADY_VOTED) % {"name": name})


def ballot_cast(
    *,
    actor: Actor,
    poll: Poll,
    ballot: Mapping[str, Any],
    principal: Member | None = None,
    idempotency_key: str = "",
    at: datetime | None = None,
) -> CastOutcome:
    """Vote in an open (named) poll, for oneself or, as their proxy, for ``principal``.

    Refused, with nothing stored: a poll that is not open (or past its closing time), a voter
    outside the electorate fixed at opening, an invalid ballot (``ballot_clean``). A retry with the
    same ``idempotency_key`` returns the first answer and stores nothing; a voter who has voted,
    under another key or none, gets :class:`AlreadyVoted` (the API's 409).

    Costs two autocommitted statements (the poll with the voter's elector row, then the insert that
    checks the poll is still open) and takes no organization-wide lock: see the module docstring for
    its audit record.
    """
    if actor is None:
        raise TypeError("A service needs an actor: a user, or councils.accounts.actors.SYSTEM.")
    if not is_person(actor) or not actor.is_active:
        raise NotAllowed(_(NOT_ELECTOR))
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        raise ValidationError({"idempotency_key": _("An idempotency key has at most 100 characters.")})
    if poll.secrecy == Poll.Secrecy.SECRET:
        raise ValidationError({"poll": _(SECRET_CAST_ELSEWHERE)})
    moment = moment_of(at)
    # No explicit transaction: two autocommitted statements, each one round trip (no BEGIN, no
    # COMMIT). The first reads; the second inserts only while the poll is open, checked in the same
    # statement under a share lock of the poll's row (see _insert_returning).
    state, closes_at, member_id, weight, name = _poll_and_elector(poll, actor.pk)
    is_open = state == Poll.State.OPEN and (closes_at is None or closes_at > moment)
    if not is_open:
        return _not_open(poll, key, state)
    if member_id is None:
        raise NotAllowed(_(NOT_ELECTOR))
    principal_id, principal_name, cast_weight = member_id, name, weight
    if principal is not None and principal.pk != member_id:
        principal_id, principal_name, cast_weight = _proxy_for(poll, principal, member_id, actor)
    assert principal_id is not None and cast_weight is not None
    clean = ballot_clean(poll, ballot, weight=cast_weight)
    hooks.check_ballot(poll, principal_id, clean, moment)
    new_id = _insert_returning(
        poll=poll,
        principal_id=principal_id,
        cast_by_id=member_id,
        weight=cast_weight,
        key=key,
        moment=moment,
        ballot=clean,
        source=Participation.Source.ONLINE,
    )
    if new_id is None:
        # The voter (or the key) has a participation already, or the poll closed meanwhile.
        state, closes_at, *_rest = _poll_and_elector(poll, actor.pk)
        if state != Poll.State.OPEN or (closes_at is not None and closes_at <= moment):
            return _not_open(poll, key, state)
        return _replay_or_conflict(poll, principal_id, key, principal_name)
    transaction.on_commit(lambda: turnout_changed(poll))
    participation = Participation(
        pk=new_id,
        poll_id=poll.pk,
        principal_id=principal_id,
        cast_by_id=member_id,
        weight=cast_weight,
        idempotency_key=key,
        cast_at=moment,
        source=Participation.Source.ONLINE,
        ballot=clean,
    )
    return CastOutcome(participation=participation)


def _not_open(poll: Poll, key: str, state: str) -> CastOutcome:
    """A retry of a vote taken before the close gets its first answer; anything else is refused."""
    shown = state if state != Poll.State.OPEN else Poll.State.CLOSED  # open, past its deadline
    if key:
        return _replay_for_key(poll, key, shown)
    raise ValidationError({"poll": _(NOT_OPEN) % {"state": _state_label(shown)}})


def _state_label(state: str) -> str:
    return str(Poll.State(state).label) if state in Poll.State.values else state


def _replay_for_key(poll: Poll, key: str, state: str) -> CastOutcome:
    first = Participation.objects.filter(poll_id=poll.pk, idempotency_key=key).first()
    if first is not None:
        return CastOutcome(participation=first, replayed=True)
    raise ValidationError({"poll": _(NOT_OPEN) % {"state": _state_label(state)}})


def _proxy_for(poll: Poll, principal: Member, holder_id: int | None, actor: Actor) -> tuple[int, str, int]:
    """The principal's member id, name and weight, if the acting deputy holds their proxy."""
    if holder_id is None:
        raise NotAllowed(_(NOT_ELECTOR))
    found = (
        Elector.objects.filter(poll_id=poll.pk, member_id=principal.pk)
        .filter(
            member_id__in=Proxy.objects.filter(
                poll_id=poll.pk, giver_id=principal.pk, holder_id=holder_id, withdrawn_at__isnull=True
            ).values("giver_id")
        )
        .values_list("weight", flat=True)
        .first()
    )
    if found is None:
        raise NotAllowed(_(NO_PROXY) % {"name": principal.name})
    return principal.pk, principal.name, int(found)


# --- proxies ----------------------------------------------------------------------------------


def proxy_limit(poll: Poll) -> int:
    """How many proxies one deputy may hold in ``poll``: the council's rule, or one."""
    if poll.electorate_council_id is not None:
        return int(
            Council.objects.filter(pk=poll.electorate_council_id)
            .values_list("proxies_per_holder", flat=True)
            .get()
        )
    return 1


@transaction.atomic
def proxy_give(
    *, actor: Actor, poll: Poll, holder: Member, giver: Member | None = None, at: datetime | None = None
) -> Proxy:
    """Hand one's vote in an open poll to another elector (an officer may record it for ``giver``).

    Refused when the giver has voted, already handed their vote, or the holder already holds as
    many proxies as the council's rule allows.
    """
    moment = moment_of(at)
    poll = _locked(poll)
    if giver is None:
        if not is_person(actor):
            raise NotAllowed(_(NOT_ELECTOR))
        giver = Member.objects.filter(
            organization=poll.organization, user_id=actor.pk, left_at__isnull=True
        ).first()
        if giver is None:
            raise NotAllowed(_(NOT_ELECTOR))
    elif not (is_person(actor) and giver.user_id == actor.pk):
        require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    if not poll.is_open:
        raise ValidationError({"poll": _(NOT_OPEN) % {"state": poll.get_current_state_display()}})
    electors = dict(
        Elector.objects.filter(poll=poll, member_id__in=[giver.pk, holder.pk]).values_list(
            "member_id", "weight"
        )
    )
    if giver.pk not in electors:
        raise NotAllowed(_(NOT_ELECTOR))
    if holder.pk not in electors:
        raise ValidationError({"holder": _("%(n)s is not in this poll's electorate.") % {"n": holder.name}})
    if holder.pk == giver.pk:
        raise ValidationError({"holder": _("You cannot hand your vote to yourself.")})
    if Participation.objects.filter(poll=poll, principal=giver).exists():
        raise ValidationError({"giver": _("%(n)s has already voted.") % {"n": giver.name}})
    limit = proxy_limit(poll)
    held = Proxy.objects.filter(poll=poll, holder=holder, withdrawn_at__isnull=True).count()
    if held >= limit:
        raise ValidationError(
            {
                "holder": _("%(n)s already holds %(h)s proxies, the most this council allows (%(l)s).")
                % {"n": holder.name, "h": held, "l": limit}
            }
        )
    if Proxy.objects.filter(poll=poll, holder=giver, withdrawn_at__isnull=True).exists():
        raise ValidationError(
            {"giver": _("%(n)s holds proxies of others and cannot pass them on.") % {"n": giver.name}}
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(poll=poll, giver=giver, holder=holder, given_at=moment)
    except IntegrityError as exc:
        raise ValidationError(
            {"giver": _("%(n)s has already handed their vote in this poll.") % {"n": giver.name}}
        ) from exc
    event_record(
        organization=poll.organization,
        kind="poll.proxy_given",
        actor=actor,
        target=poll,
        owner=poll,
        data={"title": poll.title, "giver": giver.name, "holder": holder.name, "proxy": proxy.pk},
        at=at,
    )
    return proxy


@transaction.atomic
def proxy_withdraw(*, actor: Actor, proxy: Proxy, at: datetime | None = None) -> Proxy:
    """Take back one's vote from a proxy holder (before they cast it)."""
    moment = moment_of(at)
    proxy = Proxy.objects.select_for_update().select_related("poll__organization", "giver").get(pk=proxy.pk)
    if not (is_person(actor) and proxy.giver.user_id == actor.pk):
        require(actor, "voting.manage_poll", proxy.poll.organization, NOT_OFFICER)
    if proxy.withdrawn_at is not None:
        raise ValidationError({"proxy": _("This proxy was already withdrawn.")})
    if Participation.objects.filter(poll_id=proxy.poll_id, principal_id=proxy.giver_id).exists():
        raise ValidationError({"proxy": _("The vote has already been cast.")})
    proxy.withdrawn_at = moment
    proxy.save(update_fields=["withdrawn_at"])
    event_record(
        organization=proxy.poll.organization,
        kind="poll.proxy_withdrawn",
        actor=actor,
        target=proxy.poll,
        owner=proxy.poll,
        data={"title": proxy.poll.title, "giver": proxy.giver.name, "proxy": proxy.pk},
        at=at,
    )
    return proxy


# --- roll call ----------------------------------------------------------------------------------


@transaction.atomic
def poll_roll_call_enter(
    *,
    actor: Actor,
    poll: Poll,
    votes: Mapping[int, Mapping[str, Any]] | None = None,
    totals: Mapping[str, int] | None = None,
    at: datetime | None = None,
) -> Poll:
    """A chair enters a vote taken by hands or on paper: named votes (member id -> ballot, for
    electors who have not voted online) and/or totals (answer or candidate id -> votes, which
    replace totals entered before). Totals cannot be entered for ranked methods (a ranking is a
    ballot, not a figure) nor for secret polls."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = _locked(poll)
    if not poll.is_open:
        raise ValidationError({"poll": _(NOT_OPEN) % {"state": poll.get_current_state_display()}})
    votes = dict(votes or {})
    if poll.is_secret and votes:
        raise ValidationError({"votes": _("A secret poll has no named votes.")})
    weights = dict(
        Elector.objects.filter(poll=poll, member_id__in=list(votes)).values_list("member_id", "weight")
    )
    names = dict(Member.objects.filter(pk__in=list(votes)).values_list("pk", "name"))
    rows = []
    for member_id, ballot in votes.items():
        if member_id not in weights:
            raise ValidationError(
                {
                    "votes": _("Member %(m)s is not in this poll's electorate.")
                    % {"m": names.get(member_id, member_id)}
                }
            )
        try:
            clean = ballot_clean(poll, ballot, weight=weights[member_id])
        except ValidationError as exc:
            raise ValidationError(
                {
                    "votes": _("%(m)s: %(e)s")
                    % {"m": names.get(member_id, member_id), "e": " ".join(exc.messages)}
                }
            ) from exc
        try:
            hooks.check_ballot(poll, member_id, clean, moment)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "votes": _("%(m)s: %(e)s")
                    % {"m": names.get(member_id, member_id), "e": " ".join(exc.messages)}
                }
            ) from exc
        rows.append(
            Participation(
                poll=poll,
                principal_id=member_id,
                cast_by=None,
                weight=weights[member_id],
                cast_at=moment,
                source=Participation.Source.ROLL_CALL,
                ballot=clean,
            )
        )
    already = list(
        Participation.objects.filter(poll=poll, principal_id__in=list(votes)).values_list(
            "principal_id", flat=True
        )
    )
    if already:
        raise ValidationError(
            {"votes": _("%(m)s has already voted.") % {"m": names.get(already[0], already[0])}}
        )
    Participation.objects.bulk_create(rows)
    clean_totals: dict[str, int] = {}
    if totals is not None:
        if poll.is_ranked:
            raise ValidationError(
                {"totals": _("A ranked count needs each ballot's order: enter named ballots, not totals.")}
            )
        allowed = set(ANSWERS) if poll.kind == Poll.Kind.MOTION else {str(c) for c in candidate_ids(poll)}
        for option, value in totals.items():
            if str(option) not in allowed:
                raise ValidationError({"totals": _("Unknown answer or candidate %(o)s.") % {"o": option}})
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError({"totals": _("Totals are whole numbers, 0 or more.")})
            if value:
                clean_totals[str(option)] = value
        electorate = Elector.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
        voted = Participation.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
        entered = sum(clean_totals.values())
        if poll.kind == Poll.Kind.MOTION and entered + voted > electorate:
            raise ValidationError(
                {
                    "totals": _(
                        "%(e)s votes entered and %(v)s cast online are more than the electorate's %(n)s."
                    )
                    % {"e": entered, "v": voted, "n": electorate}
                }
            )
        poll.entered_totals = clean_totals
        poll.save(update_fields=["entered_totals"])
    event_record(
        organization=poll.organization,
        kind="poll.roll_call_entered",
        actor=actor,
        target=poll,
        data={"title": poll.title, "named": len(rows), "totals": clean_totals},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


# --- closing, counting, publishing --------------------------------------------------------------


def participation_digest(poll: Poll) -> tuple[int, int, str]:
    """Participations of ``poll``: how many, their total weight, and the SHA-256 of their rows in
    id order (what ``poll.closed`` records; compare it to find a row changed since)."""
    digest = hashlib.sha256()
    count = weight = 0
    rows = (
        Participation.objects.filter(poll=poll)
        .order_by("pk")
        .values_list("pk", "principal_id", "cast_by_id", "weight", "idempotency_key", "source", "ballot")
    )
    for pk, principal, cast_by, w, key, source, ballot in rows.iterator(chunk_size=5000):
        count += 1
        weight += w
        line = f"{pk}|{principal}|{cast_by or ''}|{w}|{key}|{source}|{json.dumps(ballot, sort_keys=True)}\n"
        digest.update(line.encode())
    return count, weight, digest.hexdigest()


@transaction.atomic
def poll_close(*, actor: Actor, poll: Poll, at: datetime | None = None, reason: str = "") -> Poll:
    """Close an open poll (at its deadline ``councils tick`` does): no vote is taken after, and
    the participations are sealed into the audit chain by their digest."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    # FOR UPDATE waits for every cast in flight (they KEY SHARE-lock the row): none commits after
    # the seal.
    poll = _locked(poll)
    if poll.state != Poll.State.OPEN:
        raise ValidationError(
            {
                "poll": _("Only an open poll can be closed; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    closed_at = moment
    if poll.closes_at is not None and poll.closes_at < moment:
        closed_at = poll.closes_at  # tick writes down a close that happened at the deadline
    poll.state = Poll.State.CLOSED
    poll.closed_at = closed_at
    poll.save(update_fields=["state", "closed_at"])
    count, weight, digest = participation_digest(poll)
    event_record(
        organization=poll.organization,
        kind="poll.closed",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "participations": count,
            "weight": weight,
            "digest": digest,
            "reason": reason,
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


def poll_seed(poll: Poll) -> int:
    """The seed of any lot the count draws: derived from the poll, so a recount draws the same."""
    opened = poll.opened_at.isoformat() if poll.opened_at else ""
    return int(hashlib.sha256(f"councils-poll:{poll.pk}:{opened}".encode()).hexdigest()[:8], 16)


def _quorum_argument(poll: Poll) -> Any:
    if poll.quorum == Poll.Quorum.MAJORITY:
        return "majority"
    if poll.quorum == Poll.Quorum.NUMBER and poll.quorum_value is not None:
        return int(poll.quorum_value)
    if poll.quorum == Poll.Quorum.SHARE and poll.quorum_value is not None:
        return Fraction(poll.quorum_value)
    return None


def _number(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else str(value)


def count_result(poll: Poll, secret_totals: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The result of a closed poll as JSON: turnout, quorum, every stage of the count, the decision
    or the elected. Reads the participations (or a secret poll's decrypted totals)."""
    electors = Elector.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    voted = Participation.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    entered = {k: int(v) for k, v in (poll.entered_totals or {}).items()}
    members = int(electors["w"] or 0)
    present = (
        int(voted["w"] or 0) + sum(entered.values())
        if poll.kind == Poll.Kind.MOTION
        else int(voted["w"] or 0)
    )
    turnout = {
        "electors": int(electors["n"] or 0),
        "electorate_weight": members,
        "voters": int(voted["n"] or 0),
        "voted_weight": int(voted["w"] or 0),
        "entered": entered,
    }
    quorum = _quorum_argument(poll)
    ballots = list(Participation.objects.filter(poll=poll).order_by("pk").values_list("ballot", "weight"))
    if poll.kind == Poll.Kind.MOTION:
        counts: list[tuple[Any, int]] = []
        if secret_totals is not None:
            counts += [(a, int(secret_totals.get(a, 0))) for a in ANSWERS]
        else:
            for ballot, _w in ballots:
                counts += [(a, int(n)) for a, n in (ballot or {}).get("answers", {}).items()]
        counts += [(a, n) for a, n in entered.items()]
        totals = tally(counts)
        present = max(present, int(totals.yes + totals.no + totals.abstain))
        decision = decide(
            yes=totals.yes,
            no=totals.no,
            abstain=totals.abstain,
            members=max(members, present),
            present=present,
            rule=poll.majority,
            base=poll.majority_base or None,  # type: ignore[arg-type]
            abstentions=poll.abstentions,  # type: ignore[arg-type]
            quorum=quorum,
        )
        votes = {"yes": _number(totals.yes), "no": _number(totals.no), "abstain": _number(totals.abstain)}
        return {
            "kind": "motion",
            "turnout": turnout,
            "decision": decision.to_dict(),
            "adopted": decision.adopted,
            "quorum_met": decision.quorum_met,
            "outcome": "adopted"
            if decision.adopted
            else ("no quorum" if not decision.quorum_met else "rejected"),
            "explanation": decision.explanation,
            "stages": [
                {
                    "number": 1,
                    "action": "Votes",
                    "votes": {k: str(v) for k, v in votes.items()},
                    "transfers": {},
                    "elected": [],
                    "excluded": [],
                }
            ],
            "elected": [],
        }
    candidates = list(
        Candidate.objects.filter(poll=poll).order_by("position", "pk").values_list("pk", "name")
    )
    code = {pk: i for i, (pk, _n) in enumerate(candidates)}
    rankings: list[list[int]] = []
    weights: list[int] = []
    if secret_totals is not None:
        for pk, _n in candidates:
            n = int(secret_totals.get(str(pk), 0))
            if n:
                rankings.append([code[pk]])
                weights.append(n)
    else:
        for ballot, w in ballots:
            rankings.append([code[c] for c in (ballot or {}).get("ranking", [])])
            weights.append(int(w))
    for option, n in entered.items():
        if n and int(option) in code:
            rankings.append([code[int(option)]])
            weights.append(n)
    quorum_met = True
    if quorum is not None:
        quorum_met = decide(
            yes=0, no=0, members=max(members, present), present=present, quorum=quorum
        ).quorum_met
    if not rankings:
        rankings, weights = [[]], [0]
    profile = Profile.from_rankings(
        [n for _pk, n in candidates], rankings, weights, seats=poll.seats, title=poll.title
    )
    seed = poll_seed(poll)
    counted = METHODS[poll.method](
        profile, seats=None if poll.method in SINGLE_SEAT else poll.seats, seed=seed
    )
    result = counted.to_dict()
    elected = list(counted.elected) if quorum_met else []
    ids = {name: pk for pk, name in candidates}
    return {
        **result,
        "kind": "election",
        "turnout": turnout,
        "quorum_met": quorum_met,
        "candidate_ids": ids,
        "counted_elected": list(counted.elected),
        "elected": elected,
        "outcome": ("elected: " + ", ".join(elected))
        if elected
        else ("no quorum" if not quorum_met else "nobody elected"),
    }


@transaction.atomic
def poll_count(
    *, actor: Actor, poll: Poll, at: datetime | None = None, secret_totals: Mapping[str, int] | None = None
) -> Poll:
    """Count a closed poll with ``councils.counting`` and store the result with every stage.

    A secret poll is counted from its decrypted totals (``secret_totals``: answer or candidate id ->
    votes), which only the trustees' decryption gives (:mod:`councils.voting.crypto`).
    """
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = _locked(poll)
    if poll.state != Poll.State.CLOSED:
        raise ValidationError(
            {
                "poll": _("Only a closed poll can be counted; this one is %(s)s.")
                % {"s": poll.get_current_state_display()}
            }
        )
    if poll.is_secret and secret_totals is None:
        raise ValidationError(
            {"poll": _("A secret poll is counted from its trustees' decryption of the sum.")}
        )
    try:
        result = count_result(poll, secret_totals)
    except (CountingError, MethodError) as exc:
        raise ValidationError({"poll": str(exc)}) from exc
    result["seed"] = result.get("seed", poll_seed(poll))
    result["counted_at"] = moment.isoformat()
    purposes.on_counted(poll, result)
    poll.result = result
    poll.state = Poll.State.COUNTED
    poll.counted_at = moment
    poll.save(update_fields=["result", "state", "counted_at"])
    event_record(
        organization=poll.organization,
        kind="poll.counted",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "outcome": str(result["outcome"]),
            "elected": [str(e) for e in result.get("elected", [])],
            "digest": hashlib.sha256(json.dumps(result, sort_keys=True, default=str).encode()).hexdigest(),
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


@transaction.atomic
def poll_publish(*, actor: Actor, poll: Poll, at: datetime | None = None) -> Poll:
    """Declare a counted poll's result; what it decides (a recall, seats filled) follows through
    the purpose's handler (:mod:`councils.voting.purposes`) in the same transaction."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = _locked(poll)
    if poll.state != Poll.State.COUNTED:
        raise ValidationError(
            {
                "poll": _("Only a counted poll can be published; this one is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    poll.state = Poll.State.PUBLISHED
    poll.published_at = moment
    poll.save(update_fields=["state", "published_at"])
    purposes.on_published(poll, actor=actor, at=moment)
    hooks.published(poll, actor=actor, at=moment)
    event_record(
        organization=poll.organization,
        kind="poll.published",
        actor=actor,
        target=poll,
        data={"title": poll.title, "outcome": str((poll.result or {}).get("outcome", ""))},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


@transaction.atomic
def poll_cancel(*, actor: Actor, poll: Poll, reason: str = "", at: datetime | None = None) -> Poll:
    """Cancel a poll that has not been published. Its votes stay stored, uncounted."""
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    moment = moment_of(at)
    poll = _locked(poll)
    if poll.state in (Poll.State.PUBLISHED, Poll.State.CANCELLED):
        raise ValidationError(
            {"poll": _("A %(s)s poll cannot be cancelled.") % {"s": poll.get_state_display()}}
        )
    if poll.purpose == Poll.Purpose.RECALL:
        # The petition that opened it waits for its result: cancelled, it would wait for ever and
        # block every new petition against the seat.
        raise ValidationError(
            {
                "poll": _(
                    "A recall vote cannot be cancelled: its petition waits for the result. "
                    "Close it to count it."
                )
            }
        )
    poll.state = Poll.State.CANCELLED
    poll.cancelled_at = moment
    poll.save(update_fields=["state", "cancelled_at"])
    event_record(
        organization=poll.organization,
        kind="poll.cancelled",
        actor=actor,
        target=poll,
        data={"title": poll.title, "reason": reason},
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll


# --- time ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollTickReport:
    opened: int
    closed: int
    # Recall votes counted and published once closed (councils.voting.handlers.recall).
    settled: int = 0


def polls_tick(*, at: datetime | None = None) -> PollTickReport:
    """Write down what time changed: drafts past ``opens_at`` open, open polls past ``closes_at``
    close. Safe from several machines at once: each poll is re-checked under its lock."""
    moment = moment_of(at)
    opened = closed = 0
    for poll in Poll.objects.filter(state=Poll.State.DRAFT, opens_at__lte=moment).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=moment)
    ):
        try:
            poll_open(actor=SYSTEM, poll=poll, at=moment, reason="opening time")
            opened += 1
        except ValidationError:
            continue  # opened by another runner meanwhile, or an empty electorate: left as it is
    for poll in Poll.objects.filter(state=Poll.State.OPEN, closes_at__lte=moment):
        try:
            poll_close(actor=SYSTEM, poll=poll, at=moment, reason="closing time")
            closed += 1
        except ValidationError:
            continue
    from councils.voting.handlers.recall import recall_polls_settle

    settled = recall_polls_settle(at=moment)
    return PollTickReport(opened=opened, closed=closed, settled=settled)
