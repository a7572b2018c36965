"""The poll pages' URLs, under an organization (``/o/<org>/polls/``)."""

from __future__ import annotations

from django.urls import path

from councils.voting import purpose_views, views

urlpatterns = [
    path(
        "o/<slug:org_slug>/elections/<int:election_id>/poll/",
        purpose_views.election_poll_new,
        name="election_poll_new",
    ),
    path(
        "o/<slug:org_slug>/elections/<int:election_id>/list-poll/",
        purpose_views.list_poll_new,
        name="list_poll_new",
    ),
    path("o/<slug:org_slug>/polls/", views.poll_list, name="polls"),
    path("o/<slug:org_slug>/polls/new/", views.poll_new, name="poll_new"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/", views.poll_page, name="poll"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/proxy/", views.poll_proxy, name="poll_proxy"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/roll-call/", views.poll_roll_call, name="poll_roll_call"),
    path(
        "o/<slug:org_slug>/polls/<int:poll_id>/export/<slug:what>.<slug:fmt>",
        views.poll_export,
        name="poll_export",
    ),
    path("o/<slug:org_slug>/polls/<int:poll_id>/<slug:action>/", views.poll_action, name="poll_action"),
]
