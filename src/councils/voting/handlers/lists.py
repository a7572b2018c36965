"""A list election, as the Constituent Assembly of 1917 was elected.

The members of a constituency (an electoral district of the assembly), or of the whole
organization, vote for one of the factions' lists (plurality among lists: one mark). When the
poll is counted, the seats of the open federation election are apportioned among the lists in
proportion to their votes, by the apportionment method and threshold of
:class:`~councils.voting.models.ListRule` (the assembly's, the assembly council's method by
default), through :func:`councils.counting.apportionment.apportion`; the table is stored in the
result (``apportionment``), so the page shows it. When the result is published, each list's seats
go to its candidates in list order (:class:`ListPlace`), through ``election_declare``; a list that
won more seats than it has candidates leaves the rest empty, as the result says.

The seats filled are always one constituency's (the federation's seats belong to a part), so the
lists' candidates are that constituency's members even when the whole organization votes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from councils.accounts.actors import Actor
from councils.counting.apportionment import METHODS as APPORTIONMENT_METHODS
from councils.counting.apportionment import apportion
from councils.counting.errors import CountingError, MethodError
from councils.federation.models import Election, Faction, Member
from councils.federation.services import NOT_RETURNING_OFFICER, election_declare
from councils.federation.services._common import require
from councils.voting.handlers.elections import _check_election
from councils.voting.models import Candidate, ListPlace, ListRule, Poll

#: A list: the faction standing, and its candidates in the order they take its seats.
FactionList = tuple[Faction, Sequence[Member]]


def _default_title(election: Election, whole: bool) -> str:
    names = {"council": election.council.name, "part": election.constituency}
    if whole:
        return _("List election of %(council)s (%(part)s) by the whole organization") % names
    return _("List election of %(council)s in %(part)s") % names


@transaction.atomic
def list_poll_create(
    *,
    actor: Actor,
    election: Election,
    lists: Sequence[FactionList],
    method: str = "",
    threshold: Decimal | str | float = 0,
    title: str = "",
    secrecy: str = Poll.Secrecy.OPEN,
    quorum: str = Poll.Quorum.NONE,
    quorum_value: Any = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    description: str = "",
    electorate_organization: bool = False,
    at: datetime | None = None,
) -> Poll:
    """Create, in draft, the list election of a constituency's seats: one ballot line per list.

    ``method`` is an apportionment method (the election's council's by default); ``threshold`` the
    share of the votes a list needs to take part (0 for none). The constituency's members vote, or
    with ``electorate_organization`` the members of the whole organization (an organizer's poll);
    either way the candidates are the constituency's members, since the seats filled are its own.
    """
    require(actor, "federation.declare_election", election, NOT_RETURNING_OFFICER)
    election = _check_election(election)
    if election.constituency_id is None:
        raise ValidationError(
            {"election": _("A list election is voted by members: choose a constituency's election.")}
        )
    organization = election.council.organization
    method = method or election.council.apportionment_method
    if method not in APPORTIONMENT_METHODS:
        raise ValidationError(
            {"method": _("Choose an apportionment method: %(m)s.") % {"m": ", ".join(APPORTIONMENT_METHODS)}}
        )
    try:
        share = Decimal(str(threshold))
    except ArithmeticError:
        share = Decimal(-1)
    if not (0 <= share < 1):
        raise ValidationError({"threshold": _("The threshold is a share from 0 up to 1 (0.05 for 5%).")})
    if len(lists) < 2:
        raise ValidationError({"lists": _("A list election needs at least two lists.")})
    factions = [f for f, _m in lists]
    if len({f.pk for f in factions}) != len(factions):
        raise ValidationError({"lists": _("A faction stands one list.")})
    placed: set[int] = set()
    for faction, members in lists:
        if faction.organization_id != organization.pk:
            raise ValidationError(
                {"lists": _("%(f)s is a faction of another organization.") % {"f": faction}}
            )
        if not members:
            raise ValidationError({"lists": _("The list of %(f)s has no candidates.") % {"f": faction}})
        for member in members:
            if member.pk in placed:
                raise ValidationError({"lists": _("%(m)s stands on two lists.") % {"m": member}})
            placed.add(member.pk)
            if member.constituency_id != election.constituency_id or member.left_at is not None:
                raise ValidationError(
                    {
                        "lists": _("%(m)s is not a member of %(c)s.")
                        % {"m": member, "c": election.constituency}
                    }
                )
    from councils.voting.services import poll_create

    poll = poll_create(
        actor=actor,
        organization=organization,
        title=title or _default_title(election, electorate_organization),
        kind=Poll.Kind.ELECTION,
        method=Poll.Method.PLURALITY,
        seats=1,
        candidates=[f.name for f in factions],
        secrecy=secrecy,
        quorum=quorum,
        quorum_value=quorum_value,
        opens_at=opens_at,
        closes_at=closes_at,
        description=description,
        purpose=Poll.Purpose.LIST,
        election=election,
        electorate_constituency=None if electorate_organization else election.constituency,
        electorate_organization=electorate_organization,
        at=at,
    )
    ListRule.objects.create(poll=poll, method=method, threshold=share)
    rows = list(Candidate.objects.filter(poll=poll).order_by("position"))
    places: list[ListPlace] = []
    for row, (faction, members) in zip(rows, lists, strict=True):
        row.faction = faction
        places += [ListPlace(candidate=row, member=m, position=i) for i, m in enumerate(members, start=1)]
    Candidate.objects.bulk_update(rows, ["faction"])
    ListPlace.objects.bulk_create(places)
    return poll


def list_counted(poll: Poll, result: dict[str, Any]) -> None:
    """Apportion the election's seats among the lists by their votes; name who takes each seat."""
    if poll.election_id is None or not result.get("quorum_met", True):
        result["elected"] = []
        return
    rule = ListRule.objects.get(poll=poll)
    election = Election.objects.get(pk=poll.election_id)
    stage = (result.get("stages") or [{}])[0]
    names = [str(n) for n in result.get("candidates", [])]
    votes = {name: int(Decimal(str(stage.get("votes", {}).get(name, "0")))) for name in names}
    if not any(votes.values()):
        result["elected"] = []
        result["outcome"] = "no votes"
        return
    try:
        table = apportion(
            votes, election.seats, rule.method, threshold=float(rule.threshold), seed=result.get("seed")
        )
    except (CountingError, MethodError) as exc:
        raise ValidationError({"poll": str(exc)}) from exc
    ids: dict[str, int] = result.get("candidate_ids", {})
    places: dict[int, list[tuple[int, str]]] = {}
    for candidate_id, member_id, name in (
        ListPlace.objects.filter(candidate__poll=poll)
        .order_by("candidate_id", "position")
        .values_list("candidate_id", "member_id", "member__name")
    ):
        places.setdefault(candidate_id, []).append((member_id, name))
    filled = []
    for name in names:
        won = table.seats.get(name, 0)
        standing = places.get(ids.get(name, 0), [])
        taken = standing[:won]
        filled.append(
            {
                "list": name,
                "votes": votes[name],
                "seats": won,
                "members": [m for m, _n in taken],
                "names": [n for _m, n in taken],
                "unfilled": max(0, won - len(standing)),
            }
        )
    result["apportionment"] = table.to_dict()
    result["lists"] = filled
    result["elected"] = [row["list"] for row in filled if row["seats"]]
    result["outcome"] = "seats: " + ", ".join(f"{row['list']} {row['seats']}" for row in filled)


def list_published(poll: Poll, *, actor: Any, at: datetime) -> None:
    """Fill the election's seats from each list in order, each deputy sitting with their list's faction."""
    if poll.election_id is None:
        return
    rows = (poll.result or {}).get("lists", [])
    factions = dict(Candidate.objects.filter(poll=poll).values_list("name", "faction_id"))
    faction_objects = Faction.objects.in_bulk([f for f in factions.values() if f is not None])
    members = Member.objects.in_bulk([m for row in rows for m in row["members"]])
    elected = [
        (members[m], faction_objects.get(factions.get(row["list"]) or 0))
        for row in rows
        for m in row["members"]
        if m in members
    ]
    if not elected:
        return
    election_declare(actor=actor, election=Election.objects.get(pk=poll.election_id), elected=elected, at=at)
