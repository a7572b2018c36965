"""The ``councils`` management commands: serve, createadmin, audit verify, tick."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from councils.accounts.actors import SYSTEM
from councils.audit.models import Event
from councils.federation import services
from councils.federation.management.commands import serve
from councils.federation.models import Election, RecallPetition
from tests.factories import (
    FactionFactory,
    OrganizationFactory,
    PetitionFactory,
    SeatAllocationFactory,
    SeatFactory,
)


def run(*args: str, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# --- serve ---------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Record what serve would run instead of running a server, and skip the migration."""
    calls: dict[str, object] = {}
    monkeypatch.setattr(serve, "run_server", lambda **kw: calls.update(kw))
    monkeypatch.setattr(serve, "call_command", lambda *a, **kw: calls.setdefault("migrated", a))
    return calls


def test_serve_migrates_then_serves_on_localhost_8000_by_default(served):
    out, _err = run("serve")

    assert served["migrated"] == ("migrate",)
    assert served == {
        "migrated": ("migrate",),
        "host": "127.0.0.1",
        "port": 8000,
        "workers": 1,
        "timeout_graceful_shutdown": 5,
    }
    assert "http://127.0.0.1:8000/" in out


def test_serve_takes_host_port_workers_and_grace(served):
    run("serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3", "--timeout-graceful-shutdown", "10")

    assert (served["host"], served["port"], served["workers"], served["timeout_graceful_shutdown"]) == (
        "0.0.0.0",
        9000,
        3,
        10,
    )


def test_serve_can_skip_migrations(served):
    run("serve", "--no-migrate")
    assert "migrated" not in served


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--port", "70000"], "--port"), (["--workers", "0"], "--workers"), (["--port", "0"], "--port")],
)
def test_serve_refuses_impossible_values_before_migrating(served, args, message):
    with pytest.raises(CommandError, match=message):
        run("serve", *args)
    assert served == {}


def test_serve_hands_uvicorn_the_councils_application(monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    serve.run_server(host="127.0.0.1", port=8001, workers=2, timeout_graceful_shutdown=5)

    assert seen["app"] == "councils.serving:application"
    assert seen["lifespan"] == "on"
    assert seen["workers"] == 2
    assert seen["timeout_graceful_shutdown"] == 5
    # A worker busy with thousands of live streams is not killed for a slow health check.
    assert seen["timeout_worker_healthcheck"] >= 30


# --- createadmin ---------------------------------------------------------------------------------


def test_createadmin_creates_a_superuser_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("COUNCILS_ADMIN_PASSWORD", "soviet-power-1917")

    out, _err = run("createadmin", "--username", "chair", "--email", "chair@example.org", "--no-input")

    user = get_user_model().objects.get(username="chair")
    assert user.is_superuser and user.is_staff
    assert user.check_password("soviet-power-1917")
    assert "created" in out


def test_createadmin_twice_changes_nothing(db, monkeypatch):
    monkeypatch.setenv("COUNCILS_ADMIN_PASSWORD", "soviet-power-1917")
    run("createadmin", "--no-input")
    monkeypatch.setenv("COUNCILS_ADMIN_PASSWORD", "another-password-2")

    out, _err = run("createadmin", "--no-input")

    assert "already exists" in out
    assert get_user_model().objects.get(username="admin").check_password("soviet-power-1917")


def test_createadmin_without_a_password_and_without_input_fails_clearly(db, monkeypatch):
    monkeypatch.delenv("COUNCILS_ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="COUNCILS_ADMIN_PASSWORD"):
        run("createadmin", "--no-input")
    assert not get_user_model().objects.exists()


def test_createadmin_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="too short"):
        run("createadmin", "--password", "abc", "--no-input")
    assert not get_user_model().objects.exists()


def test_createadmin_prompts_for_the_password_twice(db, monkeypatch):
    answers = iter(["soviet-power-1917", "soviet-power-1917"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.delenv("COUNCILS_ADMIN_PASSWORD", raising=False)

    run("createadmin", "--username", "chair")

    assert get_user_model().objects.get(username="chair").check_password("soviet-power-1917")


def test_createadmin_will_not_promote_an_existing_ordinary_user(db):
    get_user_model().objects.create_user(username="worker", password="x")
    with pytest.raises(CommandError, match="not a superuser"):
        run("createadmin", "--username", "worker", "--password", "soviet-power-1917", "--no-input")
    assert not get_user_model().objects.get(username="worker").is_superuser


# --- audit verify --------------------------------------------------------------------------------


@pytest.fixture
def audited(db):
    """An organization with a short, intact chain of three events."""
    org = OrganizationFactory(slug="soviets")
    for name in ("Bolsheviks", "Mensheviks", "SRs"):
        services.faction_create(actor=SYSTEM, organization=org, name=name)
    return org


def test_audit_verify_reports_an_intact_chain(audited):
    out, _err = run("audit", "verify", "soviets")
    assert out.strip() == "OK: 3 events, chain intact"


def test_audit_verify_names_an_altered_event(audited):
    # An attacker rewrites a payload in the database.
    Event.objects.filter(organization=audited, sequence=2).update(
        data={"name": "Cadets", "colour": "#000000"}
    )

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", "soviets", stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 1
    assert "event #2" in err.getvalue()
    assert "altered" in err.getvalue()


def test_audit_verify_names_a_missing_event(audited):
    Event.objects.filter(organization=audited, sequence=3).delete()

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "soviets", stdout=StringIO(), stderr=err)
    assert "#3" in err.getvalue()
    assert "missing" in err.getvalue()


def test_audit_verify_without_a_slug_checks_every_organization(audited):
    services.faction_create(actor=SYSTEM, organization=OrganizationFactory(slug="other"), name="Anarchists")

    out, _err = run("audit", "verify")

    assert "other: OK: 1 event, chain intact" in out
    assert "soviets: OK: 3 events, chain intact" in out


def test_audit_verify_refuses_an_unknown_organization(db):
    with pytest.raises(CommandError, match="Unknown organization: nowhere"):
        run("audit", "verify", "nowhere")


# --- tick ----------------------------------------------------------------------------------------


def test_tick_writes_expired_petitions_and_says_so(db):
    petition = PetitionFactory(
        opened_at=timezone.now() - timedelta(days=40), expires_at=timezone.now() - timedelta(days=10)
    )

    out, _err = run("tick")

    assert "1 petition expired." in out
    assert "0 elections opened." in out
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.EXPIRED


def test_tick_opens_an_election_where_a_term_ended(db):
    seat = SeatFactory(start=timezone.now() - timedelta(days=366))
    SeatAllocationFactory(constituency=seat.constituency, council=seat.council, seats=1)

    out, _err = run("tick")

    assert "1 election opened." in out
    assert Election.objects.filter(council=seat.council, kind=Election.Kind.REGULAR).count() == 1


def test_tick_twice_does_nothing_the_second_time(db):
    PetitionFactory(
        opened_at=timezone.now() - timedelta(days=40), expires_at=timezone.now() - timedelta(days=10)
    )
    run("tick")

    out, _err = run("tick")

    assert "0 petitions expired." in out


def test_tick_can_stay_quiet_when_idle(db):
    out, _err = run("tick", "--quiet-when-idle")
    assert out == ""


def test_commands_are_reachable_through_the_councils_entry_point(db, capsys, monkeypatch):
    from councils.cli import main

    FactionFactory(organization=OrganizationFactory(slug="soviets"))
    monkeypatch.setattr("sys.argv", ["councils"])
    # ``import-members`` becomes ``import_members``; ``audit verify`` runs with the settings.
    with pytest.raises(SystemExit) as excinfo:
        main(["import-members", "--help"])
    assert excinfo.value.code == 0
    assert "name,email,constituency" in capsys.readouterr().out
