"""What every page shares beyond Django's own middleware."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers

from councils.live.publish import version_now
from councils.web.views.errors import page_not_found


class LiveSince:
    """Note the live-update version at which the request starts, before any view reads the
    database: the version a page's stream follows from (``{% live_url %}``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.live_since = version_now()  # type: ignore[attr-defined]
        return self.get_response(request)


class OverflowIsNotFound:
    """An id in a page's address larger than the database's integers (``/polls/99999999999999999999/``)
    names nothing: the 404 page, not a server error (the database driver refuses to send it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            return page_not_found(request, Http404())
        return None


# Attributes django-csp's decorators set on a response to change its policy.
_PER_RESPONSE = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)


@functools.cache
def _constant_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, exempting attribute, excluded path prefixes) for the policy and its
    report-only twin, built once from the settings (cleared when a test changes them)."""
    found = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        policy = build_policy(report_only=report_only)
        prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        if policy:
            found.append((header, policy, exempt, prefixes))
    return tuple(found)


@receiver(setting_changed)
def _policies_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _constant_policies.cache_clear()


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, with the policy built once instead of on every response.

    Councils' policy uses no nonce and no per-view decorator, so it is the same string for every
    response; django-csp builds it again each time (about a tenth of an API request's CPU in a
    profile of a cast). A response or request that does use a nonce or a decorator gets
    django-csp's own handling."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (500, 404):
            return response  # Django's debug pages, as django-csp leaves them
        for header, policy, exempt, prefixes in _constant_policies():
            if (
                header not in response
                and not getattr(response, exempt, False)
                and not (prefixes and request.path_info.startswith(prefixes))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


class Locale:
    """Django's ``LocaleMiddleware`` for a site whose addresses carry no language (no
    ``i18n_patterns``): the reader's language from the language cookie or ``Accept-Language``,
    activated for the request, and the answer marked ``Vary: Accept-Language`` with its
    ``Content-Language``, as Django's does it. Django's also looks for a language prefix in the
    path twice on every request, which cannot find one here: about a third of its time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        from django.conf.urls.i18n import is_language_prefix_patterns_used

        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            raise ImproperlyConfigured("Addresses with a language prefix need Django's LocaleMiddleware.")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
