"""Mail: the backend chosen from the environment, and invitations sent through a real SMTP server
that the test starts, read back and followed as a member would."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from councils.accounts import mail
from councils.federation.models import Member
from councils.federation.services import member_invite
from tests.factories import ConstituencyFactory, OfficerFactory
from tests.smtp import body, free_port, link_in, smtp_server, use_smtp

ROOT = Path(__file__).resolve().parents[2]


def _settings_in(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh process with ``env``, printing the mail settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "COUNCILS_MAIL"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_FILE_PATH, "
            "s.DEFAULT_FROM_EMAIL, sep='|')",
        ],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "councils.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "COUNCILS_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_a_mail_server_mail_goes_to_files_in_the_data_directory(tmp_path):
    done = _settings_in({}, tmp_path)
    backend, _host, _port, _tls, path, sender = done.stdout.strip().split("|")
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(path) == tmp_path / "mail"
    assert sender == "Councils <councils@localhost>"


def test_console_mail_when_asked(tmp_path):
    done = _settings_in({"COUNCILS_MAIL": "console"}, tmp_path)
    assert done.stdout.startswith("django.core.mail.backends.console.EmailBackend|")


def test_an_smtp_server_from_the_environment(tmp_path):
    done = _settings_in(
        {
            "EMAIL_HOST": "smtp.example.org",
            "EMAIL_PORT": "587",
            "EMAIL_USE_TLS": "true",
            "DEFAULT_FROM_EMAIL": "Union <councils@union.example.org>",
        },
        tmp_path,
    )
    backend, host, port, tls, _path, sender = done.stdout.strip().split("|")
    assert (backend, host, port, tls) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
    )
    assert sender == "Union <councils@union.example.org>"


def test_an_unknown_mail_choice_is_refused_by_name(tmp_path):
    done = _settings_in({"COUNCILS_MAIL": "pigeon"}, tmp_path)
    assert done.returncode != 0
    assert "COUNCILS_MAIL='pigeon'" in done.stderr
    assert "console, file, smtp" in done.stderr


def test_tls_and_ssl_together_are_refused_at_start(tmp_path):
    done = _settings_in(
        {"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, tmp_path
    )
    assert done.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL are both set" in done.stderr


def test_the_file_backend_writes_into_its_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    delivery = mail.deliver([mail.message(to="anna@example.org", subject="Hello", body="A link.")])
    assert (delivery.sent, delivery.failed, delivery.done) == (1, 0, True)
    [written] = (tmp_path / "mail").iterdir()
    assert "To: anna@example.org" in written.read_text()


# --- invitations through a real SMTP server --------------------------------------------------------


@pytest.fixture
def putilov(transactional_db):
    # Real commits: the command prints what became of the invitations, which go after the commit.
    constituency = ConstituencyFactory(name="Putilov Works", slug="putilov")
    constituency.organization.name = "Petrograd Soviet"
    constituency.organization.save()
    return constituency


def _csv(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "members.csv"
    path.write_text("name,email,constituency\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return str(path)


def _import(path: str, slug: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", slug, path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imported_members_get_an_invitation_whose_link_sets_their_password(
    settings, tmp_path, client, putilov
):
    settings.COUNCILS_BASE_URL = "http://testserver"
    with smtp_server() as (mailbox, port):
        use_smtp(settings, port)
        out, _err = _import(
            _csv(
                tmp_path,
                "Anna Petrova,anna@putilov.example,putilov",
                "Boris Ivanov,boris@putilov.example,putilov",
            ),
            putilov.organization.slug,
        )
    assert "Invitations sent: 2." in out
    [invitation] = mailbox.to("anna@putilov.example")
    assert invitation["Subject"] == "You are a member of Petrograd Soviet on Councils"
    assert "Hello Anna Petrova" in body(invitation)
    link = link_in(invitation, "/accounts/invitation/")

    # The link opens the page that sets a first password (Django moves the token into the session).
    page = client.get(link.removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200
    assert "Welcome: choose your password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "a long new secret 1917", "new_password2": "a long new secret 1917"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")

    signed_in = client.post(
        reverse("login"), {"username": "anna@putilov.example", "password": "a long new secret 1917"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("home")).context["user"].email == "anna@putilov.example"

    # Used once: the same link no longer works.
    client.logout()
    again = client.get(link.removeprefix("http://testserver"), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_recipient_the_server_refuses_does_not_lose_the_import(settings, tmp_path, putilov):
    settings.COUNCILS_BASE_URL = "http://testserver"
    with smtp_server() as (mailbox, port):
        use_smtp(settings, port)
        mailbox.refuse.add("boris@putilov.example")
        out, err = _import(
            _csv(
                tmp_path,
                "Anna Petrova,anna@putilov.example,putilov",
                "Boris Ivanov,boris@putilov.example,putilov",
            ),
            putilov.organization.slug,
        )
        assert "Imported 2 members" in out
        assert "Invitations sent: 1." in out
        assert "1 invitations could not be sent (boris@putilov.example)" in err
        assert Member.objects.filter(organization=putilov.organization).count() == 2
        assert len(mailbox.to("anna@putilov.example")) == 1

        # Once the server takes his mail again, an organizer sends Boris his invitation again.
        mailbox.refuse.clear()
        organizer = OfficerFactory(organization=putilov.organization).user
        boris = Member.objects.get(user__email="boris@putilov.example")
        delivery = member_invite(actor=organizer, member=boris)
    assert (delivery.sent, delivery.failed) == (1, 0)
    [invitation] = mailbox.to("boris@putilov.example")
    assert "/accounts/invitation/" in body(invitation)


def test_a_mail_server_that_is_down_does_not_lose_the_import(settings, tmp_path, putilov):
    use_smtp(settings, free_port())  # nobody listens there
    out, err = _import(_csv(tmp_path, "Anna Petrova,anna@putilov.example,putilov"), putilov.organization.slug)
    assert "Imported 1 member " in out
    assert "1 invitations could not be sent (anna@putilov.example)" in err
    assert Member.objects.filter(organization=putilov.organization).count() == 1


def test_no_invite_sends_nothing(tmp_path, putilov, mailoutbox):
    buf = io.StringIO()
    call_command(
        "import_members",
        "--no-invite",
        putilov.organization.slug,
        _csv(tmp_path, "Anna Petrova,anna@putilov.example,putilov"),
        stdout=buf,
        stderr=io.StringIO(),
    )
    assert "Imported 1 member " in buf.getvalue()
    assert mailoutbox == []


def test_nothing_is_sent_for_an_import_that_fails(tmp_path, putilov, mailoutbox):
    with pytest.raises(Exception, match="unknown constituency"):
        _import(
            _csv(tmp_path, "Anna Petrova,anna@putilov.example,putilov", "Boris,boris@x.example,nowhere"),
            putilov.organization.slug,
        )
    assert mailoutbox == []


def test_inside_quiet_nothing_is_sent(tmp_path, putilov, mailoutbox):
    with mail.quiet():
        _import(_csv(tmp_path, "Anna Petrova,anna@putilov.example,putilov"), putilov.organization.slug)
    assert mailoutbox == []
