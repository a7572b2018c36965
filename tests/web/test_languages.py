"""Pages in Russian and English: the switcher that remembers the choice, Accept-Language, localized
dates, SVG numbers that stay unlocalized, and live fragments rendered in each page's language."""

from __future__ import annotations

import asyncio
import re

import pytest
from django.conf import settings
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from councils.audit.models import Event
from councils.federation import services
from councils.live import hub as live
from councils.live import publish
from councils.live.topics import Topic
from councils.web import fragments
from tests.threads import off_loop
from tests.web.scenario import build_petrograd
from tests.web.test_live import WAIT, _parse_event

RUSSIAN_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


@pytest.fixture
def pg(db):
    return build_petrograd()


def _council_url(pg) -> str:
    return reverse("council", args=[pg.org.slug, pg.soviet.slug])


def test_every_page_offers_the_other_language_in_a_plain_form(client, pg) -> None:
    client.force_login(pg.dora.user)
    page = client.get(_council_url(pg)).content.decode()
    assert '<html lang="en"' in page
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', page, re.S)
    assert form is not None, "no language switcher in the header"
    switcher = form.group(0)
    # Works without JavaScript: a submit button per other language, back to this very page.
    assert '<button type="submit" name="language" value="ru" lang="ru"' in switcher
    assert "Русский" in switcher
    assert f'name="next" value="{_council_url(pg)}"' in switcher
    assert "csrfmiddlewaretoken" in switcher
    assert 'aria-current="true">English<' in switcher


def test_the_choice_is_remembered_in_a_cookie(client, pg) -> None:
    client.force_login(pg.dora.user)
    response = client.post(reverse("set_language"), {"language": "ru", "next": _council_url(pg)})
    assert response.status_code == 302
    assert response["Location"] == _council_url(pg)
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600, "the choice must outlive the browser session"

    page = client.get(_council_url(pg)).content.decode()
    assert '<html lang="ru"' in page
    assert "Состав на" in page and "Выборы" in page and "Журнал событий" in page
    # Back to English with the same switcher.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get(_council_url(pg)).content.decode()


def test_the_browser_language_is_followed_without_a_choice(client, pg) -> None:
    client.force_login(pg.dora.user)
    page = client.get(_council_url(pg), headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru"' in page.content.decode()
    # Caches are told that the page depends on the header, and which language it is in.
    assert page.headers["Content-Language"] == "ru" and "Accept-Language" in page.headers["Vary"]
    page = client.get(_council_url(pg), headers={"accept-language": "de-DE,de;q=0.9"})
    assert '<html lang="en"' in page.content.decode() and page.headers["Content-Language"] == "en"


def test_dates_and_numbers_are_localized(client, pg) -> None:
    client.force_login(pg.dora.user)
    day = pg.elected_at.date()
    for language, shown in (("ru", f"{day.day} {RUSSIAN_MONTHS[day.month - 1]} {day.year}"), ("en", None)):
        with translation.override(language):
            expected = shown or formats.date_format(day)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(_council_url(pg), {"at": day.isoformat()}).content.decode()
        assert expected in page, f"{language}: no {expected!r} on the page"
    # Numbers: a Russian page groups thousands with a space and writes a decimal comma.
    with translation.override("ru"):
        assert formats.number_format(1234.5, decimal_pos=1, force_grouping=True) == "1\xa0234,5"


def test_svg_coordinates_stay_unlocalized_in_russian(client, pg) -> None:
    client.force_login(pg.dora.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(_council_url(pg)).content.decode()
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert svgs, "the council page draws no chart"
    numbers = re.findall(r'(?:cx|cy|r|width|height|x|y|x1|y1|x2|y2|viewBox|d)="([^"]*)"', "".join(svgs))
    assert numbers
    assert any("." in n for n in numbers), "expected some fractional coordinates"
    broken = [n for n in numbers if re.search(r"\d,\d", n) or "\xa0" in n]
    assert not broken, f"coordinates localized under ru: {broken[:5]}"


def test_audit_summaries_read_in_the_readers_language_and_are_stored_without_one(client, pg) -> None:
    client.force_login(pg.dora.user)
    event = Event.objects.filter(organization=pg.org, kind="petition.opened").get()
    with translation.override("ru"):
        assert event.summary.startswith("Открыта петиция об отзыве депутата Anna Petrova")
        assert "(нужна 1 подпись)" in event.summary or "подпис" in event.summary
    with translation.override("en"):
        assert event.summary.startswith("Petition to recall Anna Petrova")
    # The stored payload holds ids, numbers and names only: no sentence in any language.
    assert all(not isinstance(v, str) or "recall" not in v.lower() for v in event.data.values())

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("audit", args=[pg.org.slug])).content.decode()
    assert "Открыта петиция об отзыве депутата <bdi>Anna Petrova</bdi>" in page
    assert "Petition to recall" not in page


# --- live fragments, one render per language ---------------------------------------------------


def _follow(name: str, language: str) -> live.Stream:
    return live.Stream(
        organization_id=1,
        topics=frozenset({name}),
        user_id=0,
        session_key="",
        since=publish.version_now(),
        language=language,
    )


def test_each_language_gets_its_own_render_shared_by_its_readers(monkeypatch, settings) -> None:
    settings.REDIS_URL = ""

    def render(topic: Topic) -> str:
        return f'<section id="composition">{gettext("Vacant")}</section>'

    monkeypatch.setitem(fragments.FRAGMENTS, "council", fragments.Fragment("composition", render))
    monkeypatch.setattr(live.publish, "backend", lambda using="default": live.publish.LOCAL)

    async def scenario() -> tuple[list[bytes], list[bytes], int, int]:
        hub = live.hub()
        try:
            english = [_follow("council.10", "en") for _ in range(3)]
            russian = [_follow("council.10", "ru") for _ in range(3)]
            for stream in [*english, *russian]:
                await hub.subscribe(stream)
            await asyncio.sleep(0.05)
            warm_en, warm_ru = hub.renders[(1, "council.10", "en")], hub.renders[(1, "council.10", "ru")]
            hub.deliver(1, f'{{"topics": ["council.10"], "version": {publish.version_now()}}}')
            got_en = [await asyncio.wait_for(s.queue.get(), WAIT) for s in english]
            got_ru = [await asyncio.wait_for(s.queue.get(), WAIT) for s in russian]
            return (
                got_en,
                got_ru,
                hub.renders[(1, "council.10", "en")] - warm_en,
                hub.renders[(1, "council.10", "ru")] - warm_ru,
            )
        finally:
            await live.shutdown()

    got_en, got_ru, renders_en, renders_ru = off_loop(asyncio.run, scenario())
    assert (renders_en, renders_ru) == (1, 1), "one render per language, whatever the readers"
    assert all(chunk is got_en[0] for chunk in got_en) and all(chunk is got_ru[0] for chunk in got_ru)
    assert b"Vacant" in got_en[0] and "Свободно".encode() in got_ru[0]


@pytest.mark.django_db(transaction=True)
def test_a_russian_page_receives_the_new_composition_in_russian() -> None:
    pg = build_petrograd()
    client = AsyncClient()
    client.force_login(pg.elena.user)

    def recall() -> None:
        try:
            services.petition_sign(actor=pg.dora.user, petition=pg.petition)
        finally:
            connections.close_all()

    async def scenario() -> dict[str, str]:
        try:
            url = reverse("live", args=[pg.org.slug])
            response = await client.get(
                url, {"topic": f"council.{pg.soviet.pk}"}, headers={"accept-language": "ru-RU,ru;q=0.9"}
            )
            body = aiter(response.streaming_content)
            await asyncio.wait_for(anext(body), WAIT)
            await asyncio.to_thread(recall)
            chunk = (await asyncio.wait_for(anext(body), WAIT)).decode()
            await body.aclose()
            return _parse_event(chunk)
        finally:
            await live.shutdown()

    event = off_loop(asyncio.run, scenario())
    assert event["event"] == "composition"
    assert "Большинства нет" in event["data"] or "Большинство:" in event["data"]
    assert "Состав на" in event["data"]
    assert "No majority" not in event["data"] and "Composition on" not in event["data"]
