"""Text people type is refused when it holds control characters or bidirectional overrides, or is
longer than the field holds: through the import of members (the line named, on both databases)
and through the services every page and the API call."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from councils.audit.models import Event
from councils.federation import services
from councils.federation.models import Member, RecallPetition, Seat
from councils.validators import text_problem
from tests.factories import (
    ConstituencyFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    SeatFactory,
    UserFactory,
)


@pytest.fixture
def org(db):
    org = OrganizationFactory(slug="soviets")
    ConstituencyFactory(organization=org, council__organization=org, name="Putilov Works", slug="putilov")
    return org


def import_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode())
    with pytest.raises(CommandError) as caught:
        call_command("import_members", "soviets", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


GOOD = "Anna Ivanova,anna@example.org,putilov\n"


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("A" * 201 + ",long@example.org,putilov", "the name is 201 characters long; at most 200"),
        ("Boris," + "b" * 140 + "@example.org,putilov", "the email address is 152 characters long"),
        ("Nul\x00Byte,nul@example.org,putilov", "control character (U+0000) at character 4"),
        ("Bell\x07,bell@example.org,putilov", "control character (U+0007) at character 5"),
        ("Escape\x1b[31m,esc@example.org,putilov", "control character (U+001B)"),
        ("Ivan \u202egnp.exe,ivan@example.org,putilov", "bidirectional control character (U+202E)"),
        ("Olga \u2066x\u2069,olga@example.org,putilov", "bidirectional control character (U+2066)"),
        ("Pyotr,pyotr\x00@example.org,putilov", "the email address holds a control character (U+0000)"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line_and_nothing_is_imported(org, tmp_path, row, words):
    message = import_file(tmp_path, GOOD + row + "\n")
    assert "line 2:" in message and words in message
    assert not Member.objects.exists()
    assert not get_user_model().objects.filter(email__endswith="example.org").exists()
    assert not Event.objects.filter(kind="members.imported").exists()


def test_every_bad_row_is_listed_at_once(org, tmp_path):
    rows = "Nul\x00,nul@example.org,putilov\n" + "Z" * 300 + ",z@example.org,putilov\n"
    message = import_file(tmp_path, rows)
    assert "line 1:" in message and "line 2:" in message


def test_a_long_unknown_constituency_is_shown_cut_and_escaped(org, tmp_path):
    message = import_file(tmp_path, "Anna,anna@example.org," + "\x1b" * 500 + "\n")
    assert "line 1: unknown constituency '\\x1b" in message
    assert len(message) < 600


def test_a_150_character_address_whose_username_is_taken_still_fits(org, tmp_path):
    email = "e" * 138 + "@example.org"
    assert len(email) == 150
    UserFactory(username=email, email="other@example.org")
    path = tmp_path / "members.csv"
    path.write_text(f"Elena,{email},putilov\n")
    call_command("import_members", "soviets", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    user = get_user_model().objects.get(email=email)
    assert len(user.username) <= 150


@pytest.fixture
def organizer(org):
    user = UserFactory()
    OfficerFactory(organization=org, user=user)
    return user


@pytest.mark.parametrize("name", ["Reds\u202e", "Reds\x00", "Re\tds"])
def test_a_faction_name_with_control_characters_is_refused(org, organizer, name):
    with pytest.raises(ValidationError) as caught:
        services.faction_create(actor=organizer, organization=org, name=name, short_name="R")
    assert "name" in caught.value.message_dict
    assert not org.factions.exists()


def test_an_organization_description_may_have_line_breaks_but_no_override(db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    org = services.organization_create(actor=admin, name="Union", description="Line one\nLine two")
    assert org.description == "Line one\nLine two"
    with pytest.raises(ValidationError) as caught:
        services.organization_create(actor=admin, name="Union 2", description="x\u202ey")
    assert "description" in caught.value.message_dict


def test_a_petition_reason_is_checked_before_anything_is_written(org):
    constituency = org.constituencies.get()
    deputy = MemberFactory(constituency=constituency)
    seat: Seat = SeatFactory(holder=deputy, council=constituency.council, constituency=constituency)
    signer = MemberFactory(constituency=constituency)
    for reason in ("He voted \u202eagainst", "x" * 2001):
        with pytest.raises(ValidationError) as caught:
            services.petition_open(actor=signer.user, seat=seat, reason=reason)
        assert "reason" in caught.value.message_dict
    assert not RecallPetition.objects.exists()
    petition = services.petition_open(actor=signer.user, seat=seat, reason="He voted for the war.\nTwice.")
    assert petition.reason.endswith("Twice.")


def test_the_validator_allows_ordinary_text_in_any_script():
    assert text_problem("Пётр Алексеевич, «Правда»") is None
    assert text_problem("שלום עליכם") is None  # right-to-left text itself is fine
    assert text_problem("a\nb", multiline=True) is None
    assert text_problem("a\nb") is not None


def test_a_field_too_long_for_csv_is_refused_naming_its_line(org, tmp_path):
    message = import_file(tmp_path, GOOD + "Big," + "x" * 200_000 + "@example.org,putilov\n")
    assert "not a readable CSV file: line 2:" in message
    assert not Member.objects.exists()
