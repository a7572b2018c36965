"""``councils import-members ORG FILE.csv``: all or nothing, errors by line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from councils.audit.models import Event
from councils.federation.models import Member
from tests.factories import (
    ConstituencyFactory,
    MemberFactory,
    OfficerFactory,
    OrganizationFactory,
    UserFactory,
)


@pytest.fixture
def org(db):
    org = OrganizationFactory(slug="soviets")
    ConstituencyFactory(organization=org, council__organization=org, name="Putilov Works", slug="putilov")
    ConstituencyFactory(
        organization=org, council__organization=org, name="Volynsky Regiment", slug="volynsky"
    )
    return org


def write(tmp_path: Path, text: str, *, bom: bool = False) -> str:
    path = tmp_path / "members.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def import_members(*args: str) -> str:
    out = io.StringIO()
    call_command("import_members", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def failure(*args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        import_members(*args)
    return str(excinfo.value)


GOOD = "Anna Ivanova,anna@example.org,putilov\nFyodor Petrov,fyodor@example.org,Volynsky Regiment\n"


def test_a_good_file_imports_every_member_in_its_constituency(org, tmp_path):
    out = import_members("soviets", write(tmp_path, GOOD))

    assert "Imported 2 members" in out
    anna = Member.objects.get(organization=org, user__email="anna@example.org")
    assert (anna.name, anna.constituency.slug) == ("Anna Ivanova", "putilov")
    assert Member.objects.get(user__email="fyodor@example.org").constituency.slug == "volynsky"
    # One audit event for the whole import.
    assert Event.objects.filter(organization=org, kind="members.imported").count() == 1


def test_a_header_row_is_skipped_and_errors_count_it_as_line_1(org, tmp_path):
    text = "name,email,constituency\n" + GOOD + "Bad Row,not-an-email,putilov\n"

    message = failure("soviets", write(tmp_path, text))

    assert "line 4: invalid email" in message
    assert not Member.objects.exists()


def test_the_header_is_recognized_whatever_its_case_and_spacing(org, tmp_path):
    out = import_members("soviets", write(tmp_path, "Name, Email ,Constituency\n" + GOOD))
    assert "Imported 2 members" in out


def test_a_utf8_file_with_a_byte_order_mark_is_read(org, tmp_path):
    text = "name,email,constituency\nАнна Иванова,anna@example.org,putilov\n"

    import_members("soviets", write(tmp_path, text, bom=True))

    assert Member.objects.get().name == "Анна Иванова"


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(org, tmp_path):
    text = (
        "Anna Ivanova,anna@example.org,putilov\n"  # 1: good
        ",nameless@example.org,putilov\n"  # 2: empty name
        "Fyodor Petrov,fyodor.example.org,putilov\n"  # 3: invalid email
        "Osip Orlov,osip@example.org,Obukhov Works\n"  # 4: unknown constituency
        "Lev Sokolov,lev@example.org\n"  # 5: missing column
        "Anna Ivanova,ANNA@example.org,putilov\n"  # 6: duplicate of line 1
    )

    message = failure("soviets", write(tmp_path, text))

    assert "Nothing was imported" in message
    assert "line 2: the name is empty" in message
    assert "line 3: invalid email" in message
    assert "line 4: unknown constituency 'Obukhov Works'" in message
    assert "line 5: expected 3 columns" in message
    assert "line 6: duplicate email anna@example.org, also on line 1" in message
    assert "line 1" not in message.replace("also on line 1", "")
    assert not Member.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Event.objects.exists()


def test_duplicate_emails_name_both_lines(org, tmp_path):
    rows = [f"Member {i},member{i}@example.org,putilov" for i in range(1, 9)]
    rows.append("Member Again,member4@example.org,volynsky")

    message = failure("soviets", write(tmp_path, "\n".join(rows) + "\n"))

    assert "line 9: duplicate email member4@example.org, also on line 4" in message


def test_someone_already_a_member_is_reported(org, tmp_path):
    MemberFactory(
        organization=org, constituency=org.constituencies.first(), user=UserFactory(email="anna@example.org")
    )

    message = failure("soviets", write(tmp_path, GOOD))

    assert "line 1: anna@example.org is already a member" in message
    assert Member.objects.count() == 1


def test_many_errors_are_cut_at_twenty_with_a_count_of_the_rest(org, tmp_path):
    text = "".join(f"Member {i},bad-email-{i},putilov\n" for i in range(1, 31))

    message = failure("soviets", write(tmp_path, text))

    assert "line 20:" in message
    assert "line 21:" not in message
    assert "and 10 more errors" in message


def test_an_existing_user_is_found_by_email_not_duplicated(org, tmp_path):
    user = UserFactory(email="anna@example.org")

    import_members("soviets", write(tmp_path, GOOD))

    assert Member.objects.get(user__email="anna@example.org").user == user
    assert get_user_model().objects.filter(email__iexact="anna@example.org").count() == 1


def test_the_import_can_be_recorded_as_an_organizers(org, tmp_path):
    organizer = UserFactory(username="organizer")
    OfficerFactory(organization=org, user=organizer)

    import_members("soviets", write(tmp_path, GOOD), "--actor", "organizer")

    assert Event.objects.get(kind="members.imported").actor == organizer


def test_an_actor_who_does_not_organize_is_refused(org, tmp_path):
    UserFactory(username="outsider")

    message = failure("soviets", write(tmp_path, GOOD), "--actor", "outsider")

    assert "organizer" in message
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nowhere", "members.csv"], "Unknown organization: nowhere"),
        (["soviets", "/no/such/file.csv"], "No such file"),
    ],
)
def test_wrong_arguments_are_named(org, args, expected):
    assert expected in failure(*args)


def test_a_folder_given_as_the_file_is_refused_clearly(org, tmp_path):
    assert f"Cannot read {tmp_path}: Is a directory" in failure("soviets", str(tmp_path))


def test_a_file_that_is_not_utf8_is_refused_clearly(org, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Anna Müller,anna@example.org,putilov\n".encode("latin-1"))

    assert "is not UTF-8" in failure("soviets", str(path))


def test_an_empty_file_is_refused(org, tmp_path):
    assert "holds no members" in failure("soviets", write(tmp_path, "name,email,constituency\n\n"))


def test_semicolons_for_spreadsheets_that_write_them(org, tmp_path):
    out = import_members("soviets", write(tmp_path, GOOD.replace(",", ";")), "--delimiter", ";")
    assert "Imported 2 members" in out


def test_five_thousand_members_import_in_one_go(org, tmp_path):
    text = "name,email,constituency\n" + "".join(
        f"Member {i},member{i}@example.org,{'putilov' if i % 2 else 'volynsky'}\n" for i in range(5000)
    )

    out = import_members("soviets", write(tmp_path, text))

    assert "Imported 5,000 members" in out
    assert Member.objects.filter(organization=org).count() == 5000
    assert Member.objects.filter(constituency__slug="putilov").count() == 2500


def test_a_progress_bar_is_drawn_on_a_terminal(org, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    text = "".join(f"Member {i},member{i}@example.org,putilov\n" for i in range(2500))
    terminal = Terminal()

    call_command("import_members", "soviets", write(tmp_path, text), stdout=io.StringIO(), stderr=terminal)

    assert "2,500 / 2,500" in terminal.getvalue()
    assert "[" + "#" * 30 + "]" in terminal.getvalue()


def test_no_progress_bar_when_the_output_is_not_a_terminal(org, tmp_path):
    text = "".join(f"Member {i},member{i}@example.org,putilov\n" for i in range(2500))
    pipe = io.StringIO()

    call_command("import_members", "soviets", write(tmp_path, text), stdout=io.StringIO(), stderr=pipe)

    assert pipe.getvalue() == ""
    assert Member.objects.count() == 2500
