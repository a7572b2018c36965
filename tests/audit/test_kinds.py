"""The registry of event kinds: unknown kinds and payloads that do not fit are refused; summaries
are rendered from the payload when shown, in the reader's language."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import trans_real

from councils.accounts.actors import SYSTEM
from councils.audit.kinds import (
    PayloadError,
    UnknownKind,
    kind_get,
    register_kind,
    registered_kinds,
    summary_render,
)
from councils.audit.models import Event
from councils.audit.services import event_record
from councils.federation import services
from tests.factories import OfficerFactory, OrganizationFactory, UserFactory

FEDERATION_KINDS = {
    "organization.created",
    "officer.appointed",
    "faction.created",
    "council.created",
    "constituency.created",
    "member.added",
    "members.imported",
    "council.apportioned",
    "election.opened",
    "election.declared",
    "seat.resigned",
    "deputy.faction_changed",
    "petition.opened",
    "petition.signed",
    "petition.withdrawn",
    "petition.expired",
}


@pytest.fixture
def org(db):
    return OrganizationFactory()


def _record(org, kind: str, data: object) -> Event:
    with transaction.atomic():
        return event_record(organization=org, kind=kind, actor=SYSTEM, data=data)


def test_every_kind_the_federation_records_is_registered():
    assert set(registered_kinds()) >= FEDERATION_KINDS


def test_an_unknown_kind_is_refused_and_nothing_is_written(org):
    with pytest.raises(UnknownKind, match=r"'faction\.founded'"):
        _record(org, "faction.founded", {"name": "Cadets"})
    assert not Event.objects.filter(organization=org).exists()


@pytest.mark.parametrize(
    ("data", "pointer", "reason"),
    [
        ({"name": "Cadets"}, "/colour", "missing"),
        ({"name": "Cadets", "colour": "#000", "leader": "Milyukov"}, "/leader", "no such field"),
        ({"name": 17, "colour": "#000"}, "/name", "expected a string, got 17"),
        (["Cadets", "#000"], "/", "expected an object"),
    ],
)
def test_a_payload_that_does_not_fit_is_refused_naming_where(org, data, pointer, reason):
    with pytest.raises(PayloadError) as excinfo:
        _record(org, "faction.created", data)
    assert excinfo.value.pointer == pointer
    assert reason in str(excinfo.value)
    assert "'faction.created'" in str(excinfo.value)
    assert not Event.objects.filter(organization=org).exists()


def test_nested_payloads_are_checked_to_the_leaf(org):
    data = {
        "signature": 1,
        "signatures": 2,
        "required": 3,
        "recalled": False,
        "ended_seats": [
            {"seat": 4, "council": 5, "reason": "recalled"},
            {"seat": "6", "council": 5, "reason": ""},
        ],
        "by_elections": [],
        "petitions_closed": [],
    }
    with pytest.raises(PayloadError) as excinfo:
        _record(org, "petition.signed", data)
    assert excinfo.value.pointer == "/ended_seats/1/seat"


def test_a_bool_is_not_an_integer(org):
    with pytest.raises(PayloadError, match="/user"):
        _record(org, "officer.appointed", {"user": True, "role": "organizer"})


def test_a_payload_instance_is_accepted_and_stored_as_json(org):
    payload_class = kind_get("faction.created").payload
    event = _record(org, "faction.created", payload_class(name="Trudoviks", colour="#aa0000"))
    event.refresh_from_db()
    assert event.data == {"name": "Trudoviks", "colour": "#aa0000"}


def test_what_the_services_record_fits(org):
    organizer = UserFactory()
    OfficerFactory(organization=org, user=organizer)
    faction = services.faction_create(actor=organizer, organization=org, name="Bolsheviks")
    event = Event.objects.get(organization=org, object_id=str(faction.pk))
    assert event.summary == "Faction Bolsheviks created"


def test_registration_refuses_what_it_could_not_check():
    with pytest.raises(TypeError, match="frozen dataclass"):

        @register_kind("testing.mutable", summary="x")
        @dataclass
        class Mutable:
            x: int

    with pytest.raises(ValueError, match="%\\(colour\\)s"):

        @register_kind("testing.placeholder", summary="Painted %(colour)s")
        @dataclass(frozen=True)
        class NoColour:
            name: str

    with pytest.raises(TypeError, match="JSON cannot hold"):

        @register_kind("testing.set", summary="x")
        @dataclass(frozen=True)
        class HasSet:
            members: set[int]

    with pytest.raises(ValueError, match="already registered"):

        @register_kind("faction.created", summary="x")
        @dataclass(frozen=True)
        class Impostor:
            name: str

    with pytest.raises(ValueError, match="dotted"):
        register_kind("NoDots", summary="x")(type("X", (), {}))


def test_summaries_render_from_payload_properties():
    data = {"seats": {"Putilov": 3, "Obukhov": 2}, "changed": {"Putilov": 3}, "council_name": "Petrograd"}
    expected = "Seats of Petrograd apportioned: Putilov 3, Obukhov 2"
    assert summary_render("council.apportioned", data) == expected
    # A stored payload that no longer fits shows no summary rather than failing the page.
    assert summary_render("council.apportioned", {"seats": 3}) is None
    assert summary_render("no.such", {}) is None


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
def test_a_summary_is_shown_in_the_readers_language(org, settings, tmp_path):
    messages = tmp_path / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Faction %(name)s created"\nmsgstr "Fraktion %(name)s gegründet"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", messages / "django.mo", messages / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    trans_real._translations.clear()  # forget the catalogues read before the new path
    try:
        event = _record(org, "faction.created", {"name": "Bolschewiki", "colour": "#aa0000"})
        with translation.override("de"):
            assert event.summary == "Fraktion Bolschewiki gegründet"
        with translation.override("en"):
            assert event.summary == "Faction Bolschewiki created"
    finally:
        trans_real._translations.clear()
