"""URL configuration: the pages, the admin, the JSON API and the language switcher."""

from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from councils import openapi
from councils.api import api

admin.site.site_header = _("Councils administration")
admin.site.site_title = _("Councils administration")
admin.site.index_title = _("Organizations, councils and members")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers and tools ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    # Before the API's own route of the same path: the document from a cache (councils.openapi).
    path("api/openapi.json", openapi.openapi_json),
    path("api/", api.urls),
    path("", include("councils.voting.urls")),
    path("", include("councils.deliberation.urls")),
    # The language switcher posts to set_language (i18n/setlang/), which sets the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("councils.web.urls")),
]

handler403 = "councils.web.views.permission_denied"
handler404 = "councils.web.views.page_not_found"
