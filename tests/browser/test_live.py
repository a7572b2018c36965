"""Live updates in Chromium: a recall made elsewhere shows on open pages without a reload.

pytest-django's ``live_server`` is a WSGI server, which cannot stream (the stream answers 204
there). These tests serve the ASGI application with uvicorn instead, in a thread of the test
process: it uses the test database as the tests do, and a change the test makes reaches the server
by the backend the settings choose: in-process on SQLite (the test thread publishes, the server's
event loop receives), PostgreSQL NOTIFY on PostgreSQL, Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from councils.federation import services
from tests.web.scenario import build_petrograd

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise's static files under ASGI (councils.serving silences it for the server's log).
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

UPDATE_TIMEOUT_MS = 5000

# Records when the stream opened, when a change or a fragment arrived and when it was swapped, so
# the test can print the latency it saw (printed, never asserted).
RECORDER = """
window.live = {opened: false, messageAt: null, requests: 0, swappedAt: {}};
window.EventSource = class extends window.EventSource {
  constructor(url, options) {
    super(url, options);
    this.addEventListener('open', () => { window.live.opened = true; });
    for (const name of ['change', 'composition', 'majority-map']) {
      this.addEventListener(name, () => { window.live.messageAt ??= Date.now(); });
    }
  }
};
document.addEventListener('htmx:beforeRequest', () => { window.live.requests += 1; });
document.addEventListener('htmx:afterSwap', (e) => {
  window.live.swappedAt[e.detail.target.id] ??= Date.now();
});
// A fragment the stream brings is swapped in without a request: its new element loads.
document.addEventListener('htmx:load', (e) => {
  const id = e.detail.elt.id;
  if (window.live.messageAt !== null && id) window.live.swappedAt[id] ??= Date.now();
});
"""


def test_open_pages_show_a_recall_without_reload(asgi_server: str, page: Page) -> None:
    pg = build_petrograd()
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.elena.user), "url": asgi_server}]
    )
    page.context.add_init_script(RECORDER)

    # Elena has the council page open, and the organization's majority map in a second tab.
    council = page
    council.goto(f"{asgi_server}/o/{pg.org.slug}/councils/{pg.soviet.slug}/")
    majority_map = page.context.new_page()
    majority_map.goto(f"{asgi_server}/o/{pg.org.slug}/")
    vacant = council.locator("#composition tbody tr", has_text="Vacant").locator("td.num")
    expect(council.locator("#majority")).to_have_text(re.compile("^Majority: Bolsheviks"))
    expect(vacant).to_have_text("0")
    expect(majority_map.locator("#majority-map")).not_to_contain_text("no majority")
    for tab in (council, majority_map):
        # The stream subscribes before it answers: once open, no change can be missed.
        tab.wait_for_function("() => window.live.opened")
        tab.evaluate("() => { window.notReloaded = true; }")

    # Dora signs in her own browser; here, the service the sign button calls, from the test thread.
    result = services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    committed_at = time.time() * 1000
    assert result.recalled

    expect(vacant).to_have_text("1", timeout=UPDATE_TIMEOUT_MS)
    expect(council.locator("#majority")).to_have_text(re.compile("^No majority"), timeout=UPDATE_TIMEOUT_MS)
    expect(council.locator("#composition svg circle.vacant")).to_have_count(1)
    expect(council.locator("#composition")).not_to_contain_text("Anna Petrova")
    expect(majority_map.locator("#majority-map")).to_contain_text("no majority", timeout=UPDATE_TIMEOUT_MS)
    for tab in (council, majority_map):
        assert tab.evaluate("() => window.notReloaded") is True

    timings = council.evaluate("() => window.live")
    map_timings = majority_map.evaluate("() => window.live")
    print(
        "\nlive update latency after commit: "
        f"council page: event {timings['messageAt'] - committed_at:.0f} ms, "
        f"composition swapped {timings['swappedAt']['composition'] - committed_at:.0f} ms; "
        f"majority map swapped {map_timings['swappedAt']['organization-state'] - committed_at:.0f} ms"
    )
    majority_map.close()


def test_a_page_showing_a_past_day_stays_as_it_is(asgi_server: str, page: Page) -> None:
    pg = build_petrograd(slug="moscow")
    page.context.add_cookies(
        [{"name": "sessionid", "value": _session_for(pg.elena.user), "url": asgi_server}]
    )
    page.context.add_init_script(RECORDER)
    past = (pg.elected_at + timedelta(days=1)).date().isoformat()
    page.goto(f"{asgi_server}/o/{pg.org.slug}/councils/{pg.soviet.slug}/?at={past}")
    page.wait_for_function("() => window.live.opened")
    expect(page.locator("#majority")).to_have_text(re.compile("^Majority: Bolsheviks"))

    services.petition_sign(actor=pg.dora.user, petition=pg.petition)
    # The stream brings the new composition, but the past one neither takes it nor asks for
    # itself again (a request would have started while the message was handled, before this check).
    page.wait_for_function("() => window.live.messageAt !== null")
    assert page.evaluate("() => window.live.requests") == 0
    expect(page.locator("#majority")).to_have_text(re.compile("^Majority: Bolsheviks"))


def _session_for(user) -> str:
    """A signed-in session for ``user``, without going through the login page."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
