"""What a newcomer found confusing (issue 9): hemicycles that ignored the date control, a petition
card that vanished after the deciding signature, a 1917 history squeezed into one edge of its
chart or shown at today's date, and an elections list with its form out of sight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from councils.federation import services
from tests.web.scenario import Petrograd, build_petrograd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg() -> Petrograd:
    return build_petrograd()


@pytest.fixture
def past() -> Petrograd:
    """A history long past: the soviet elected in March 1917 and unchanged since."""
    return build_petrograd(slug="past", start=datetime(1917, 3, 10, 9, tzinfo=UTC))


def page_urls(pg: Petrograd) -> dict[str, str]:
    slug = pg.org.slug
    return {
        "organization": reverse("organization", args=[slug]),
        "council": reverse("council", args=[slug, pg.soviet.slug]),
        "constituency": reverse("constituency", args=[slug, pg.putilov.slug]),
        "elections": reverse("elections", args=[slug]),
    }


# --- hemicycles ----------------------------------------------------------------------------------


def test_the_organization_hemicycles_follow_the_date_control(client, pg):
    """The tree's hemicycles show the day chosen, as the majority map below them does."""
    client.force_login(pg.dora.user)
    before_elections = (pg.elected_at - timedelta(days=1)).date().isoformat()
    today = client.get(page_urls(pg)["organization"]).content.decode()
    before = client.get(page_urls(pg)["organization"], {"at": before_elections}).content.decode()

    assert today.count('class="seat vacant"') == 0
    assert "Anna Petrova, Bolsheviks" in today
    assert before.count('class="seat vacant"') == 3
    assert "Anna Petrova" not in before
    # The council links keep the day shown.
    assert f"?at={before_elections}" in before


def test_the_council_hemicycle_names_each_seat_and_marks_the_majority_line(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(page_urls(pg)["council"]).content.decode()
    for name in ("Anna Petrova, Bolsheviks", "Elena Stasova, Bolsheviks", "Viktor Orlov, Mensheviks"):
        assert f"<title>{name}</title>" in content
    # 3 filled seats: the second makes the majority, said in the picture's description.
    assert 'class="majority-line"' in content
    assert (
        "The dashed line follows seat 2 counted from the left: 2 of the 3 filled seats make a majority."
        in (content)
    )


# --- the deciding signature ----------------------------------------------------------------------


def test_the_deciding_signature_says_the_seat_ended_and_updates_the_deputies(client, pg):
    client.force_login(pg.dora.user)
    response = client.post(
        reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]), headers={"HX-Request": "true"}
    )
    content = response.content.decode()

    card, deputies = content.split('<div id="constituency-deputies" hx-swap-oob="true">')
    assert "The petition succeeded on" in card
    assert "the seat of Anna Petrova in Petrograd Soviet ended" in card
    # The constituency's deputies, swapped out of band: Anna is gone, Viktor stays.
    assert "Anna Petrova" not in deputies
    assert "Viktor Orlov" in deputies


def test_a_signature_that_does_not_decide_swaps_only_the_card(client, pg):
    services.petition_withdraw(actor=pg.boris.user, petition=pg.petition)
    client.force_login(pg.dora.user)
    content = client.post(
        reverse("petition_sign", args=[pg.org.slug, pg.petition.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "You signed the petition" in content
    assert "hx-swap-oob" not in content


def test_the_constituency_page_keeps_a_succeeded_petition_with_its_outcome(client, pg):
    """Anyone who had the page open, or opens it later, reads what became of the petition."""
    services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    client.force_login(pg.boris.user)
    content = client.get(page_urls(pg)["constituency"]).content.decode()

    listed = content.split('id="petitions-list"')[1]
    assert "Petitions that ended lately" in listed
    assert "the seat of Anna Petrova in Petrograd Soviet ended" in listed
    assert "2 of 2 signatures" in listed
    assert "Sign the petition" not in listed
    deputies = content.split('id="constituency-deputies"')[1].split("</div>")[0]
    assert "Anna Petrova" not in deputies


def test_the_constituency_deputies_follow_live_changes(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(page_urls(pg)["constituency"]).content.decode()
    assert 'hx-trigger="sse:change" hx-select="#constituency-deputies"' in content
    assert content.count("sse-connect=") == 1  # one stream feeds both the deputies and the petitions


# --- the day shown -------------------------------------------------------------------------------


def test_every_dated_page_says_which_day_it_shows(client, pg):
    client.force_login(pg.dora.user)
    urls = page_urls(pg)
    urls["home"] = reverse("home")
    for name in ("home", "organization", "council", "constituency"):
        content = client.get(urls[name]).content.decode()
        assert f"Shown as of {date_format(timezone.localdate(), 'DATE_FORMAT')}." in content, name
        assert "The history of this organization ends" not in content, name


def test_a_historical_organization_opens_at_the_end_of_its_history(client, past):
    client.force_login(past.dora.user)
    urls = page_urls(past)
    day = past.elected_at.date()
    shown = f"Shown as of {date_format(day, 'DATE_FORMAT')}."
    for name in ("organization", "council"):
        content = client.get(urls[name]).content.decode()
        assert shown in content, name
        assert "The history of this organization ends that day" in content, name
        # Not today's state under a 1917 heading: the seats elected in March 1917 are there.
        assert "Anna Petrova, Bolsheviks" in content, name
        assert f'value="{day.isoformat()}"' in content, name
    council = client.get(urls["council"]).content.decode()
    assert f"Composition on {date_format(day, 'DATE_FORMAT')}" in council


def test_the_constituency_of_a_historical_organization_shows_today_and_says_where_history_ends(client, past):
    """Its petitions are signed today, so they are shown as of today, beside a word on the day
    its councils' pages show."""
    client.force_login(past.dora.user)
    content = client.get(page_urls(past)["constituency"]).content.decode()
    ends = date_format(past.elected_at.date(), "DATE_FORMAT")
    assert f"Shown as of {date_format(timezone.localdate(), 'DATE_FORMAT')}." in content
    assert f"The councils of this organization last changed on {ends}" in content
    assert "Sign the petition" in content


def test_a_date_chosen_overrides_the_end_of_history(client, past):
    client.force_login(past.dora.user)
    content = client.get(page_urls(past)["council"], {"at": "1917-03-11"}).content.decode()
    assert "Shown as of March 11, 1917." in content
    assert "The history of this organization ends" not in content
    assert content.count('class="seat vacant"') == 3


def test_a_change_today_brings_a_historical_organization_to_today(client, past):
    services.petition_sign(actor=past.dora.user, petition=past.petition)
    client.force_login(past.dora.user)
    content = client.get(page_urls(past)["council"]).content.decode()
    assert "The history of this organization ends" not in content
    assert "Anna Petrova, Bolsheviks" not in content


# --- seats by faction over time ------------------------------------------------------------------


def test_a_history_long_past_then_a_change_today_breaks_the_time_axis(client, past):
    services.petition_sign(actor=past.dora.user, petition=past.petition)
    client.force_login(past.dora.user)
    content = client.get(page_urls(past)["council"]).content.decode()
    history = content.split('id="history"')[1]
    assert 'class="axis-break"' in history
    assert "The time axis is broken from" in history
    # The table keeps every change, the recall today included.
    assert history.count('<tr><th scope="row">') == 3


def test_the_reader_chooses_the_range_of_the_history_chart(client, pg):
    client.force_login(pg.dora.user)
    day_before = (pg.elected_at - timedelta(days=1)).date()
    response = client.get(
        page_urls(pg)["council"],
        {"since": day_before.isoformat(), "until": pg.elected_at.date().isoformat()},
        headers={"HX-Request": "true", "HX-Target": "history"},
    )
    content = response.content.decode()
    assert content.startswith('<section id="history"')
    assert f'value="{day_before.isoformat()}"' in content
    # The state in force at the start (the allocation), then the elections: two rows.
    assert content.count('<tr><th scope="row">') == 2
    assert "The whole history" in content


def test_a_range_that_ends_before_it_starts_says_so(client, pg):
    client.force_login(pg.dora.user)
    content = client.get(
        page_urls(pg)["council"], {"since": "2026-03-02", "until": "2026-03-01"}
    ).content.decode()
    history = content.split('id="history"')[1]
    assert 'aria-invalid="true"' in history
    assert "The end of the range comes before its start." in history


# --- elections -----------------------------------------------------------------------------------


def _many_elections(pg: Petrograd, n: int) -> None:
    from tests.factories import MemberFactory

    for _ in range(n):
        members = MemberFactory.create_batch(1, constituency=pg.obukhov)
        election = services.election_open(actor=pg.organizer, council=pg.soviet, constituency=pg.obukhov)
        services.election_declare(
            actor=pg.organizer, election=election, elected=[(members[0], pg.bolsheviks)]
        )


def test_the_elections_list_is_paginated(client, pg):
    from councils.web.views.elections import ELECTIONS_PER_PAGE

    _many_elections(pg, ELECTIONS_PER_PAGE + 3)
    client.force_login(pg.dora.user)
    url = page_urls(pg)["elections"]
    first = client.get(url).content.decode()
    declared = first.split('id="closed-elections-heading"')[1]
    assert declared.count("<tr>") == ELECTIONS_PER_PAGE + 1  # the rows and the head
    assert "Page 1 of 2" in declared and '?page=2" rel="next"' in declared

    # Page 2: the three over a page and the scenario's own two elections, and the head.
    second = client.get(url, {"page": 2}).content.decode().split('id="closed-elections-heading"')[1]
    assert second.count("<tr>") == 3 + 2 + 1
    # A page number out of range shows the last page instead of an error.
    huge = client.get(url, {"page": "184467440737095518"})
    assert huge.status_code == 200 and "Page 2 of 2" in huge.content.decode()


def test_the_open_election_form_comes_first_and_its_errors_are_announced(client, pg):
    client.force_login(pg.organizer)
    url = page_urls(pg)["elections"]
    content = client.get(url).content.decode()
    assert content.index("Open an election") < content.index('id="open-elections-heading"')

    refused = client.post(
        reverse("election_open", args=[pg.org.slug]),
        {"open-council": pg.soviet.pk, "open-part": f"constituency:{pg.putilov.pk}", "open-seats": "0"},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    summary = page.split('id="election-open-errors"')[1].split("</div>")[0]
    assert 'role="alert" tabindex="-1" autofocus' in summary
    assert "The election was not opened:" in summary
    assert '<a href="#id_open-' in summary
    # The form, with its errors, comes before the lists.
    assert page.index('id="election-open-errors"') < page.index('id="open-elections-heading"')
