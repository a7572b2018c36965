"""Trustee committees: creating one and relaying its key ceremony until it is ready.

The ceremony (:mod:`councils.voting.crypto.trustees`) is a public document the server relays: each
trustee downloads it (:func:`ceremony_document`), runs a step on their own machine (``councils
trustee keygen|deal|confirm`` or the wizard's page) and posts the message it prints
(:func:`ceremony_post`). Their key file never reaches the server. The embedded trustee (a trustee
without a member) is the server itself: its key file is written to ``COUNCILS_TRUSTEE_KEY_DIR``,
outside the database and its backups, and it takes its steps as soon as the others' allow.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import SYSTEM, Actor
from councils.audit.services import event_record
from councils.federation.models import Member, Organization
from councils.federation.services._common import moment_of, require
from councils.voting.crypto.canonical import parse_json
from councils.voting.crypto.errors import CryptoError
from councils.voting.crypto.files import write_json
from councils.voting.crypto.trustees import (
    ceremony_add,
    ceremony_new,
    ceremony_public,
    key_parse,
    trustee_confirm,
    trustee_deal,
    trustee_keygen,
)
from councils.voting.models import Trustee, TrusteeCommittee
from councils.voting.services.common import NOT_OFFICER

NOT_TRUSTEE = "Only this trustee may send their own step."
MAX_TRUSTEES = 15


def embedded_key_path(committee: TrusteeCommittee, index: int) -> Path:
    """Where the embedded trustee's key file of ``committee`` lives (outside the database)."""
    return Path(settings.COUNCILS_TRUSTEE_KEY_DIR) / f"{committee.fingerprint}-{index}.json"


def embedded_key(committee: TrusteeCommittee, index: int) -> dict[str, Any]:
    """The embedded trustee's key file, read from the data directory."""
    path = embedded_key_path(committee, index)
    try:
        return key_parse(path.read_bytes())
    except OSError as exc:
        raise ValidationError(
            {"committee": _("The server's trustee key file %(path)s cannot be read.") % {"path": path}}
        ) from exc


def _write_key(committee: TrusteeCommittee, index: int, key: Mapping[str, Any]) -> None:
    path = embedded_key_path(committee, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, json.dumps(dict(key), sort_keys=True).encode(), private=True)


@transaction.atomic
def committee_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    members: Sequence[Member | None],
    threshold: int = 2,
    size: int = 3,
    at: datetime | None = None,
) -> TrusteeCommittee:
    """Create a committee of ``size`` trustees (``members`` in order: trustee 1, 2, ...), of whom
    ``threshold`` decrypt a poll's sum. ``None`` names the server's embedded trustee (at most one):
    it registers at once; the members then register, deal and confirm (:func:`ceremony_post`)."""
    require(actor, "voting.manage_poll", organization, NOT_OFFICER)
    moment = moment_of(at)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the committee a name.")})
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_TRUSTEES:
        raise ValidationError({"size": _("A committee has 1 to %(n)s trustees.") % {"n": MAX_TRUSTEES}})
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= size:
        raise ValidationError(
            {"threshold": _("The threshold lies between 1 and the number of trustees, %(n)s.") % {"n": size}}
        )
    if len(members) != size:
        raise ValidationError(
            {
                "members": _("Name %(n)s trustees, one per place; %(g)s given.")
                % {"n": size, "g": len(members)}
            }
        )
    people = [m for m in members if m is not None]
    if len(members) - len(people) > 1:
        raise ValidationError(
            {"members": _("The server may be one trustee at most: its key files sit side by side.")}
        )
    if len({m.pk for m in people}) != len(people):
        raise ValidationError({"members": _("A member is named twice: each trustee is a different person.")})
    for member in people:
        if member.organization_id != organization.pk or member.left_at is not None:
            raise ValidationError(
                {
                    "members": _("%(name)s is not a current member of this organization.")
                    % {"name": member.name}
                }
            )
    ceremony = ceremony_new(label=f"{organization.slug}: {name}", threshold=threshold, size=size)
    committee = TrusteeCommittee.objects.create(
        organization=organization,
        name=name,
        threshold=threshold,
        size=size,
        ceremony=ceremony,
        fingerprint=ceremony["fingerprint"],
        created_at=moment,
    )
    Trustee.objects.bulk_create(
        [
            Trustee(
                committee=committee,
                index=i,
                member=member,
                user_id=member.user_id if member is not None else None,
            )
            for i, member in enumerate(members, start=1)
        ]
    )
    _embedded_steps(committee)
    committee.save(update_fields=["ceremony"])
    event_record(
        organization=organization,
        kind="committee.created",
        actor=actor,
        target=committee,
        data={
            "name": name,
            "threshold": threshold,
            "size": size,
            "fingerprint": committee.fingerprint,
            "trustees": [m.name if m is not None else "(server)" for m in members],
        },
        at=at,
    )
    return committee


def ceremony_document(committee: TrusteeCommittee) -> dict[str, Any]:
    """The ceremony as a trustee downloads it (public messages and sealed shares only)."""
    return copy.deepcopy(committee.ceremony)


def _embedded_steps(committee: TrusteeCommittee) -> None:
    """Let the embedded trustee take every step the ceremony now allows (in ``committee.ceremony``)."""
    embedded = [t.index for t in committee.trustees.all() if t.is_embedded]
    if not embedded:
        return
    index = embedded[0]
    ceremony = committee.ceremony
    size = committee.size
    if str(index) not in ceremony["registrations"]:
        key, message = trustee_keygen(ceremony, index)
        _write_key(committee, index, key)
        ceremony_add(ceremony, message)
    if len(ceremony["registrations"]) == size and str(index) not in ceremony["deals"]:
        ceremony_add(ceremony, trustee_deal(ceremony, embedded_key(committee, index)))
    if len(ceremony["deals"]) == size and str(index) not in ceremony["confirmations"]:
        completed, message = trustee_confirm(ceremony, embedded_key(committee, index))
        _write_key(committee, index, completed)
        ceremony_add(ceremony, message)
        Trustee.objects.filter(committee=committee, index=index).update(
            verification_key=message["verification_key"]
        )


_STEPS = {"registration": "registration", "deal": "deal", "confirmation": "confirmation"}


@transaction.atomic
def ceremony_post(
    *,
    actor: Actor,
    committee: TrusteeCommittee,
    index: int,
    message: Mapping[str, Any] | str,
    at: datetime | None = None,
) -> TrusteeCommittee:
    """A trustee's registration, deal or confirmation, checked (``ceremony_add``) and added.

    When every trustee has confirmed, the committee is ``ready`` with its election key. A message
    of the wrong shape, a proof that fails or a second message of one kind is refused naming what
    is wrong (field ``message``), and changes nothing.
    """
    trustee = (
        Trustee.objects.select_related("committee__organization")
        .filter(committee_id=committee.pk, index=index)
        .first()
    )
    if trustee is None:
        raise ValidationError({"index": _("This committee has no trustee %(i)s.") % {"i": index}})
    require(actor, "voting.trustee_step", trustee, NOT_TRUSTEE)
    committee = TrusteeCommittee.objects.select_for_update().get(pk=committee.pk)
    if committee.state != TrusteeCommittee.State.KEYGEN:
        raise ValidationError(
            {
                "committee": _("This committee's key generation is over (%(s)s).")
                % {"s": committee.get_state_display()}
            }
        )
    try:
        parsed = parse_json(message) if isinstance(message, str) else dict(message)
    except CryptoError as exc:
        raise ValidationError({"message": str(exc)}) from exc
    if not isinstance(parsed, dict) or parsed.get("index") != index:
        raise ValidationError(
            {"message": _("The message must be trustee %(i)s's own (its index is %(i)s).") % {"i": index}}
        )
    step = _STEPS.get(str(parsed.get("type")), "")
    ceremony = copy.deepcopy(committee.ceremony)
    try:
        ceremony_add(ceremony, parsed)
    except CryptoError as exc:
        raise ValidationError({"message": str(exc)}) from exc
    committee.ceremony = ceremony
    if step == "confirmation":
        trustee.verification_key = parsed["verification_key"]
        trustee.save(update_fields=["verification_key"])
    try:
        _embedded_steps(committee)
    except CryptoError as exc:
        raise ValidationError({"message": _("The server's trustee refuses: %(e)s") % {"e": exc}}) from exc
    ready = len(ceremony["confirmations"]) == committee.size
    if ready:
        _public, _trustees, election_key = ceremony_public(ceremony)
        committee.election_key = election_key.hex()
        committee.state = TrusteeCommittee.State.READY
    committee.save(update_fields=["ceremony", "election_key", "state"])
    moment_of(at)
    if ready:
        event_record(
            organization=committee.organization,
            kind="committee.ready",
            actor=actor,
            target=committee,
            data={
                "name": committee.name,
                "index": index,
                "fingerprint": committee.fingerprint,
                "election_key": committee.election_key,
            },
            at=at,
        )
    else:
        event_record(
            organization=committee.organization,
            kind="committee.step",
            actor=actor,
            target=committee,
            data={"name": committee.name, "index": index, "step": step},
            at=at,
        )
    return committee


def committee_for_poll(organization: Organization) -> TrusteeCommittee | None:
    """The organization's ready committee a secret poll uses when none is named (the newest)."""
    return (
        TrusteeCommittee.objects.filter(organization=organization, state=TrusteeCommittee.State.READY)
        .order_by("-created_at", "-pk")
        .first()
    )


__all__ = [
    "NOT_TRUSTEE",
    "SYSTEM",
    "ceremony_document",
    "ceremony_post",
    "committee_create",
    "committee_for_poll",
    "embedded_key",
    "embedded_key_path",
]
