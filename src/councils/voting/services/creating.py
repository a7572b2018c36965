"""Creating a poll: its kind, method, rules, candidates and electorate, checked before it exists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record
from councils.counting.errors import CountingError, MethodError
from councils.counting.majority import decide
from councils.counting.methods import SINGLE_SEAT
from councils.federation.models import (
    Constituency,
    Council,
    Election,
    Organization,
    RecallPetition,
)
from councils.federation.services._common import moment_of, require
from councils.live.publish import publish_on_commit
from councils.voting.live import poll_topic
from councils.voting.models import (
    SECRET_ALLOWED_METHODS,
    Candidate,
    Poll,
    TrusteeCommittee,
)
from councils.voting.services.common import (
    MAX_CANDIDATES,
    NOT_OFFICER,
    NOT_ORGANIZER,
    RANKED_SECRET_LATER,
)
from councils.voting.services.trustees import committee_for_poll

NO_COMMITTEE = (
    "A secret poll needs a ready trustee committee: set one up first (three tellers, two of whom "
    "decrypt the sum; the server may be one of them)."
)


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


#: The purposes a poll of the whole organization's members may have: a decision of its own (a
#: motion or referendum of the membership) and a list election. A recall vote belongs to one
#: deputy's constituents, a deputies' election to one constituency, a delegates' election to a
#: council's deputies.
ORGANIZATION_PURPOSES = frozenset({Poll.Purpose.GENERAL, Poll.Purpose.LIST})


def _check_electorate(
    *,
    actor: Actor,
    organization: Organization,
    council: Council | None,
    constituency: Constituency | None,
    whole: bool,
    purpose: str,
) -> Council | Constituency | Organization:
    """The one electorate named (a council's deputies, a constituency's or the whole organization's
    members), checked: it belongs to ``organization`` and suits the poll's ``purpose``."""
    if purpose not in Poll.Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if [council is not None, constituency is not None, whole].count(True) != 1:
        raise ValidationError(
            {
                "electorate": _(
                    "Name one electorate: the deputies of a council, the members of a constituency, "
                    "or the members of the whole organization."
                )
            }
        )
    if whole:
        require(actor, "voting.manage_organization_poll", organization, NOT_ORGANIZER)
        if purpose not in ORGANIZATION_PURPOSES:
            raise ValidationError(
                {
                    "electorate": _(
                        "%(p)s is not voted by the whole organization: name the constituency or "
                        "council whose members or deputies vote."
                    )
                    % {"p": Poll.Purpose(purpose).label}
                }
            )
        return organization
    electorate = council or constituency
    assert electorate is not None
    if electorate.organization_id != organization.pk:
        raise ValidationError({"electorate": _("The electorate must belong to this organization.")})
    return electorate


@transaction.atomic
def poll_create(
    *,
    actor: Actor,
    organization: Organization,
    title: str,
    kind: str,
    electorate_council: Council | None = None,
    electorate_constituency: Constituency | None = None,
    electorate_organization: bool = False,
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
    committee: TrusteeCommittee | None = None,
    at: datetime | None = None,
) -> Poll:
    """Create a poll in draft: its question or candidates, electorate, rules and deadlines.

    Secret polls are allowed for motions, plurality and approval; a ranked secret poll is refused
    (``RANKED_SECRET_LATER``). A secret poll names its trustees' ``committee`` (ready, of this
    organization; by default the organization's newest ready one). The electorate is named here
    (``electorate_council``, ``electorate_constituency``, or ``electorate_organization``: the
    members of every constituency, for a general poll or a list election, by an organizer) and
    fixed when the poll opens.
    """
    require(actor, "voting.manage_poll", organization, NOT_OFFICER)
    moment = moment_of(at)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the poll a title.")})
    if kind not in Poll.Kind.values:
        raise ValidationError({"kind": _("Choose motion or election.")})
    electorate = _check_electorate(
        actor=actor,
        organization=organization,
        council=electorate_council,
        constituency=electorate_constituency,
        whole=electorate_organization,
        purpose=purpose,
    )
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
    if secrecy == Poll.Secrecy.SECRET:
        committee = committee or committee_for_poll(organization)
        if committee is None:
            raise ValidationError({"committee": _(NO_COMMITTEE)})
        if committee.organization_id != organization.pk or committee.state != TrusteeCommittee.State.READY:
            raise ValidationError({"committee": _("Choose a ready trustee committee of this organization.")})
    else:
        committee = None
    if weighting not in Poll.Weighting.values:
        raise ValidationError({"weighting": _("Choose equal or represented.")})
    if weighting == Poll.Weighting.REPRESENTED and electorate_council is None:
        raise ValidationError({"weighting": _("Only deputies carry the members they represent.")})
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
        electorate_organization=electorate_organization,
        opens_at=opens_at,
        closes_at=closes_at,
        running_result=running_result,
        created_by=actor if is_person(actor) else None,
        created_at=moment,
        purpose=purpose,
        recall_petition=recall_petition,
        election=election,
        committee=committee,
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
            "electorate_kind": poll.electorate_kind,
        },
        at=at,
    )
    publish_on_commit(poll_topic(poll))
    return poll
