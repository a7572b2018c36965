"""Serving safely: forwarded addresses believed only from trusted proxies, throttling keyed on the
real address, a Content-Security-Policy the pages keep (no inline script), HTTPS settings from the
environment with ``check --deploy`` clean in the documented production configuration, and what a
newcomer meets first: local API docs, a favicon, the admin's name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from django.urls import reverse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from councils.federation.management.commands.serve import proxy_options
from tests.web.scenario import Petrograd, build_petrograd

ROOT = Path(__file__).resolve().parents[1]

#: The production environment docs/operations.md describes (its "HTTPS and proxies" section).
PRODUCTION = {
    "ALLOWED_HOSTS": "councils.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://councils.example.org",
    "COUNCILS_HTTPS": "1",
    "COUNCILS_TRUSTED_PROXIES": "127.0.0.1",
}


def test_the_documented_production_configuration_passes_check_deploy(tmp_path):
    docs = (ROOT / "docs" / "operations.md").read_text()
    for name, value in PRODUCTION.items():
        assert f"{name}={value}" in docs, f"docs/operations.md should show {name}={value}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT / "src"),
        "COUNCILS_DATA_DIR": str(tmp_path),
        **PRODUCTION,
    }
    result = subprocess.run(
        [sys.executable, "-m", "councils.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_https_without_a_trusted_proxy_is_warned_about(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT / "src"),
        "COUNCILS_DATA_DIR": str(tmp_path),
        **{**PRODUCTION, "COUNCILS_TRUSTED_PROXIES": ""},
    }
    result = subprocess.run(
        [sys.executable, "-m", "councils.cli", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "councils.W001" in result.stderr + result.stdout


def _loaded(**options):
    config = uvicorn.Config(lambda scope, receive, send: None, lifespan="off", **options)
    config.load()
    return config.loaded_app


def _proxy_layer(app):
    while app is not None and not isinstance(app, ProxyHeadersMiddleware):
        app = getattr(app, "app", None)
    return app


def test_forwarded_headers_are_not_believed_without_a_trusted_proxy():
    assert proxy_options([]) == {"proxy_headers": False}
    assert _proxy_layer(_loaded(**proxy_options([]))) is None


def test_forwarded_headers_are_believed_from_the_trusted_proxies_only():
    layer = _proxy_layer(_loaded(**proxy_options(["10.0.0.2", "10.0.1.0/24"])))
    assert layer is not None
    assert "10.0.0.2" in layer.trusted_hosts and "10.0.0.3" not in layer.trusted_hosts
    assert "127.0.0.1" not in layer.trusted_hosts


@pytest.fixture
def pg(db) -> Petrograd:
    return build_petrograd()


@pytest.mark.django_db
def test_a_locked_out_name_stays_locked_whatever_address_the_request_claims(client, pg, settings):
    settings.AXES_LOCKOUT_CALLABLE = "councils.web.views.locked_out"
    name = pg.dora.user.username
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": name, "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("login"),
        {"username": name, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_no_inline_script(client, pg):
    client.force_login(pg.dora.user)
    urls = [
        reverse("home"),
        reverse("organization", args=[pg.org.slug]),
        reverse("council", args=[pg.org.slug, pg.soviet.slug]),
        reverse("constituency", args=[pg.org.slug, pg.putilov.slug]),
        reverse("elections", args=[pg.org.slug]),
        reverse("audit", args=[pg.org.slug]),
        "/api/docs",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


@pytest.mark.django_db
def test_the_api_docs_load_swagger_from_the_site_itself(client, pg):
    client.force_login(pg.dora.user)
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html and "https://" not in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_a_favicon_is_linked_and_served(client):
    html = client.get(reverse("login")).content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert client.get(href).status_code == 200
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == href


@pytest.mark.django_db
def test_the_admin_says_councils(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Councils administration" in html and "Django administration" not in html


def test_https_settings_follow_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    base = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "COUNCILS_DATA_DIR": str(tmp_path),
    }

    def read(**env: str) -> str:
        return (
            subprocess.run(
                [sys.executable, "-m", "councils.cli", "shell", "-c", code],
                env={**base, **env},
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )

    assert read() == "False 0 False False"
    assert read(COUNCILS_HTTPS="1") == "True 31536000 True True"


@pytest.mark.django_db
def test_every_response_carries_the_policy_django_csp_would_build_and_a_change_of_it_applies(
    client, pg, settings
):
    # The policy is built once (councils.web.middleware.ContentSecurityPolicy); it must be the
    # one django-csp builds, on pages, the API and static files alike, and follow the settings.
    from csp.utils import build_policy

    client.force_login(pg.dora.user)
    for url in (reverse("home"), f"/api/organizations/{pg.org.slug}", "/static/web/councils.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == build_policy(), url
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get(reverse("home"))["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/api/"],
        "DIRECTIVES": {"default-src": ["'self'"]},
    }
    assert "Content-Security-Policy" not in client.get(f"/api/organizations/{pg.org.slug}")
    assert client.get(reverse("home"))["Content-Security-Policy"] == "default-src 'self'"


def test_a_view_that_changes_the_policy_gets_django_csps_own_handling(rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from councils.web.middleware import ContentSecurityPolicy

    @csp_update({"img-src": ["https://maps.example.org"]})
    def view(request):
        return HttpResponse("map")

    middleware = ContentSecurityPolicy(view)
    response = middleware(rf.get("/map"))
    assert "https://maps.example.org" in response["Content-Security-Policy"]
