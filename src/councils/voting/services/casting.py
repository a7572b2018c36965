"""Casting a ballot: one participation per principal and poll, in one or two round trips."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from councils import hotsql, requestmemo
from councils.accounts import tokencache
from councils.accounts.actors import Actor, is_person
from councils.accounts.services import token_hash
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Member,
)
from councils.federation.services._common import moment_of
from councils.voting import hooks, splits
from councils.voting.errors import AlreadyVoted
from councils.voting.live import turnout_changed
from councils.voting.models import (
    ANSWERS,
    Candidate,
    Elector,
    Participation,
    Poll,
    Proxy,
)
from councils.voting.services.common import (
    ALREADY_VOTED,
    KEY_REUSED,
    NO_PROXY,
    NOT_ELECTOR,
    NOT_OPEN,
    SECRET_CAST_ELSEWHERE,
)
from councils.voting.services.participation_insert import participation_insert_sql

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
    empty ranking is a blank ballot: counted as cast, for nobody. A weighted voter in an open
    plurality, block or approval poll may split their weight (``{"parts": [...]}``, see
    :mod:`councils.voting.splits`).
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
    if set(ballot) == {"parts"}:
        return splits.clean_parts(poll, ballot["parts"], weight=weight, clean=ballot_clean)
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


# The same read joined to a script's token instead of a user's id (``elector_read_along``).
_ELECTOR_RIDER = hotsql.Rider(
    columns="u.id, p.state, p.closes_at, e.member_id, e.weight, m.name",
    joins="LEFT JOIN voting_poll p ON p.id = %s "
    "LEFT JOIN federation_member m ON m.organization_id = p.organization_id AND m.user_id = u.id "
    "AND m.left_at IS NULL "
    "LEFT JOIN voting_elector e ON e.poll_id = p.id AND e.member_id = m.id",
)


def _elector_key(poll_id: int, user_id: int) -> tuple[str, int, int]:
    return ("elector", poll_id, user_id)


def elector_read_along(secret: str, poll_id: int) -> None:
    """Before a script's cast authenticates its token: when this process does not remember the
    token, read it with the poll's state and the token's user's elector row in one statement (one
    round trip fewer for a cast with a token used for the first time). The token's row then serves
    the authentication and the elector row the cast's first read, in this request only
    (:mod:`councils.requestmemo`); nothing is decided here."""
    key_hash = token_hash(secret)
    if key_hash is None:
        return
    values = tokencache.read_along(key_hash, _ELECTOR_RIDER, [poll_id])
    if values is None or values[1] is None:  # remembered, not live, or no such poll
        return
    user_id, *row = values
    requestmemo.put(_elector_key(poll_id, user_id), tuple(row))


def _poll_and_elector(poll: Poll, user_id: int) -> tuple[str, datetime | None, int | None, int | None, str]:
    """The poll's state and deadline, and the user's elector row (member id, weight, name), in one
    round trip (none when it was read along with the caller's token: ``elector_read_along``)."""
    row = requestmemo.take(_elector_key(poll.pk, user_id))
    if row is None:
        with hotsql.cursor() as cursor:
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
    # The poll must still be open when the row is written, checked by the same statement
    # (participation_insert): no vote commits after the close has sealed the participations.
    with hotsql.cursor() as cursor:
        cursor.execute(
            participation_insert_sql("ballot", postgresql=connection.vendor == "postgresql"),
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
    return vote_taken(poll, new_id, principal_id, member_id, cast_weight, key, moment, clean)


def vote_taken(
    poll: Poll,
    new_id: int,
    principal_id: int,
    cast_by_id: int | None,
    weight: int,
    key: str,
    moment: datetime,
    ballot: dict[str, Any],
) -> CastOutcome:
    """The participation just written online (row ``new_id``), as the cast answers it; the poll's
    open pages are told once it commits."""
    transaction.on_commit(lambda: turnout_changed(poll))
    participation = Participation(
        pk=new_id,
        poll_id=poll.pk,
        principal_id=principal_id,
        cast_by_id=cast_by_id,
        weight=weight,
        idempotency_key=key,
        cast_at=moment,
        source=Participation.Source.ONLINE,
        ballot=ballot,
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
