"""The polls of the 1917 demonstration (called by :mod:`councils.demo.loader` after the Second
Congress): what the voting app decides, each through its services, at the story's dates.

- 26 October: the Second Congress's named vote forming the Council of People's Commissars (the
  Mensheviks and SRs have walked out; the others abstain), with its result;
- November: the Kronstadt Soviet elects its delegates to the Congress by the single transferable
  vote, its deputies weighted by the members they represent (every stage and transfer shown);
- 12-14 November: the whole organization (the members of every constituency: the soviets'
  constituents and the Assembly's capital district) elects the Constituent Assembly's 12 deputies
  from the factions' lists; the seats are apportioned by D'Hondt with a 5 % threshold, then filled
  in list order by the lists' candidates, members of the capital district (the Assembly's one
  constituency, whose seats the election fills);
- December: after the decree on the right of recall (21 November), the district's voters petition
  against a deputy of the "Others" list; the Assembly's recall mode is "vote", so the petition
  opens a recall vote of the district, which recalls the deputy; a by-election opens.

- 25 November: the Kronstadt Soviet votes by secret ballot, with three of its deputies as trustees
  (:mod:`councils.voting.demo_secret`).

The figures are illustrative.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from councils.accounts.actors import SYSTEM
from councils.federation import selectors
from councils.federation import services as federation
from councils.federation.models import Constituency, Council, Election, Faction, Member, Organization
from councils.voting import services
from councils.voting.demo_secret import directory, secret_poll
from councils.voting.handlers.elections import election_poll_create
from councils.voting.handlers.lists import list_poll_create
from councils.voting.models import Candidate, Elector, Poll

Moment = Callable[..., datetime]
Log = Callable[[str], None]

ASSEMBLY_NAME = "Constituent Assembly"
ASSEMBLY_SLUG = "constituent-assembly"
DISTRICT_NAME = "Petrograd capital district"
DISTRICT_SLUG = "petrograd-capital-district"
DISTRICT_VOTERS = 240
ASSEMBLY_SEATS = 12
#: Votes for each list (faction key, votes), illustrative: the capital's shares of November 1917,
#: cast by about a third of the organization's members.
LIST_VOTES = (("bolsheviks", 450), ("others", 260), ("srs", 170), ("left-srs", 90), ("mensheviks", 30))
LIST_LENGTH = 8
SOVNARKOM = "Formation of the Council of People's Commissars"
LIST_TITLE = "Election of the Constituent Assembly by the whole organization"


def load_polls(
    *,
    organization: Organization,
    congress: Council,
    kronstadt: Council,
    factions: dict[str, Faction],
    names: list[tuple[str, str]],
    on: Moment,
    tick: Callable[[], datetime],
    log: Log,
) -> None:
    """Play the demonstration's polls; ``names`` are the (name, e-mail) of the Assembly district's
    voters, ``on(day, hour)`` and ``tick()`` the loader's clock."""
    congress_motion(congress=congress, factions=factions, on=on, tick=tick)
    log("The Second Congress formed the Council of People's Commissars by a named vote.")
    district = constituent_assembly(
        organization=organization, factions=factions, names=names, on=on, tick=tick
    )
    log("The whole organization elected the Constituent Assembly's deputies from the lists.")
    kronstadt_delegates(congress=congress, kronstadt=kronstadt, factions=factions, on=on, tick=tick)
    log("The Kronstadt Soviet elected its delegates to the Congress by STV.")
    recall_vote(district=district, factions=factions, on=on, tick=tick)
    log("The district recalled a deputy of the Assembly by a recall vote.")
    secret_poll(kronstadt=kronstadt, on=on, tick=tick)
    log(
        "The Kronstadt Soviet voted by secret ballot; two of its three tellers decrypted the sum "
        f"(their key files and the board are in {directory()})."
    )


def _settle(poll: Poll, at: datetime, tick: Callable[[], datetime]) -> Poll:
    poll = services.poll_close(actor=SYSTEM, poll=poll, at=at)
    poll = services.poll_count(actor=SYSTEM, poll=poll, at=tick())
    return services.poll_publish(actor=SYSTEM, poll=poll, at=tick())


def congress_motion(
    *, congress: Council, factions: dict[str, Faction], on: Moment, tick: Callable[[], datetime]
) -> Poll:
    """The Congress's delegates vote by name: the Bolsheviks and Left SRs for, the Others abstain;
    the Mensheviks and SRs, gone in the walkout, do not vote."""
    opened = on(date(1917, 10, 26), 21)
    poll = services.poll_create(
        actor=SYSTEM,
        organization=congress.organization,
        title=SOVNARKOM,
        description=(
            "That a Council of People's Commissars govern until the Constituent Assembly meets, "
            "responsible to the Congress and its Central Executive Committee."
        ),
        kind=Poll.Kind.MOTION,
        electorate_council=congress,
        running_result=True,
        at=opened,
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll, at=tick())
    answer = {
        factions["bolsheviks"].pk: "yes",
        factions["left-srs"].pk: "yes",
        factions["others"].pk: "abstain",
    }
    voted: set[int] = set()
    for seat in selectors.seats(council=congress, at=opened):
        choice = answer.get(seat.faction_id or 0, "")
        if choice and seat.holder_id not in voted and seat.holder.user is not None:
            services.ballot_cast(actor=seat.holder.user, poll=poll, ballot={"answer": choice}, at=tick())
            voted.add(seat.holder_id)
    return _settle(poll, tick(), tick)


def kronstadt_delegates(
    *,
    congress: Council,
    kronstadt: Council,
    factions: dict[str, Faction],
    on: Moment,
    tick: Callable[[], datetime],
) -> Poll:
    """Kronstadt's deputies rank candidates of their own faction first, then the allied one: the
    count elects the quota's winners, transfers their surpluses and excludes the weakest."""
    at = on(date(1917, 11, 20), 10)
    election = federation.election_open(
        actor=SYSTEM, council=congress, child_council=kronstadt, kind=Election.Kind.REGULAR, at=at
    )
    deputies = selectors.seats(council=kronstadt, at=at)
    by_faction: dict[int, list] = {}
    for seat in deputies:
        by_faction.setdefault(seat.faction_id or 0, []).append(seat)
    # Two candidates of each faction sitting in the soviet, its longest-serving deputies first.
    standing = [s for group in by_faction.values() for s in sorted(group, key=lambda s: s.pk)[:2]]
    if len(standing) <= election.seats:
        standing = list(deputies)[: election.seats + 2]
    faction_of = {s.holder_id: s.faction_id or 0 for s in standing}
    poll = election_poll_create(
        actor=SYSTEM,
        election=election,
        method=Poll.Method.SCOTTISH_STV,
        candidates=[(s.holder, None) for s in standing],
        weighting=Poll.Weighting.REPRESENTED,
        description="Kronstadt's delegates to the Congress, elected by its deputies.",
        at=tick(),
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll, at=tick())
    ids = dict(Candidate.objects.filter(poll=poll).values_list("member_id", "pk"))
    allies = {
        factions["bolsheviks"].pk: factions["left-srs"].pk,
        factions["left-srs"].pk: factions["bolsheviks"].pk,
        factions["srs"].pk: factions["mensheviks"].pk,
        factions["mensheviks"].pk: factions["srs"].pk,
    }
    voted: set[int] = set()
    for n, seat in enumerate(deputies):
        if seat.holder_id in voted or seat.holder.user is None:
            continue
        own = [m for m, f in faction_of.items() if f == (seat.faction_id or 0)]
        if n % 3 == 0:
            own.reverse()  # a third prefer the second candidate: the count transfers between them
        ally = [m for m, f in faction_of.items() if f == allies.get(seat.faction_id or 0)]
        ranking = [ids[m] for m in own + ally]
        services.ballot_cast(actor=seat.holder.user, poll=poll, ballot={"ranking": ranking}, at=tick())
        voted.add(seat.holder_id)
    return _settle(poll, tick(), tick)


def constituent_assembly(
    *,
    organization: Organization,
    factions: dict[str, Faction],
    names: list[tuple[str, str]],
    on: Moment,
    tick: Callable[[], datetime],
) -> Constituency:
    """The Assembly (12 seats for the district, D'Hondt, recall by vote), the district's voters, and
    the list election by the whole organization: members of every constituency vote, and each
    list's first candidates (members of the district) take the seats it wins."""
    at = on(date(1917, 11, 1), 9)
    assembly = federation.council_create(
        actor=SYSTEM,
        organization=organization,
        name=ASSEMBLY_NAME,
        slug=ASSEMBLY_SLUG,
        seat_rule=Council.SeatRule.FIXED,
        total_seats=ASSEMBLY_SEATS,
        apportionment_method=Council.Apportionment.DHONDT,
        recall_mode=Council.RecallMode.VOTE,
        recall_threshold=Decimal("0.1"),
        petition_days=14,
        term_days=4 * 365,
        at=at,
    )
    district = federation.constituency_create(
        actor=SYSTEM,
        organization=organization,
        council=assembly,
        name=DISTRICT_NAME,
        slug=DISTRICT_SLUG,
        # The soviets' sections: the capital district's voters are counted with the workers.
        section="workers",
        at=tick(),
    )
    federation.members_import(
        actor=SYSTEM, organization=organization, rows=[(n, e, DISTRICT_SLUG) for n, e in names], at=tick()
    )
    federation.council_apportion(actor=SYSTEM, council=assembly, at=tick())
    election = federation.election_open(actor=SYSTEM, council=assembly, constituency=district, at=tick())
    voters = list(Member.objects.filter(constituency=district).select_related("user").order_by("pk"))
    lists = [
        (factions[key], voters[i * LIST_LENGTH : (i + 1) * LIST_LENGTH])
        for i, (key, _v) in enumerate(LIST_VOTES)
    ]
    poll = list_poll_create(
        actor=SYSTEM,
        election=election,
        lists=lists,
        threshold=Decimal("0.05"),
        title=LIST_TITLE,
        description="Every member of the organization votes for one list. The Assembly's 12 seats are "
        "apportioned by D'Hondt among the lists with at least 5 % of the votes, then taken by each "
        "list's candidates in order.",
        electorate_organization=True,
        at=on(date(1917, 11, 11), 9),
    )
    poll = services.poll_open(actor=SYSTEM, poll=poll, at=on(date(1917, 11, 12), 8))
    line = dict(Candidate.objects.filter(poll=poll).values_list("faction_id", "pk"))
    ballots = iter(_spread(poll, sum(v for _k, v in LIST_VOTES)))
    for key, votes in LIST_VOTES:
        for _ in range(votes):
            voter = next(ballots)
            services.ballot_cast(
                actor=voter.user, poll=poll, ballot={"ranking": [line[factions[key].pk]]}, at=tick()
            )
    _settle(poll, on(date(1917, 11, 14), 20), tick)
    return district


def _spread(poll: Poll, count: int) -> list[Member]:
    """``count`` electors of ``poll`` spread evenly over its electorate (so every constituency has
    voters), in a fixed order."""
    electors = list(
        Member.objects.filter(pk__in=Elector.objects.filter(poll=poll).values("member_id"))
        .select_related("user")
        .order_by("pk")
    )
    step = len(electors) / count
    return [electors[int(i * step)] for i in range(count)]


def recall_vote(
    *, district: Constituency, factions: dict[str, Faction], on: Moment, tick: Callable[[], datetime]
) -> Poll:
    """A deputy of the Others' list is petitioned against; the threshold opens the recall vote,
    which the district carries; ``councils tick`` closes, counts and publishes it."""
    at = on(date(1917, 12, 1), 10)
    seat = next(
        s for s in selectors.seats(council=district.council, at=at) if s.faction_id == factions["others"].pk
    )
    voters = [
        m
        for m in Member.objects.filter(constituency=district).select_related("user").order_by("-pk")
        if m.pk != seat.holder_id and m.user is not None
    ]
    signers = iter(voters)
    petition = federation.petition_open(
        actor=next(signers).user, seat=seat, reason="For calling for the Assembly against the soviets.", at=at
    )
    while petition.status == petition.Status.OPEN:
        federation.petition_sign(actor=next(signers).user, petition=petition, at=tick())
        petition.refresh_from_db()
    poll = Poll.objects.get(recall_petition=petition)
    for n, voter in enumerate(voters[:150]):
        answer = "no" if n % 4 == 0 else "yes"
        services.ballot_cast(actor=voter.user, poll=poll, ballot={"answer": answer}, at=tick())
    assert poll.closes_at is not None
    services.polls_tick(at=on(poll.closes_at.date() + timedelta(days=1), 9))
    poll.refresh_from_db()
    return poll
