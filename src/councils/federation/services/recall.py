"""Recall: petitions of a deputy's constituents, signed until the threshold ends the seat."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from councils import hotsql, requestmemo
from councils.accounts.actors import Actor, is_person
from councils.audit.services import event_record, stream_for
from councils.federation import notifications
from councils.federation.errors import NotAllowed
from councils.federation.models import (
    Constituency,
    Council,
    Member,
    RecallPetition,
    Seat,
    Signature,
)
from councils.federation.rules import constituent_key
from councils.federation.services._common import (
    NOT_CONSTITUENT,
    NOT_RETURNING_OFFICER,
    RECALL_VOTE_NOT_YET,
    current_member,
    moment_of,
    require,
)
from councils.federation.services.mandates import Cascade, end_seat
from councils.live.publish import publish_on_commit
from councils.live.topics import constituency_topic, seat_topics

# --- recall --------------------------------------------------------------------------------------


def signatures_standing(petition: RecallPetition) -> int:
    return Signature.objects.filter(petition=petition, withdrawn_at__isnull=True).count()


# --- the recall vote (a council whose recall mode is "vote") ----------------------------------------

#: Opens the recall vote of a petition that reached its threshold: ``opener(petition, at=...)``,
#: called inside the signing transaction. The voting app registers it when it is ready (the
#: federation does not import the voting app: polls are built on the federation, not beside it).
RecallVoteOpener = Callable[..., object]
_vote_opener: list[RecallVoteOpener] = []


def recall_vote_register(opener: RecallVoteOpener) -> None:
    """Register what opens a recall vote (the voting app's ``recall_poll_open``)."""
    _vote_opener[:] = [opener]


def recall_vote_available() -> bool:
    """Whether a council may take the recall mode "vote": something opens the recall votes."""
    return bool(_vote_opener)


def _recall_if_complete(
    petition: RecallPetition, *, at: datetime, cascade: Cascade, standing: int | None = None
) -> str:
    """At the threshold: end the seat ("recalled"), or open the recall vote ("vote") when the
    council's recall mode says so; "" below the threshold."""
    if (signatures_standing(petition) if standing is None else standing) < petition.required:
        return ""
    seat = Seat.objects.select_related("council", "holder").get(pk=petition.seat_id)
    petition.closed_at = at
    if seat.council.recall_mode == Council.RecallMode.VOTE:
        if not _vote_opener:
            raise ValidationError({"seat": _(RECALL_VOTE_NOT_YET)})
        petition.status = RecallPetition.Status.VOTING
        petition.save(update_fields=["status", "closed_at"])
        _vote_opener[0](petition, at=at)
        return "vote"
    petition.status = RecallPetition.Status.SUCCEEDED
    petition.save(update_fields=["status", "closed_at"])
    end_seat(seat, at=at, reason=Seat.EndReason.RECALL, cascade=cascade, except_petition=petition)
    notifications.deputy_recalled(seat=seat)
    return "recalled"


@transaction.atomic
def petition_vote_decide(
    *, actor: Actor, petition: RecallPetition, recall: bool, poll_title: str = "", at: datetime | None = None
) -> RecallPetition:
    """Write down what the recall vote on ``petition`` decided: the seat ends (and a by-election
    opens) when ``recall``, otherwise the deputy keeps it.

    Called by the voting app when the recall poll's result is published (in that transaction).
    A seat that ended otherwise meanwhile stays ended; the petition is then closed.
    """
    moment = moment_of(at)
    petition = (
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related("seat__holder", "seat__council__organization", "constituency")
        .get(pk=petition.pk)
    )
    require(actor, "federation.declare_election", petition.seat.council, NOT_RETURNING_OFFICER)
    if petition.status != RecallPetition.Status.VOTING:
        raise ValidationError(
            {
                "petition": _("This petition is %(s)s: no recall vote waits on it.")
                % {"s": petition.get_status_display()}
            }
        )
    seat = petition.seat
    cascade = Cascade()
    if seat.end is not None:
        petition.status = RecallPetition.Status.CLOSED
    elif recall:
        petition.status = RecallPetition.Status.SUCCEEDED
        end_seat(seat, at=moment, reason=Seat.EndReason.RECALL, cascade=cascade, except_petition=petition)
        notifications.deputy_recalled(seat=seat)
    else:
        petition.status = RecallPetition.Status.KEPT
    petition.save(update_fields=["status"])
    event_record(
        organization=seat.council.organization,
        kind="petition.decided",
        actor=actor,
        target=petition,
        data={
            "deputy": seat.holder.name,
            "council_name": seat.council.name,
            "recalled": petition.status == RecallPetition.Status.SUCCEEDED,
            "status": str(petition.status),
            "poll_title": poll_title,
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(constituency_topic(petition.constituency), seat_topics(cascade.ended))
    return petition


def _constituent(actor: Actor, constituency: Constituency, member: Member | None) -> Member:
    """The acting member, if they may sign in ``constituency`` (the rule ``sign_petition``);
    ``member``: the actor's current membership of the organization, already read (or ``None``)."""
    if member is not None:
        # What the rule's predicate asks, just read: kept for this request (councils.requestmemo),
        # so that the rule is decided without asking the database again.
        requestmemo.put(
            constituent_key(constituency.pk, member.user_id), member.constituency_id == constituency.pk
        )
    require(actor, "federation.sign_petition", constituency, NOT_CONSTITUENT)
    if member is None or member.constituency_id != constituency.pk:
        raise NotAllowed(_(NOT_CONSTITUENT))
    return member


@transaction.atomic
def petition_open(
    *, actor: Actor, seat: Seat, reason: str = "", at: datetime | None = None
) -> RecallPetition:
    """Open a petition to recall the deputy holding ``seat``; the opener signs it first.

    The signatures required are fixed now: the council's threshold times the constituency's
    current members, rounded up.
    """
    moment = moment_of(at)
    seat = (
        Seat.objects.select_for_update(of=("self",))
        .select_related("council", "constituency", "holder")
        .get(pk=seat.pk)
    )
    # Fetched with the seat (select_related): testing it costs no query.
    constituency = seat.constituency
    if constituency is None:
        raise ValidationError(
            {"seat": _("A delegate is recalled through their seat in the council that sent them.")}
        )
    opener = _constituent(
        actor, constituency, current_member(user=actor, organization=constituency.organization)
    )
    try:
        RecallPetition._meta.get_field("reason").run_validators(reason)
    except ValidationError as e:
        raise ValidationError({"reason": e.messages}) from None
    if seat.end is not None or seat.start > moment:
        raise ValidationError({"seat": _("This seat is not held now.")})
    if seat.council.recall_mode != Council.RecallMode.IMMEDIATE and not recall_vote_available():
        raise ValidationError({"seat": _(RECALL_VOTE_NOT_YET)})
    if RecallPetition.objects.filter(seat=seat, status=RecallPetition.Status.VOTING).exists():
        raise ValidationError(
            {"seat": _("A recall vote on %(d)s is open: its result decides.") % {"d": seat.holder.name}}
        )
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
    constituents = Member.objects.filter(constituency=constituency, left_at__isnull=True).count()
    required = max(1, math.ceil(Decimal(constituents) * seat.council.recall_threshold))
    petition = RecallPetition.objects.create(
        organization_id=seat.organization_id,
        seat=seat,
        constituency=constituency,
        opened_by=opener,
        reason=reason,
        required=required,
        opened_at=moment,
        expires_at=moment + timedelta(days=seat.council.petition_days),
    )
    Signature.objects.create(petition=petition, member=opener, signed_at=moment)
    cascade = Cascade()
    outcome = _recall_if_complete(petition, at=moment, cascade=cascade)
    recalled = outcome == "recalled"
    event_record(
        organization=seat.council.organization,
        kind="petition.opened",
        actor=actor,
        target=petition,
        data={
            "seat": seat.pk,
            "required": required,
            "recalled": recalled,
            "vote": outcome == "vote",
            "deputy": seat.holder.name,
            "council_name": seat.council.name,
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(constituency_topic(seat.constituency), seat_topics(cascade.ended))
    notifications.petition_opened(petition=petition, seat=seat, actor=actor)
    # The petition's signatures go to a stream of its own (see petition_sign), opened with it.
    stream_for(organization=seat.council.organization, owner=petition)
    return petition


@dataclass(frozen=True)
class PetitionRef:
    """A petition as an address names it: its id and its organization's slug, neither read yet."""

    pk: int
    organization_slug: str


def _locked_open_petition(
    petition: RecallPetition | PetitionRef, moment: datetime, actor: Actor
) -> tuple[RecallPetition, Member | None]:
    """The petition, locked, if it is open; and the actor's current membership of its organization
    (``None`` if none, or if the actor is not a person), read with it.

    ``petition`` may be a reference to a petition of an organization (its id and its organization's
    id, or a :class:`PetitionRef`, not read: the API's signature reads the petition only here): one
    of another organization, or none, is ``RecallPetition.DoesNotExist``."""
    # Locking the petition serializes its signers: the one whose signature reaches the threshold
    # is the only one to end the seat (select_for_update is a no-op on SQLite, whose IMMEDIATE
    # transactions already serialize writers).
    # RecallPetition.objects.select_for_update(of=("self",)).select_related("seat__holder",
    # "seat__council__organization", "constituency__organization").get(pk=...), SQL written once:
    # building that query cost a third of a signature's CPU (councils.hotsql). A person's
    # membership comes in the same round trip.
    member = None
    if is_person(actor):
        locked, member = hotsql.locked_petition_and_member(petition.pk, actor.pk)
    else:
        locked = hotsql.locked_petition(petition.pk)
    if isinstance(petition, PetitionRef):
        elsewhere = locked.organization.slug != petition.organization_slug
    else:
        elsewhere = locked.organization_id != petition.organization_id
    if elsewhere:
        raise RecallPetition.DoesNotExist(f"No recall petition {petition.pk} in this organization.")
    if locked.status != RecallPetition.Status.OPEN:
        raise ValidationError({"petition": _("This petition is %(s)s.") % {"s": locked.get_status_display()}})
    if locked.expires_at <= moment:
        raise ValidationError(
            {
                "petition": _("This petition expired on %(d)s.")
                % {"d": timezone.localtime(locked.expires_at).date().isoformat()}
            }
        )
    return locked, member


@dataclass(frozen=True)
class SignOutcome:
    """A signature and what it caused."""

    signature: Signature
    signatures: int
    required: int
    recalled: bool
    vote: bool = False


@transaction.atomic
def petition_sign(
    *, actor: Actor, petition: RecallPetition | PetitionRef, at: datetime | None = None
) -> SignOutcome:
    """Sign a recall petition, once; at the threshold the seat ends and by-elections open."""
    moment = moment_of(at)
    petition, member = _locked_open_petition(petition, moment, actor)
    member = _constituent(actor, petition.constituency, member)
    # The unique constraint on a standing signature (petition, member) refuses a second one: no
    # query first, and no savepoint, since nothing more runs in this transaction after a refusal
    # (the ValidationError rolls it back). Each statement less is a round trip less per signature.
    # Inserted and counted in one round trip (councils.hotsql): the petition's lock keeps the
    # count exact.
    try:
        signature_id, count = hotsql.signature_insert(petition.pk, member.pk, moment)
    except IntegrityError as exc:
        raise ValidationError({"petition": _("You have already signed this petition.")}) from exc
    signature = Signature(id=signature_id, petition=petition, member=member, signed_at=moment)
    signature._state.adding = False
    signature._state.db = petition._state.db
    cascade = Cascade()
    outcome = _recall_if_complete(petition, at=moment, cascade=cascade, standing=count)
    recalled = outcome == "recalled"
    event_record(
        organization=petition.constituency.organization,
        kind="petition.signed",
        actor=actor,
        target=petition,
        # A signature changes its petition: it goes to the petition's own stream, so that signers
        # of different petitions do not queue behind one lock. One that ends the seat changes the
        # councils' composition: it goes to the organization's stream, as every such change does.
        # A recall vote opened is a poll of the organization: its events go there too.
        owner=None if outcome else petition,
        data={
            "deputy": petition.seat.holder.name,
            "signature": signature.pk,
            "signatures": count,
            "required": petition.required,
            "recalled": recalled,
            "vote": outcome == "vote",
            **cascade.as_data(),
        },
        at=at,
    )
    publish_on_commit(constituency_topic(petition.constituency), seat_topics(cascade.ended))
    return SignOutcome(
        signature=signature,
        signatures=count,
        required=petition.required,
        recalled=recalled,
        vote=outcome == "vote",
    )


@transaction.atomic
def petition_withdraw(*, actor: Actor, petition: RecallPetition, at: datetime | None = None) -> Signature:
    """Withdraw one's signature from a petition that is still open."""
    moment = moment_of(at)
    petition, member = _locked_open_petition(petition, moment, actor)
    member = _constituent(actor, petition.constituency, member)
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
        owner=petition,
        data={
            "signature": signature.pk,
            "signatures": signatures_standing(petition),
            "deputy": petition.seat.holder.name,
        },
        at=at,
    )
    publish_on_commit(constituency_topic(petition.constituency))
    return signature
