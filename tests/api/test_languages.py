"""The API answers in the caller's language (Accept-Language): error messages and event summaries.
What it stores stays language-free."""

from __future__ import annotations

from councils.audit.models import Event
from tests.api.conftest import session_client
from tests.factories import ConstituencyFactory, MemberFactory

RU = {"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}


def _post(client, url: str, body: dict | None = None, **kwargs):
    return client.post(url, body or {}, content_type="application/json", **kwargs)


def test_authentication_errors_follow_accept_language(world, anonymous_client):
    english = anonymous_client.get(world.url("/events"))
    russian = anonymous_client.get(world.url("/events"), headers=RU)
    assert english.status_code == russian.status_code == 401
    assert english.json()["detail"].startswith("Sign in, or send a personal API token")
    assert russian.json()["detail"].startswith("Войдите или передайте личный API-токен")


def test_refusals_and_not_found_follow_accept_language(world, member_client, outsider_client):
    missing = _post(member_client, world.url("/petitions/999999/sign"), headers=RU)
    assert missing.json() == {"detail": "Не найдено."}
    refused = outsider_client.get(world.url("/events"), headers=RU)
    assert refused.status_code == 403
    assert "Это видят только члены и должностные лица организации" in refused.json()["detail"]


def test_a_service_refusing_the_caller_says_why_in_their_language(world, member_client):
    elsewhere = MemberFactory(constituency=ConstituencyFactory(council=world.council, slug="obukhov"))
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    sign = world.url(f"/petitions/{petition['id']}/sign")
    response = _post(session_client(elsewhere.user), sign, headers=RU)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Подписать петицию об отзыве депутата могут только члены его избирательного округа."
    }


def test_rule_errors_follow_accept_language_and_change_nothing(world, member_client):
    petition = _post(member_client, world.url("/petitions"), {"seat": world.seat.pk}).json()
    events = Event.objects.count()
    again = _post(member_client, world.url(f"/petitions/{petition['id']}/sign"), headers=RU)
    assert again.status_code == 400
    assert again.json() == {"errors": {"petition": ["Вы уже подписали эту петицию."]}}
    assert Event.objects.count() == events


def test_schema_errors_follow_accept_language(world, member_client):
    missing = _post(member_client, world.url("/petitions"), {}, headers=RU)
    assert missing.status_code == 422
    (error,) = missing.json()["detail"]
    assert (error["loc"], error["type"], error["msg"]) == (["body", "seat"], "missing", "Обязательное поле")
    too_long = _post(member_client, world.url("/petitions"), {"seat": 1, "reason": "x" * 2001}, headers=RU)
    assert too_long.json()["detail"][0]["msg"] == "Строка должна быть не длиннее 2000 символов"
    english = _post(member_client, world.url("/petitions"), {})
    assert english.json()["detail"][0]["msg"] == "Field required"
    not_json = member_client.post(
        world.url("/petitions"), "seat=1", content_type="application/json", headers=RU
    )
    assert not_json.json()["detail"][0]["msg"] == "Тело запроса — не корректный JSON."


def test_event_summaries_follow_accept_language_and_the_stored_data_has_no_words(world, member_client):
    _post(member_client, world.url("/petitions"), {"seat": world.seat.pk})
    russian = member_client.get(world.url("/events?kind=petition.opened"), headers=RU).json()["items"][0]
    english = member_client.get(world.url("/events?kind=petition.opened")).json()["items"][0]
    assert russian["summary"].startswith("Открыта петиция об отзыве депутата")
    assert english["summary"].startswith("Petition to recall")
    assert russian["data"] == english["data"]
    assert russian["hash"] == english["hash"]
