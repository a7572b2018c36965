"""The Petrograd 1917 demonstration: it loads once, tells its story, and its chain holds."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from councils.audit.kinds import kind_get, payload_clean, payload_dump, payload_load
from councils.audit.models import Event
from councils.audit.services import chain_verify
from councils.demo import data
from councils.demo.loader import load_demo
from councils.federation import selectors, services
from councils.federation.models import (
    Affiliation,
    Council,
    Member,
    Officer,
    Organization,
    RecallPetition,
    Seat,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demonstration, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        organization = load_demo()
        assert organization is not None
        yield organization
        transaction.set_rollback(True)


@pytest.fixture
def org(demo, db) -> Organization:
    # Each test runs in its own savepoint inside the module's transaction: what it changes goes.
    return demo


def moment(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=23, tzinfo=UTC)


def council(org: Organization, slug: str) -> Council:
    return Council.objects.get(organization=org, slug=slug)


def short(faction) -> str | None:
    return faction.short_name if faction is not None else None


def test_it_creates_the_federation_of_soviets(org):
    assert org.slug == "soviets-1917"
    assert [f.short_name for f in selectors.factions(organization=org)] == [
        "Bolsheviks",
        "Left SRs",
        "SRs",
        "Mensheviks",
        "Others",
    ]
    tree = selectors.council_tree(organization=org)
    assert (tree[0].council.name, tree[0].depth, tree[0].children) == (
        "All-Russian Congress of Soviets",
        0,
        3,
    )
    names = {node.council.name for node in tree[1:]}
    assert {"Petrograd Soviet", "Moscow Soviet"} <= names
    for slug in ("petrograd", "moscow"):
        allocated = selectors.composition_at(council=council(org, slug)).allocated
        assert 40 <= allocated <= 80
    sections = set(org.constituencies.values_list("section", flat=True))
    assert sections == {"workers", "soldiers"}
    assert Member.objects.filter(organization=org).count() > 2000


def test_the_demonstration_accounts_sign_in_with_the_printed_password(org, settings):
    # The module's demonstration was loaded with the real hasher, before the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["organizer", "worker", "soldier"])
    }
    assert all(users[name].check_password("councils1917") for name in ("organizer", "worker", "soldier"))
    organizer, worker, soldier = users["organizer"], users["worker"], users["soldier"]
    assert Officer.objects.filter(organization=org, user=organizer, role=Officer.Role.ORGANIZER).exists()
    assert organizer.is_staff
    assert Member.objects.get(organization=org, user=worker).constituency.slug == data.WORKER_CONSTITUENCY
    assert Member.objects.get(organization=org, user=soldier).constituency.section == "soldiers"


def test_in_april_the_mensheviks_and_srs_lead_the_soviets_of_both_capitals(org):
    for slug in ("petrograd", "moscow"):
        composition = selectors.composition_at(council=council(org, slug), at=moment("1917-04-15"))
        seats = {short(f.faction): f.seats for f in composition.factions}

        assert short(composition.largest) in {"SRs", "Mensheviks", None}, slug
        assert seats["SRs"] + seats["Mensheviks"] >= composition.majority_needed, slug
        assert composition.majority is None or short(composition.majority) != "Bolsheviks"
        assert seats["Bolsheviks"] < seats["SRs"]


def test_in_spring_the_menshevik_sr_bloc_holds_the_majority_of_both_capitals(org):
    for slug in ("petrograd", "moscow"):
        composition = selectors.composition_at(council=council(org, slug), at=moment("1917-04-15"))
        [bloc] = composition.blocs
        assert bloc.name == data.MENSHEVIK_SR_BLOC
        assert {short(f) for f in bloc.factions} == {"SRs", "Mensheviks"}
        seats = {short(f.faction): f.seats for f in composition.factions}
        assert bloc.seats == seats["SRs"] + seats["Mensheviks"]
        assert bloc.majority and composition.bloc_majority == bloc, slug
    [petrograd] = [
        r
        for r in selectors.majority_map(organization=org, at=moment("1917-04-15"))
        if r.council.slug == "petrograd"
    ]
    assert petrograd.bloc_majority is not None


def test_the_bloc_loses_petrograd_in_september_and_ends_at_the_second_congress(org):
    september = selectors.composition_at(council=council(org, "petrograd"), at=moment("1917-09-20"))
    [bloc] = september.blocs
    assert not bloc.majority
    assert selectors.composition_at(council=council(org, "petrograd"), at=moment("1917-10-26")).blocs == []
    kinds = list(
        Event.objects.filter(organization=org, kind__startswith="bloc.")
        .order_by("occurred_at")
        .values_list("kind", flat=True)
    )
    assert kinds == ["bloc.formed", "bloc.ended"]


def test_by_the_middle_of_september_the_bolsheviks_hold_both_capitals(org):
    for slug in ("petrograd", "moscow"):
        composition = selectors.composition_at(council=council(org, slug), at=moment("1917-09-20"))
        assert short(composition.majority) == "Bolsheviks", slug
        assert composition.vacant == 0


def test_the_petrograd_majority_came_by_9_september(org):
    composition = selectors.composition_at(council=council(org, "petrograd"), at=moment("1917-09-09"))
    assert short(composition.majority) == "Bolsheviks"


def test_history_shows_recalls_by_elections_and_faction_changes(org):
    kinds = set(Event.objects.filter(organization=org).values_list("kind", flat=True))
    assert {"petition.signed", "election.declared", "deputy.faction_changed", "petition.expired"} <= kinds
    recalled = Seat.objects.filter(organization=org, end_reason=Seat.EndReason.RECALL)
    assert recalled.filter(end__month__in=[8, 9], end__year=1917).count() >= 4
    points = selectors.composition_history(council=council(org, "petrograd"))
    assert len(points) > 10
    assert Affiliation.objects.filter(
        organization=org, faction__short_name="Left SRs", start__year=1917
    ).exists()


def test_the_congress_delegates_follow_their_soviets(org):
    at = moment("1917-10-26")
    congress = council(org, "congress")
    composition = selectors.composition_at(council=congress, at=at)

    assert short(composition.majority) == "Bolsheviks"
    assert composition.filled == data.CONGRESS_SEATS
    june = selectors.composition_at(council=congress, at=moment("1917-06-20"))
    assert short(june.majority) != "Bolsheviks"
    for row in composition.seats:
        below = row.seat.derives_from
        assert below is not None and below.start <= at and (below.end is None or below.end > at)


def test_the_worker_can_sign_the_petition_that_lacks_one_signature_and_recall_the_deputy(org):
    worker = Member.objects.get(organization=org, user__username="worker")
    home = selectors.member_home(member=worker)
    [row] = [r for r in home.petitions if not r.signed]
    assert row.signatures == row.required - 1
    seat = row.petition.seat

    outcome = services.petition_sign(actor=worker.user, petition=row.petition)

    assert outcome.recalled
    seat.refresh_from_db()
    assert seat.end_reason == Seat.EndReason.RECALL
    composition = selectors.composition_at(council=council(org, "petrograd"))
    assert composition.vacant >= 1


def test_the_audit_chain_of_the_whole_history_verifies(org):
    report = chain_verify(organization=org)
    assert report.ok, report.problem
    assert report.checked == Event.objects.filter(organization=org).count()


def test_every_stored_payload_is_what_its_kind_writes_back(org):
    # Events are written through payload_clean, which skips the payload class's instance: it must
    # give what loading the payload into its class and dumping it again gives, for every kind here.
    kinds_seen = set()
    for code, stored in Event.objects.filter(organization=org).values_list("kind", "data"):
        kind = kind_get(code)
        assert payload_clean(kind, stored) == payload_dump(payload_load(kind, stored)) == stored, code
        kinds_seen.add(code)
    assert len(kinds_seen) >= 20


def test_loading_twice_changes_nothing(org):
    events = Event.objects.count()
    petitions = RecallPetition.objects.count()

    assert load_demo() is None
    out = StringIO()
    call_command("demo", "--no-migrate", stdout=out)

    assert "already loaded" in out.getvalue()
    assert "councils1917" in out.getvalue()
    assert Organization.objects.filter(slug="soviets-1917").count() == 1
    assert (Event.objects.count(), RecallPetition.objects.count()) == (events, petitions)


def test_names_are_the_same_on_every_run():
    row = data.PETROGRAD.constituencies[0]
    first = data.member_names(row, 0)
    assert first == data.member_names(row, 0)
    assert len({email for _name, email in first}) == row.members
    mill = next(c for c in data.PETROGRAD.constituencies if c.slug == "vyborg-mills")
    women = [n for n, _e in data.member_names(mill, 0) if n.split()[0] in data.GIVEN_NAMES_WOMEN]
    assert len(women) == round(mill.members * data.WOMEN_SHARE_BY_SLUG["vyborg-mills"])
    assert all(n.split()[1].endswith("a") for n in women if n.split()[1][-2:] in ("va", "na"))


# --- every composition at every date, as it was before mandates became one row -----------------

COMPOSITIONS = Path(__file__).parent / "data" / "compositions_1917.json"


def _digest(composition) -> dict:
    seats = sorted(
        [r.holder, r.faction.short_name if r.faction else None, r.section, r.part] for r in composition.seats
    )
    return {
        "factions": dict(sorted(Counter(str(s[1]) for s in seats).items())),
        "vacant": composition.vacant,
        "majority": composition.majority.short_name if composition.majority else None,
        "seats": hashlib.sha256(json.dumps(seats).encode()).hexdigest()[:16],
    }


def test_every_council_has_the_same_composition_at_every_date_as_before_mandates(org):
    """``compositions_1917.json`` was written by the code that stored a faction change or a
    re-election as a new seat row: the demonstration told with one row per mandate gives the same
    deputies, factions, sections, vacancies and majorities in every council at every moment."""
    expected = json.loads(COMPOSITIONS.read_text())
    for slug, moments in expected.items():
        if slug == "_majority_map":
            continue
        council = Council.objects.get(organization=org, slug=slug)
        for moment_text, want in moments.items():
            got = _digest(selectors.composition_at(council=council, at=datetime.fromisoformat(moment_text)))
            assert got == want, f"{slug} at {moment_text}"
    for moment_text, want in expected["_majority_map"].items():
        rows = selectors.majority_map(organization=org, at=datetime.fromisoformat(moment_text))
        # The councils the golden file knew (the Constituent Assembly of November came later).
        known = {row[0] for row in want}
        got = [
            [r.council.slug, r.majority.short_name if r.majority else None, r.filled, r.allocated]
            for r in rows
            if r.council.slug in known
        ]
        assert got == want, f"majority map at {moment_text}"


def test_the_deliberation_of_october(org):
    """The all-city conference gives a binding mandate; the Second Congress checks credentials, loses
    its Mensheviks and SRs in a walkout, and adopts the theses by a roll call that follows it."""
    from councils.deliberation import selectors as deliberation
    from councils.deliberation.models import Instruction, Motion, Sitting

    conference = Sitting.objects.get(organization=org, title="Petrograd All-City Conference")
    congress = Sitting.objects.get(organization=org, kind=Sitting.Kind.CONGRESS)
    assert conference.state == congress.state == Sitting.State.CLOSED
    quorum = deliberation.quorum(sitting=congress, at=congress.closed_at)
    assert quorum.accredited_only and quorum.present < quorum.held
    theses = Motion.objects.get(organization=org, council=congress.council, origin__isnull=False)
    assert theses.state == Motion.State.ADOPTED and theses.origin.state == Motion.State.FORWARDED
    assert Instruction.objects.get(motion=theses).binding
    report = deliberation.compliance(motion=theses)
    assert report.rows and report.departed == 0 and report.complied > 0
    peace = Motion.objects.get(organization=org, title="Decree on Peace")
    assert "before 25 October" in peace.adopted_text
    from councils.deliberation.selectors.minutes import minutes

    record = minutes(sitting=congress)
    assert [row.item.kind for row in record.items] == ["report", "motion", "motion", "motion", "election"]
    assert any(row.speeches for row in record.items)
    # The votes are polls of the delegates present: the theses by a roll call, the executive by STV.
    from councils.deliberation.models import Decision, SittingPoll

    theses_decision = Decision.objects.get(motion=theses, amendment__isnull=True)
    assert theses_decision.method == Decision.Method.POLL and theses_decision.votes.count() == len(
        report.rows
    )
    assert theses_decision.sitting_poll.poll.result["turnout"]["electors"] == quorum.present
    executive = record.items[-1].polls[0]
    assert executive.poll.method == "scottish-stv" and executive.outcome.startswith("elected: ")
    assert len(executive.poll.result["elected"]) == executive.poll.seats and executive.named
    mandate = SittingPoll.objects.get(sitting=conference, subject=SittingPoll.Subject.INSTRUCTION)
    assert mandate.decision.instruction == Instruction.objects.get(motion=theses)


def test_the_demonstration_opens_at_the_end_of_its_history(org, client):
    """Its councils last changed in 1917: the pages show that day and say so, not today's date."""
    from django.urls import reverse

    from councils.web.views._common import default_day

    last = selectors.last_change(organization=org)
    assert last is not None and last.year == 1917
    assert default_day(org) == last.date()
    client.force_login(get_user_model().objects.get(username="worker"))
    content = client.get(reverse("organization", args=[org.slug])).content.decode()
    assert "1917." in content.split('class="shown-as-of"')[1].split("</p>")[0]
    assert "The history of this organization ends that day" in content


def test_the_polls_of_1917(org):
    """The Second Congress's named vote, Kronstadt's delegates by STV, the Constituent Assembly's
    list election by the whole organization and the recall vote of December, each declared with its
    result."""
    from councils.voting.demo import ASSEMBLY_SLUG, SOVNARKOM
    from councils.voting.demo import DISTRICT_SLUG as ASSEMBLY_DISTRICT
    from councils.voting.models import Participation, Poll

    polls = {p.purpose: p for p in Poll.objects.filter(organization=org)}
    assert all(p.state == Poll.State.PUBLISHED for p in polls.values())
    motion = Poll.objects.get(organization=org, title=SOVNARKOM)
    assert motion.result["adopted"] and int(motion.result["decision"]["yes"]) > 0
    voters = Participation.objects.filter(poll=motion).values_list("principal_id", flat=True)
    walked_out = Affiliation.objects.filter(
        seat__council__slug="congress",
        seat__holder_id__in=list(voters),
        faction__short_name__in=["Mensheviks", "SRs"],
        start__lte=motion.opened_at,
    ).exclude(end__lte=motion.opened_at)
    assert not walked_out.exists()

    stv = polls[Poll.Purpose.DELEGATES]
    assert stv.method == "scottish-stv" and len(stv.result["stages"]) > 1
    assert stv.election.status == "declared"
    kronstadt = council(org, "kronstadt")
    delegates = Seat.objects.filter(council__slug="congress", child_council=kronstadt, end__isnull=True)
    assert delegates.exists() and all(s.derives_from.council_id == kronstadt.pk for s in delegates)

    lists = polls[Poll.Purpose.LIST]
    # The whole organization voted: members of the soviets' constituencies as well as the district's.
    assert lists.electorate_organization
    voted_in = set(
        Participation.objects.filter(poll=lists).values_list("principal__constituency__slug", flat=True)
    )
    assert ASSEMBLY_DISTRICT in voted_in and len(voted_in) > 10
    table = lists.result["apportionment"]
    assert table["method"] == "dhondt" and table["excluded_by_threshold"] == ["Mensheviks"]
    assembly = council(org, ASSEMBLY_SLUG)
    filled = Seat.objects.filter(council=assembly, start__lte=lists.published_at).count()
    assert filled == sum(row["seats"] - row["unfilled"] for row in lists.result["lists"]) == 12

    recall = polls[Poll.Purpose.RECALL]
    assert recall.result["adopted"]
    petition = recall.recall_petition
    assert petition.status == RecallPetition.Status.SUCCEEDED
    assert petition.seat.end_reason == Seat.EndReason.RECALL
    assert petition.seat.council.slug == ASSEMBLY_SLUG
