"""A secret poll's board read whole, its close, and the trustees' decryption of the sum.

The close (inside ``poll_close``) appends the count, the total weight and the weighted encrypted
sum of the board's ballots: their points added up by weight and answer (the C module's
``point_sum``, one decoding per point), then one multiplication per distinct weight. Each trustee
then posts one factor per answer with its proof (:func:`trustee_factors_post`); the server checks
them against the close's sum and the trustee's verification key (not the whole board again: every
ballot was checked when cast, and ``councils verify-poll`` re-checks the board for anyone). With the
threshold's factors the counts are combined, the result event appended and the poll counted
through ``poll_count``, all in the transaction of the last factors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from councils.accounts.actors import SYSTEM, Actor
from councils.audit.services import event_record
from councils.federation.services._common import require
from councils.live.publish import publish_on_commit
from councils.voting.crypto import group
from councils.voting.crypto.ballot import Ciphertext
from councils.voting.crypto.board import BOARD_FORMAT, Tally, event_hash, trustee_decrypt
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.trustees import combine, decryption_factors_verify
from councils.voting.live import poll_topic
from councils.voting.models import BoardEvent, Poll, SecretTally, Trustee
from councils.voting.services.common import NOT_OFFICER, locked
from councils.voting.services.secret import poll_answers
from councils.voting.services.trustees import NOT_TRUSTEE, embedded_key


def board_document(poll: Poll) -> dict[str, Any]:
    """The poll's board, ``{"events": [...], "format": "councils-board/1"}`` (``verify_board`` reads it)."""
    events = [
        {"body": body, "hash": h, "prev": prev, "seq": seq, "type": type_}
        for seq, type_, body, prev, h in BoardEvent.objects.filter(poll=poll)
        .order_by("seq")
        .values_list("seq", "type", "body", "prev", "hash")
        .iterator(chunk_size=2000)
    ]
    return {"events": events, "format": BOARD_FORMAT}


def board_json_chunks(poll: Poll) -> Iterator[bytes]:
    """The board document as JSON bytes, streamed (a board of 100,000 ballots weighs 150 MB): each
    event's body is passed through as the database writes it, never parsed."""
    yield b'{"events":['
    rows = (
        BoardEvent.objects.filter(poll=poll)
        .order_by("seq")
        .annotate(text=Cast("body", TextField()))
        .values_list("seq", "type", "text", "prev", "hash")
        .iterator(chunk_size=2000)
    )
    first = True
    for seq, type_, text, prev, h in rows:
        yield (
            ("" if first else ",")
            + f'{{"body":{text},"hash":"{h}","prev":"{prev}","seq":{seq},"type":{json.dumps(type_)}}}'
        ).encode()
        first = False
    yield b'],"format":"' + BOARD_FORMAT.encode() + b'"}'


def _append(poll: Poll, tally: SecretTally, type_: str, body: dict[str, Any]) -> BoardEvent:
    """Append one event after the tally's head (whose row the caller holds locked)."""
    seq, prev = tally.length, tally.head
    event = BoardEvent.objects.create(
        poll=poll,
        seq=seq,
        type=type_,
        body=body,
        prev=prev,
        hash=event_hash(seq=seq, type_=type_, prev=prev, body=body),
    )
    tally.prev, tally.head, tally.length = prev, event.hash, seq + 1
    tally.save(update_fields=["prev", "head", "length"])
    poll.board_head, poll.board_length = tally.head, tally.length
    return event


# Each ballot event's weight and points (``BoardEvent``'s copies, written by the cast); an event
# written before those columns existed gives its body instead (the bodies are not read otherwise:
# PostgreSQL keeps them compressed apart, and reading 100,000 of them took a second).
_CIPHERTEXTS = (
    "SELECT weight, points, CASE WHEN points IS NULL OR weight IS NULL THEN body END "
    "FROM voting_boardevent WHERE poll_id = %s AND type = 'ballot'"
)


def _ballot_rows(poll: Poll) -> Iterator[tuple[int, bytes]]:
    """Each ballot event's weight and its ciphertexts' points, alpha and beta of each answer in
    order. (The server writes no "ballot_withdrawn" event; the board's check would subtract one,
    and so must this sum once a rule writes them.)"""
    with connection.cursor() as cursor:
        cursor.execute(_CIPHERTEXTS, [poll.pk])
        while rows := cursor.fetchmany(5000):
            for weight, points, body in rows:
                if body is None:
                    yield weight, bytes(points)
                    continue
                parsed = json.loads(body) if isinstance(body, str | bytes) else body
                text = "".join(a["alpha"] + a["beta"] for a in parsed["ballot"]["answers"])
                yield int(parsed["weight"]), bytes.fromhex(text)


def ballot_sums(poll: Poll, answers: int) -> Tally:
    """The board's ballots added up by weight (every ballot was checked when it was cast; the
    trustees and ``verify-poll`` recompute this sum from the board themselves)."""
    width = 64 * answers
    blobs: dict[int, list[bytes]] = {}
    count = total_weight = 0
    for weight, raw in _ballot_rows(poll):
        if len(raw) != width:
            raise ValidationError(
                {"poll": _("A ballot on the board does not have one ciphertext per answer.")}
            )
        blobs.setdefault(weight, []).append(raw)
        count += 1
        total_weight += weight
    out = Tally(answers)
    out.count, out.total_weight = count, total_weight
    for weight, items in blobs.items():
        # Every ballot's points of one weight side by side: the k-th point of each is every
        # (2 * answers)-th 32 bytes, from the k-th on.
        joined = b"".join(items)
        column = [
            group.point_sum([joined[i : i + 32] for i in range(32 * k, len(joined), width)])
            for k in range(2 * answers)
        ]
        out.by_weight[weight] = [Ciphertext(column[2 * a], column[2 * a + 1]) for a in range(answers)]
    return out


def secret_close(poll: Poll) -> None:
    """Inside ``poll_close``'s transaction (the poll's row locked): append the close event with the
    weighted encrypted sum, and set the poll's board head and length (saved by the caller)."""
    tally = SecretTally.objects.select_for_update().get(poll=poll)
    running = ballot_sums(poll, len(poll_answers(poll)))
    sums = running.weighted_sums()
    _append(
        poll,
        tally,
        "close",
        {"count": running.count, "sum": [ct.to_json() for ct in sums], "total_weight": running.total_weight},
    )


def _close_sums(poll: Poll) -> tuple[list[Ciphertext], int]:
    body = BoardEvent.objects.filter(poll=poll, type="close").values_list("body", flat=True).get()
    return [Ciphertext(bytes.fromhex(c["alpha"]), bytes.fromhex(c["beta"])) for c in body["sum"]], int(
        body["total_weight"]
    )


def _totals(poll: Poll, counts: list[int]) -> dict[str, int]:
    return dict(zip(poll_answers(poll), counts, strict=True))


@transaction.atomic
def trustee_factors_post(
    *, actor: Actor, poll: Poll, index: int, factors: Mapping[str, Any], at: datetime | None = None
) -> Poll:
    """A trustee's decryption factors of the closed poll's sum (``councils trustee decrypt``'s
    output: ``{"factors": [...], "index": i}``), checked and appended to the board. With the
    threshold's factors the result is combined, appended, and the poll counted (``poll_count``).

    Refused, naming what is wrong (field ``factors``) and changing nothing: a poll that is not
    closed or already decrypted, factors of another trustee, a proof that fails, a trustee who
    has already decrypted.
    """
    if poll.committee_id is None:
        raise ValidationError({"poll": _("This poll is open (named): it has no trustees.")})
    trustee = (
        Trustee.objects.select_related("committee__organization")
        .filter(committee_id=poll.committee_id, index=index)
        .first()
    )
    if trustee is None:
        raise ValidationError({"index": _("The poll's committee has no trustee %(i)s.") % {"i": index}})
    require(actor, "voting.trustee_step", trustee, NOT_TRUSTEE)
    poll = locked(poll)
    if poll.state != Poll.State.CLOSED:
        raise ValidationError(
            {
                "poll": _("Factors are taken once the poll is closed and until it is counted; it is %(s)s.")
                % {"s": poll.get_state_display()}
            }
        )
    if not isinstance(factors, Mapping) or factors.get("index") != index:
        raise ValidationError(
            {"factors": _("These factors are not trustee %(i)s's (their index differs).") % {"i": index}}
        )
    committee = trustee.committee
    election_key = bytes.fromhex(committee.election_key)
    verification = {t.index: bytes.fromhex(t.verification_key) for t in committee.trustees.all()}
    sums, total_weight = _close_sums(poll)
    try:
        points = decryption_factors_verify(
            partial=factors,
            fingerprint=poll.fingerprint,
            election_key=election_key,
            verification_keys=verification,
            sums=sums,
            where="factors",
        )
    except CryptoError as exc:
        raise ValidationError({"factors": str(exc)}) from exc
    earlier = {
        int(body["index"]): [bytes.fromhex(f["factor"]) for f in body["factors"]]
        for body in BoardEvent.objects.filter(poll=poll, type="partial_decryption").values_list(
            "body", flat=True
        )
    }
    if index in earlier:
        raise ValidationError(
            {"factors": _("Trustee %(i)s has already decrypted this poll's sum.") % {"i": index}}
        )
    if len(earlier) >= committee.threshold:
        raise ValidationError(
            {"factors": _("The threshold of trustees has already decrypted this poll's sum.")}
        )
    tally = SecretTally.objects.select_for_update().get(poll=poll)
    _append(poll, tally, "partial_decryption", {"factors": list(factors["factors"]), "index": index})
    earlier[index] = points
    counts = None
    if len(earlier) == committee.threshold:
        try:
            counts = combine(sums=sums, factors=earlier, threshold=committee.threshold, bound=total_weight)
        except CryptoError as exc:
            raise ValidationError({"factors": str(exc)}) from exc
        _append(poll, tally, "result", {"counts": counts})
    poll.save(update_fields=["board_head", "board_length"])
    event_record(
        organization=poll.organization,
        kind="poll.decryption_posted",
        actor=actor,
        target=poll,
        data={
            "title": poll.title,
            "trustee": index,
            "board_head": poll.board_head,
            "board_length": poll.board_length,
            "result": counts,
        },
        at=at,
    )
    if counts is not None:
        from councils.voting.services.closing import poll_count

        # The count is Councils' own step on the trustees' decryption (the last trustee need not
        # be an officer): recorded as the system's, as ``councils tick``'s counts are.
        poll = poll_count(actor=SYSTEM, poll=poll, secret_totals=_totals(poll, counts), at=at)
    publish_on_commit(poll_topic(poll))
    return poll


def embedded_trustee_decrypt(*, actor: Actor, poll: Poll, at: datetime | None = None) -> Poll:
    """The server's own trustee decrypts the closed poll's sum (an officer asks it to).

    Like any trustee it verifies the whole board first and decrypts only the sum it recomputes
    from the ballots (``trustee_decrypt``), so a tampered database cannot make it decrypt a ballot.
    """
    require(actor, "voting.manage_poll", poll.organization, NOT_OFFICER)
    if poll.committee_id is None:
        raise ValidationError({"poll": _("This poll is open (named): it has no trustees.")})
    embedded = (
        Trustee.objects.filter(committee_id=poll.committee_id, member__isnull=True)
        .select_related("committee")
        .first()
    )
    if embedded is None:
        raise ValidationError({"committee": _("The server is not a trustee of this poll's committee.")})
    key = embedded_key(embedded.committee, embedded.index)
    try:
        partial = trustee_decrypt(board_document(poll), key)
    except CryptoError as exc:
        raise ValidationError({"poll": str(exc)}) from exc
    return trustee_factors_post(actor=SYSTEM, poll=poll, index=embedded.index, factors=partial, at=at)
