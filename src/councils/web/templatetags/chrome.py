"""``{% site_links %}`` and ``{% site_nav organization %}``: the parts of every page that read the
same for every viewer, rendered once per process and kept.

The page chrome (the stylesheet and scripts, the organization's navigation) cost about as much
CPU as a whole API request when rendered anew (a dozen URL reversals and translations per page).
It depends only on the language, the organization's name and address, the page's kind and the
installation's address prefix, which are the key; nothing of the viewer is in it (their name,
the CSRF token and the language switcher's form stay in ``web/base.html``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[Hashable, SafeString] = OrderedDict()


def _kept(key: Hashable, render: Callable[[], str]) -> SafeString:
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
            return found
    # Rendered by the template engine, which escaped what it put in.
    value = mark_safe(render())
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept part (tests)."""
    with _lock:
        _entries.clear()


@register.simple_tag
def site_links() -> SafeString:
    """The icon, stylesheet and scripts every page loads (``web/partials/site_links.html``)."""
    return _kept(("links", get_script_prefix()), lambda: render_to_string("web/partials/site_links.html"))


@register.simple_tag(takes_context=True)
def site_nav(context: Any, organization: Any = None) -> SafeString:
    """The main navigation (``web/partials/site_nav.html``): home, and the organization's pages
    when the page is one of an organization, with the current page marked."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    url_name = getattr(match, "url_name", None)
    org = None
    if organization:
        org = (organization.pk, organization.slug, organization.name)
    key = ("nav", get_language(), get_script_prefix(), url_name, org)
    return _kept(
        key,
        lambda: render_to_string(
            "web/partials/site_nav.html", {"organization": organization, "url_name": url_name}
        ),
    )


@register.simple_tag
def language_choices() -> SafeString:
    """The language switcher's buttons (``web/partials/language_choices.html``): the same for
    every page in one language. The form around them (its CSRF token, the page to return to)
    stays in ``web/partials/language_switcher.html``."""
    language = get_language()
    return _kept(("languages", language), lambda: render_to_string("web/partials/language_choices.html"))
