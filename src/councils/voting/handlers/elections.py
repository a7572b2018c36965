"""Elections of deputies and delegates by a poll, filling an open federation election's seats.

- A constituency's election (``deputies``): the electorate is the constituency's members, the
  candidates its members, each standing for a faction or for none.
- A child council's election of its delegates to the council above (``delegates``): the
  electorate is the child council's deputies, weighted by the members they represent where the
  organization's rule says so; the candidates hold a seat there (a delegate's seat derives from it).

The poll's declared result fills the seats through ``election_declare`` inside ``poll_publish``'s
transaction; a count that elects nobody (no quorum) leaves the election open, and a returning
officer may still enter results counted on paper, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.federation.models import Election, Faction, Member, Seat
from councils.federation.services import NOT_RETURNING_OFFICER, election_declare
from councils.federation.services._common import require
from councils.voting.models import Candidate, Poll

#: A candidate: a member, and the faction they stand for (none: independent, or for a delegate
#: the faction they sit with below).
Standing = tuple[Member, Faction | None]


def election_live_poll(election: Election) -> Poll | None:
    """The poll deciding ``election`` that is neither cancelled nor published, if there is one."""
    return (
        Poll.objects.filter(election=election)
        .exclude(state__in=[Poll.State.CANCELLED, Poll.State.PUBLISHED])
        .first()
    )


def _names(members: Sequence[Member]) -> list[str]:
    """Ballot names: a member's name, with their number when two candidates share it."""
    seen: dict[str, int] = {}
    for m in members:
        seen[m.name] = seen.get(m.name, 0) + 1
    return [m.name if seen[m.name] == 1 else f"{m.name} (#{m.pk})" for m in members]


def _check_election(election: Election) -> Election:
    election = Election.objects.select_related("council__organization", "constituency", "child_council").get(
        pk=election.pk
    )
    if election.status != Election.Status.OPEN:
        raise ValidationError(
            {"election": _("This election is %(s)s, not open.") % {"s": election.get_status_display()}}
        )
    live = election_live_poll(election)
    if live is not None:
        raise ValidationError(
            {"election": _("The poll “%(t)s” already decides this election.") % {"t": live.title}}
        )
    return election


@transaction.atomic
def election_poll_create(
    *,
    actor: Actor,
    election: Election,
    method: str,
    candidates: Sequence[Standing],
    title: str = "",
    secrecy: str = Poll.Secrecy.OPEN,
    weighting: str = Poll.Weighting.EQUAL,
    quorum: str = Poll.Quorum.NONE,
    quorum_value: Any = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    description: str = "",
    at: datetime | None = None,
) -> Poll:
    """Create, in draft, the poll that elects ``election``'s seats: a constituency's members electing
    its deputies, or a child council's deputies electing its delegates to the council above.

    The seats to fill are the election's; the candidates must be able to take a seat of it (members
    of the constituency, or deputies of the child council, now), which ``election_declare`` checks
    again when the result is published.
    """
    require(actor, "federation.declare_election", election, NOT_RETURNING_OFFICER)
    election = _check_election(election)
    members = [m for m, _f in candidates]
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"candidates": _("A candidate is named twice.")})
    organization = election.council.organization
    for member, faction in candidates:
        if member.organization_id != organization.pk or member.left_at is not None:
            raise ValidationError(
                {"candidates": _("%(m)s is not a member of this organization.") % {"m": member}}
            )
        if faction is not None and faction.organization_id != organization.pk:
            raise ValidationError(
                {"candidates": _("%(f)s is a faction of another organization.") % {"f": faction}}
            )
    if election.constituency_id is not None:
        purpose = Poll.Purpose.DEPUTIES
        for member in members:
            if member.constituency_id != election.constituency_id:
                raise ValidationError(
                    {
                        "candidates": _("%(m)s is not a member of %(c)s.")
                        % {"m": member, "c": election.constituency}
                    }
                )
        electorate: dict[str, Any] = {"electorate_constituency": election.constituency}
        default_title = _("Election of deputies of %(part)s to %(council)s")
        part_name = election.constituency.name if election.constituency else ""
    else:
        purpose = Poll.Purpose.DELEGATES
        child = election.child_council
        assert child is not None
        seated = set(
            Seat.objects.filter(
                council=child, holder_id__in=[m.pk for m in members], end__isnull=True
            ).values_list("holder_id", flat=True)
        )
        for member in members:
            if member.pk not in seated:
                raise ValidationError(
                    {
                        "candidates": _("%(m)s holds no seat in %(c)s, so cannot be its delegate.")
                        % {"m": member, "c": child}
                    }
                )
        electorate = {"electorate_council": child}
        default_title = _("Election of the delegates of %(part)s to %(council)s")
        part_name = child.name
    from councils.voting.services import poll_create

    poll = poll_create(
        actor=actor,
        organization=organization,
        title=title or default_title % {"part": part_name, "council": election.council.name},
        kind=Poll.Kind.ELECTION,
        method=method,
        seats=election.seats,
        candidates=_names(members),
        secrecy=secrecy,
        weighting=weighting,
        quorum=quorum,
        quorum_value=quorum_value,
        opens_at=opens_at,
        closes_at=closes_at,
        description=description,
        purpose=purpose,
        election=election,
        at=at,
        **electorate,
    )
    rows = list(Candidate.objects.filter(poll=poll).order_by("position"))
    for row, (member, faction) in zip(rows, candidates, strict=True):
        row.member = member
        row.faction = faction
    Candidate.objects.bulk_update(rows, ["member", "faction"])
    return poll


def elected_candidates(poll: Poll) -> list[Candidate]:
    """The poll's elected candidates, in the order the count elected them."""
    result = poll.result or {}
    ids: dict[str, int] = result.get("candidate_ids", {})
    wanted = [ids[name] for name in result.get("elected", []) if name in ids]
    found = {c.pk: c for c in Candidate.objects.select_related("member", "faction").filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


def election_published(poll: Poll, *, actor: Any, at: datetime) -> None:
    """Declare ``poll.election`` with the elected candidates (nothing when nobody was elected)."""
    if poll.election_id is None:
        return
    elected = [(c.member, c.faction) for c in elected_candidates(poll) if c.member is not None]
    if not elected:
        return
    election_declare(actor=actor, election=Election.objects.get(pk=poll.election_id), elected=elected, at=at)
