"""Read queries of polls shared by pages, the API and exports: a constant number of queries each,
however many voters a poll has."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rules
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from councils import hotsql
from councils.accounts.actors import Actor, is_person
from councils.federation.models import Member, Organization
from councils.voting import splits
from councils.voting.models import ANSWERS, Candidate, Elector, Participation, Poll, Proxy


def polls(*, organization: Organization, state: str | None = None) -> QuerySet[Poll]:
    """The organization's polls, newest first, with their electorate's name loaded."""
    queryset = Poll.objects.filter(organization=organization).select_related(
        "electorate_council", "electorate_constituency", "organization"
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset


def open_now() -> Q:
    """The polls open now (``Poll.current_state``): open and not past their closing time, which
    ``councils tick`` may not have written down yet."""
    return Q(state=Poll.State.OPEN) & (Q(closes_at__isnull=True) | Q(closes_at__gt=timezone.now()))


def poll_get(*, organization: Organization, poll_id: int) -> Poll:
    """One poll of the organization (404 if none)."""
    poll = polls(organization=organization).filter(pk=poll_id).first()
    if poll is None:
        raise Http404(poll_id)
    return poll


# What a cast reads of its poll besides the state (kind, method, seats, secrecy, organization,
# creation time) never changes once the poll exists, so the poll is kept per process by its URL:
# a cast spends no query on it. The state is read again by the cast's own statements.
_poll_cache: dict[tuple[str, int], Poll] = {}
_POLL_CACHE_SIZE = 1000


def poll_by_slug(*, slug: str, poll_id: int) -> Poll | None:
    """The poll ``poll_id`` of the organization ``slug``, in one query written once, and then from
    this process's cache (for the cast: its ``state`` may be stale, nothing else of it can be)."""
    cached = _poll_cache.get((slug, poll_id))
    if cached is not None:
        return cached
    found = hotsql.rows(
        Poll,
        "x.id = %s AND x.organization_id = (SELECT o.id FROM federation_organization o WHERE o.slug = %s)",
        [poll_id, slug],
    )
    if not found:
        return None
    if len(_poll_cache) >= _POLL_CACHE_SIZE:
        _poll_cache.clear()
    _poll_cache[(slug, poll_id)] = found[0]
    return found[0]


def candidates(*, poll: Poll) -> list[Candidate]:
    """The poll's candidates in ballot order."""
    return list(Candidate.objects.filter(poll=poll).order_by("position", "pk"))


@dataclass(frozen=True)
class Turnout:
    """How many have voted, by head and by weight, of how many may."""

    electors: int
    electorate_weight: int
    voters: int
    voted_weight: int

    @property
    def share(self) -> float:
        """The share of the electorate's weight that has voted (0 to 1)."""
        return self.voted_weight / self.electorate_weight if self.electorate_weight else 0.0

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.1f}"


def turnout(*, poll: Poll) -> Turnout:
    """The poll's turnout now: two aggregate queries."""
    electors = Elector.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    voted = Participation.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"))
    return Turnout(
        electors=int(electors["n"] or 0),
        electorate_weight=int(electors["w"] or 0),
        voters=int(voted["n"] or 0),
        voted_weight=int(voted["w"] or 0),
    )


@dataclass(frozen=True)
class ElectorRow:
    """One elector with whether they have voted (and, once the poll closes, how, if named)."""

    member_id: int
    name: str
    weight: int
    voted: bool
    proxy_holder: str = ""


def electorate(*, poll: Poll) -> list[ElectorRow]:
    """The electorate fixed at opening, by name, with who has voted: two queries."""
    voted = Participation.objects.filter(poll=poll, principal_id=OuterRef("member_id"))
    rows = (
        Elector.objects.filter(poll=poll)
        .annotate(voted=Exists(voted))
        .order_by("member__name", "pk")
        .values_list("member_id", "member__name", "weight", "voted")
    )
    holders = dict(
        Proxy.objects.filter(poll=poll, withdrawn_at__isnull=True).values_list("giver_id", "holder__name")
    )
    return [
        ElectorRow(member_id=m, name=n, weight=w, voted=bool(v), proxy_holder=holders.get(m, ""))
        for m, n, w, v in rows
    ]


#: The poll page names the electors (lists them, offers them as proxy holders, shows officers who
#: has not voted) up to this many; a larger electorate (a whole organization's members) is shown by
#: its numbers and by constituency, and downloads as CSV: a page of 100,000 names takes tens of
#: seconds to render and nobody reads it.
ELECTORS_LISTED = 1000


def electorate_rows(*, poll: Poll) -> list[tuple[str, str, int]]:
    """Every elector as (name, constituency, weight), by name: one query (the electorate's export)."""
    return list(
        Elector.objects.filter(poll=poll)
        .order_by("member__name", "pk")
        .values_list("member__name", "member__constituency__name", "weight")
    )


@dataclass(frozen=True)
class ElectoratePart:
    """The electors of one constituency in a poll of the whole organization, and how many voted."""

    constituency: str
    electors: int
    voted: int


def electorate_parts(*, poll: Poll) -> list[ElectoratePart]:
    """A poll of the whole organization's electorate by constituency (the constituency each elector
    was a member of when the poll opened), with its turnout: one query."""
    voted = Participation.objects.filter(poll=poll, principal_id=OuterRef("member_id"))
    rows = (
        Elector.objects.filter(poll=poll)
        .annotate(voted=Exists(voted))
        .values("member__constituency__name")
        .annotate(n=Count("pk"), v=Count("pk", filter=Q(voted=True)))
        .order_by("member__constituency__name")
    )
    return [
        ElectoratePart(constituency=r["member__constituency__name"], electors=r["n"], voted=r["v"])
        for r in rows
    ]


def not_voted(*, poll: Poll) -> list[ElectorRow]:
    """Electors who have not voted yet (for officers, in named polls while open)."""
    return [row for row in electorate(poll=poll) if not row.voted]


@dataclass(frozen=True)
class NamedVote:
    """Who voted how in an open (named) poll."""

    member_id: int
    name: str
    weight: int
    choice: str
    answers: dict[str, int] = field(default_factory=dict)
    ranking: list[str] = field(default_factory=list)
    cast_by: str = ""
    source: str = Participation.Source.ONLINE


def describe_ballot(
    poll: Poll, ballot: dict[str, Any] | None, names: dict[int, str]
) -> tuple[str, dict[str, int], list[str]]:
    """A named ballot in words (``yes``; ``yes 3, no 2``; ``1. A, 2. B``), its answers and its ranking."""
    if not ballot:
        return "", {}, []
    if poll.kind == Poll.Kind.MOTION:
        answers = {
            a: int(ballot.get("answers", {}).get(a, 0)) for a in ANSWERS if ballot.get("answers", {}).get(a)
        }
        if len(answers) == 1:
            return next(iter(answers)), answers, []
        return ", ".join(f"{a} {n}" for a, n in answers.items()), answers, []
    if ballot.get("parts"):
        # A split vote: each part's marks with its share of the weight.
        shown = [
            f"{', '.join(names.get(c, str(c)) for c in p['ranking']) or '(blank)'}: {p['weight']}"
            for p in ballot["parts"]
        ]
        marked = list(dict.fromkeys(names.get(c, str(c)) for p in ballot["parts"] for c in p["ranking"]))
        return "; ".join(shown), {}, marked
    ranking = [names.get(c, str(c)) for c in ballot.get("ranking", [])]
    if not ranking:
        return "(blank)", {}, []
    if poll.is_ranked:
        return ", ".join(f"{i}. {n}" for i, n in enumerate(ranking, start=1)), {}, ranking
    return ", ".join(ranking), {}, ranking


def named_votes(*, poll: Poll) -> list[NamedVote]:
    """Every vote of an open poll with its voter, by name: three queries."""
    names = dict(Candidate.objects.filter(poll=poll).values_list("pk", "name"))
    rows = (
        Participation.objects.filter(poll=poll)
        .select_related("principal", "cast_by")
        .order_by("principal__name", "pk")
    )
    out = []
    for row in rows:
        choice, answers, ranking = describe_ballot(poll, row.ballot, names)
        out.append(
            NamedVote(
                member_id=row.principal_id,
                name=row.principal.name,
                weight=row.weight,
                choice=choice,
                answers=answers,
                ranking=ranking,
                cast_by=row.cast_by.name if row.cast_by and row.cast_by_id != row.principal_id else "",
                source=row.source,
            )
        )
    return out


def running_result(*, poll: Poll) -> dict[str, Decimal]:
    """The votes so far of an open poll: answers' weights, or each candidate's marks (first
    preferences for a ranked poll). Only for named polls whose rule shows a running result."""
    totals: Counter[str] = Counter()
    if poll.kind == Poll.Kind.MOTION:
        for answer in ANSWERS:
            totals[answer] = 0
    names = dict(Candidate.objects.filter(poll=poll).values_list("pk", "name"))
    for name in names.values():
        totals[name] = 0
    for ballot, weight in Participation.objects.filter(poll=poll).values_list("ballot", "weight"):
        if not ballot:
            continue
        if poll.kind == Poll.Kind.MOTION:
            for answer, n in ballot.get("answers", {}).items():
                totals[answer] += int(n)
        else:
            for marks, share in splits.weighted_rankings(ballot, weight):
                for c in marks[:1] if poll.is_ranked else marks:
                    totals[names.get(c, str(c))] += share
    for option, n in (poll.entered_totals or {}).items():
        key = option if poll.kind == Poll.Kind.MOTION else names.get(int(option), option)
        totals[key] += int(n)
    return {k: Decimal(v) for k, v in totals.items()}


def may_manage(*, actor: Actor, poll: Poll | Organization) -> bool:
    """Whether ``actor`` runs polls here (``voting.manage_poll``)."""
    organization = poll if isinstance(poll, Organization) else poll.organization
    return bool(rules.has_perm("voting.manage_poll", actor, organization))


def result_visible(*, actor: Actor, poll: Poll) -> bool:
    """A published result is seen by everyone who sees the organization; a counted one by officers."""
    if poll.state == Poll.State.PUBLISHED:
        return True
    return poll.state == Poll.State.COUNTED and may_manage(actor=actor, poll=poll)


def elector_of(*, poll: Poll, user: Actor) -> tuple[Member | None, Elector | None, Participation | None]:
    """The user's membership, elector row and participation in ``poll`` (what their booth shows)."""
    if not is_person(user):
        return None, None, None
    member = Member.objects.filter(
        organization_id=poll.organization_id, user_id=user.pk, left_at__isnull=True
    ).first()
    if member is None:
        return None, None, None
    elector = Elector.objects.filter(poll=poll, member=member).first()
    participation = Participation.objects.filter(poll=poll, principal=member).first()
    return member, elector, participation


def proxies_held(*, poll: Poll, member: Member) -> list[Proxy]:
    """The proxies ``member`` holds in ``poll``, with whether each giver's vote is cast."""
    voted = Participation.objects.filter(poll=poll, principal_id=OuterRef("giver_id"))
    return list(
        Proxy.objects.filter(poll=poll, holder=member, withdrawn_at__isnull=True)
        .select_related("giver")
        .annotate(voted=Exists(voted))
    )
