"""Deliberation's pages, under an organization's address."""

from __future__ import annotations

from django.urls import path

from councils.deliberation import views

urlpatterns = [
    path("o/<slug:org_slug>/sittings/", views.sittings, name="sittings"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/", views.sitting, name="sitting"),
    path(
        "o/<slug:org_slug>/sittings/<int:sitting_id>/attendance/", views.attendance, name="sitting_attendance"
    ),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/projector/", views.projector, name="projector"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/state/", views.sitting_state, name="sitting_state"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/minutes/", views.minutes, name="minutes"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/export.csv", views.minutes_csv, name="minutes_csv"),
    path("o/<slug:org_slug>/sittings/<int:sitting_id>/export.json", views.minutes_json, name="minutes_json"),
    path(
        "o/<slug:org_slug>/sittings/<int:sitting_id>/<slug:action>/",
        views.sitting_action,
        name="sitting_action",
    ),
    path("o/<slug:org_slug>/motions/", views.motions, name="motions"),
    path("o/<slug:org_slug>/motions/<int:motion_id>/", views.motion, name="motion"),
    path("o/<slug:org_slug>/motions/<int:motion_id>/compliance/", views.compliance, name="compliance"),
    path("o/<slug:org_slug>/seats/<int:seat_id>/record/", views.delegate_record, name="delegate_record"),
    path(
        "o/<slug:org_slug>/motions/<int:motion_id>/<slug:action>/", views.motion_action, name="motion_action"
    ),
]
