"""The lean signature (``councils.lean.sign``) answers every signature exactly as the ninja endpoint
under the whole stack does: each case is sent through both, from the same database state, and
compared; and what it refuses changes nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from councils import lean, serving
from councils.accounts.services import token_create
from councils.audit.models import Event
from councils.federation.models import Officer, RecallPetition, Signature
from tests.factories import (
    ConstituencyFactory,
    MemberFactory,
    OfficerFactory,
    PetitionFactory,
    SeatFactory,
    SignatureFactory,
)
from tests.wsgi import Answer, NinjaHandler, compare, keep_test_connection

pytestmark = pytest.mark.django_db

_names = itertools.count()
_keep_the_test_connection = pytest.fixture(autouse=True)(keep_test_connection)


@pytest.fixture(scope="module")
def ninja_handler() -> NinjaHandler:
    return NinjaHandler()


def _stored() -> tuple[int, int]:
    return Signature.objects.count(), Event.objects.count()


def _compare(ninja_handler, path: str, method: str = "POST", body: bytes = b"", **headers: str) -> Answer:
    """The lean signature's answer, after checking that ninja's endpoint gives the same; ``stored``:
    the signatures and events after the request."""
    return compare(ninja_handler, method, path, body, headers, stored=_stored, blanked=("signed_at",))


def _token(user) -> str:
    return f"Bearer {token_create(actor=user, name=f'script {next(_names)}')[1]}"


@pytest.fixture
def petition(world) -> RecallPetition:
    assert lean.enabled() and serving.application.token_api is not None
    return PetitionFactory(seat=world.seat, required=2)


def _path(petition_or_id, slug: str = "petrograd") -> str:
    pk = getattr(petition_or_id, "pk", petition_or_id)
    return f"/api/organizations/{slug}/petitions/{pk}/sign"


def test_a_constituent_signs_and_a_second_signature_is_refused(world, petition, ninja_handler) -> None:
    before = _stored()
    answer = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.member.user))
    assert answer.status == 200
    assert answer.body == {
        "petition": petition.pk,
        "signed_at": "(given by the database)",
        "signatures": 1,
        "required": 2,
        "recalled": False,
    }
    assert answer.stored == (before[0] + 1, before[1] + 1)
    assert answer.headers[b"content-type"] == b"application/json; charset=utf-8"
    assert b"x-frame-options" in answer.headers and b"content-security-policy" in answer.headers
    SignatureFactory(petition=petition, member=world.member)
    again = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.member.user))
    assert again.status == 400 and again.stored == _stored()
    assert again.body["errors"]["petition"] == ["You have already signed this petition."]


def test_the_signature_at_the_threshold_recalls(world, petition, ninja_handler) -> None:
    SignatureFactory(petition=petition)
    answer = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.member.user))
    assert answer.status == 200 and answer.body["recalled"] is True and answer.body["signatures"] == 2


def test_who_may_not_sign_is_told_why(world, petition, ninja_handler) -> None:
    elsewhere = ConstituencyFactory(council=world.council)
    neighbour = MemberFactory(constituency=elsewhere).user
    organizer = world.organizer
    cases = [
        # A member of another organization: told that they may not see this one.
        (world.outsider, 403, "Only members and officers"),
        # A member of the organization from another constituency, and an organizer who is no member.
        (neighbour, 403, "Only members of the deputy's constituency"),
        (organizer, 403, "Only members of the deputy's constituency"),
    ]
    for user, status, message in cases:
        answer = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(user))
        assert answer.status == status and message in answer.body["detail"], user
        assert answer.stored == _stored()


def test_unknown_addresses(world, petition, ninja_handler) -> None:
    member = _token(world.member.user)
    outsider = _token(world.outsider)
    other = PetitionFactory(seat=SeatFactory(), required=2)  # a petition of another organization
    cases = [
        (_path(petition, "nowhere"), member, 404),
        (_path(99_999_999), member, 404),
        (_path(other), member, 404),
        # An outsider learns nothing of which petitions exist: the organization is refused first.
        (_path(99_999_999), outsider, 403),
        (_path(petition), "Bearer not-a-token", 401),
    ]
    for path, auth, status in cases:
        answer = _compare(ninja_handler, path, HTTP_AUTHORIZATION=auth)
        assert answer.status == status, path
        assert answer.stored == _stored()


def test_a_petition_closed_or_expired_is_refused(world, petition, ninja_handler) -> None:
    petition.status = RecallPetition.Status.CLOSED
    petition.save()
    answer = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.member.user))
    assert answer.status == 400 and "This petition is" in answer.body["errors"]["petition"][0]
    outsider = _compare(ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.outsider))
    assert outsider.status == 403
    expired = PetitionFactory(
        seat=world.seat,
        opened_at=timezone.now() - timedelta(days=31),
        expires_at=timezone.now() - timedelta(days=1),
    )
    answer = _compare(ninja_handler, _path(expired), HTTP_AUTHORIZATION=_token(world.member.user))
    assert answer.status == 400 and "expired" in answer.body["errors"]["petition"][0]


def test_refusals_in_the_readers_language(world, petition, ninja_handler) -> None:
    OfficerFactory(organization=world.organization, role=Officer.Role.RETURNING_OFFICER)
    answer = _compare(
        ninja_handler, _path(petition), HTTP_AUTHORIZATION=_token(world.outsider), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert answer.status == 403 and answer.headers[b"content-language"] == b"ru"


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {}),
        ("PUT", {}),
        ("POST", {"HTTP_AUTHORIZATION": "Token abc"}),
    ],
)
def test_what_the_lean_view_does_not_expect_goes_to_ninja(
    world, petition, ninja_handler, method, headers
) -> None:
    auth = {"HTTP_AUTHORIZATION": _token(world.member.user)}
    answer = _compare(ninja_handler, _path(petition), method, **{**auth, **headers})
    assert answer.status in {401, 405} and answer.stored == _stored()
    other = _compare(ninja_handler, _path("1x"), **auth)
    assert other.status == 422 and other.stored == _stored()
