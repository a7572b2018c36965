"""The poll pages' URLs, under an organization (``/o/<org>/polls/``)."""

from __future__ import annotations

from django.urls import path

from councils.voting import purpose_views, secret_views, trustee_views, views

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
    # A secret poll's booth, tracker check, board and decryption (secret_views).
    path(
        "o/<slug:org_slug>/polls/<int:poll_id>/secret-ballot/",
        secret_views.poll_secret_ballot,
        name="poll_secret_ballot",
    ),
    path("o/<slug:org_slug>/polls/<int:poll_id>/tracker/", secret_views.poll_tracker, name="poll_tracker"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/board.json", secret_views.poll_board, name="poll_board"),
    path("o/<slug:org_slug>/polls/<int:poll_id>/decrypt/", secret_views.poll_decrypt, name="poll_decrypt"),
    path(
        "o/<slug:org_slug>/polls/<int:poll_id>/server-decrypt/",
        secret_views.poll_embedded_decrypt,
        name="poll_embedded_decrypt",
    ),
    # Trustee committees and their key ceremony's wizard (trustee_views).
    path("o/<slug:org_slug>/trustees/", trustee_views.committee_list, name="committees"),
    path("o/<slug:org_slug>/trustees/<int:committee_id>/", trustee_views.committee_page, name="committee"),
    path(
        "o/<slug:org_slug>/trustees/<int:committee_id>/ceremony.json",
        trustee_views.committee_ceremony,
        name="committee_ceremony",
    ),
    path(
        "o/<slug:org_slug>/trustees/<int:committee_id>/message/",
        trustee_views.committee_message,
        name="committee_message",
    ),
    path(
        "o/<slug:org_slug>/polls/<int:poll_id>/export/<slug:what>.<slug:fmt>",
        views.poll_export,
        name="poll_export",
    ),
    path("o/<slug:org_slug>/polls/<int:poll_id>/<slug:action>/", views.poll_action, name="poll_action"),
]
