"""``{% booth_scripts %}``: the secret-poll booth's two scripts with Subresource Integrity hashes.

The hashes are computed from the files the static-files finders serve, once per process, so a
changed or replaced file (on disk, or by a CDN in front of the server) is refused by the browser.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

#: The vendored noble bundle first: booth-crypto.js needs globalThis.CouncilsNoble.
BOOTH_SCRIPTS = ("web/vendor/noble-ristretto255.js", "web/booth-crypto.js")


@cache
def integrity(path: str) -> str:
    """``sha384-...`` of a static file, as the ``integrity`` attribute wants it."""
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise FileNotFoundError(path)
    with open(found, "rb") as f:
        digest = hashlib.sha384(f.read()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@register.simple_tag
def sri_script(path: str) -> SafeString:
    """One ``<script>`` with its integrity hash (deferred, so order among deferred scripts holds)."""
    return format_html(
        '<script src="{}" integrity="{}" crossorigin="anonymous" defer></script>',
        static(path),
        integrity(path),
    )


@register.simple_tag
def booth_scripts() -> SafeString:
    """The booth's scripts in order."""
    return format_html_join("\n", "{}", ((sri_script(p),) for p in BOOTH_SCRIPTS))
