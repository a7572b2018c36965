"""Importing members on a page (organizers): all or nothing, errors by line, an invitation each."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from councils.federation.models import Member
from tests.smtp import smtp_server, use_smtp
from tests.web.scenario import build_petrograd


def _file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("members.csv", text.encode(encoding), content_type="text/csv")


GOOD = (
    "name,email,constituency\n"
    "Nina Kuzmina,nina@putilov.example,putilov\n"
    "Oleg Sokolov,oleg@obukhov.example,Obukhov Works\n"
)


@pytest.mark.django_db
def test_only_organizers_import(client):
    pg = build_petrograd()
    url = reverse("members_import", args=[pg.org.slug])
    client.force_login(pg.dora.user)
    assert (
        "Import members from a file"
        not in client.get(reverse("organization", args=[pg.org.slug])).content.decode()
    )
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _file(GOOD), "delimiter": ",", "invite": "on"}).status_code == 403
    assert not Member.objects.filter(name="Nina Kuzmina").exists()


@pytest.mark.django_db
def test_a_bad_row_is_named_and_nothing_is_imported(client, mailoutbox):
    pg = build_petrograd()
    client.force_login(pg.organizer)
    response = client.post(
        reverse("members_import", args=[pg.org.slug]),
        {"file": _file(GOOD + "Pavel,not-an-address,putilov\n"), "delimiter": ",", "invite": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "line 4: invalid email" in page
    assert not Member.objects.filter(name="Nina Kuzmina").exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_saying_so(client):
    pg = build_petrograd()
    client.force_login(pg.organizer)
    response = client.post(
        reverse("members_import", args=[pg.org.slug]),
        {"file": _file("Нина,nina@putilov.example,putilov\n", "cp1251"), "delimiter": ","},
    )
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_file-error"')[1].split("</ul>")[0]
    assert "members.csv is not UTF-8 text (byte 0)" in errors


@pytest.mark.django_db
def test_a_file_csv_cannot_read_is_refused_naming_its_line(client):
    """The page reads the file as ``councils import-members`` does: the same errors, by line."""
    pg = build_petrograd()
    client.force_login(pg.organizer)
    response = client.post(
        reverse("members_import", args=[pg.org.slug]),
        {"file": _file(GOOD + "Big," + "x" * 200_000 + "@example.org,putilov\n"), "delimiter": ","},
    )
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_file-error"')[1].split("</ul>")[0]
    assert "members.csv is not a readable CSV file: line 4:" in errors
    assert not Member.objects.filter(name="Nina Kuzmina").exists()


@pytest.mark.django_db
def test_a_file_of_only_a_header_is_refused_beside_the_file(client):
    pg = build_petrograd()
    client.force_login(pg.organizer)
    response = client.post(
        reverse("members_import", args=[pg.org.slug]),
        {"file": _file("name,email,constituency\n\n"), "delimiter": ","},
    )
    assert response.status_code == 400
    assert "members.csv holds no members." in response.content.decode().split('id="id_file-error"')[1]


@pytest.mark.django_db(transaction=True)
def test_an_organizer_imports_and_each_member_is_invited(client, settings):
    pg = build_petrograd()
    client.force_login(pg.organizer)
    page = client.get(reverse("organization", args=[pg.org.slug])).content.decode()
    assert reverse("members_import", args=[pg.org.slug]) in page
    with smtp_server() as (mailbox, port):
        use_smtp(settings, port)
        mailbox.refuse.add("oleg@obukhov.example")
        response = client.post(
            reverse("members_import", args=[pg.org.slug]),
            {"file": _file(GOOD.replace(",", ";")), "delimiter": ";", "invite": "on"},
            follow=True,
        )
    shown = response.content.decode()
    assert "Imported 2 members (2 new accounts)." in shown
    assert "Invitations sent: 1." in shown
    assert "1 invitations could not be sent (oleg@obukhov.example)" in shown
    assert Member.objects.filter(organization=pg.org, name__in=["Nina Kuzmina", "Oleg Sokolov"]).count() == 2
    [invitation] = mailbox.to("nina@putilov.example")
    assert "/accounts/invitation/" in invitation.get_content()


@pytest.mark.django_db(transaction=True)
def test_an_organizer_invites_again_everyone_without_a_password(client, mailoutbox):
    pg = build_petrograd()
    mailoutbox.clear()  # the scenario's petition told its constituency
    client.force_login(pg.organizer)
    url = reverse("members_import", args=[pg.org.slug])
    assert "Every member has set a password." in client.get(url).content.decode()
    client.post(url, {"file": _file(GOOD), "delimiter": ",", "invite": ""})
    assert mailoutbox == []  # imported without invitations
    assert "2 members have not set a password yet." in client.get(url).content.decode()
    response = client.post(url, {"action": "invite_pending"}, follow=True)
    assert "New invitations sent: 2 of 2." in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["nina@putilov.example", "oleg@obukhov.example"]
    assert all("/accounts/invitation/" in m.body for m in mailoutbox)
