"""Deliberation in the admin: the record of sittings, attendance, motions, decisions and instructions,
shown to the organizers of their organization and never changed here (the pages and the API change
them, through the services)."""

from __future__ import annotations

from django.contrib import admin

from councils.deliberation.models import (
    AgendaItem,
    AttendanceRecord,
    Credential,
    Decision,
    Instruction,
    Motion,
    Procedure,
    Sitting,
    Speech,
)
from councils.federation.admin._common import ReadOnlyAdmin


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = [
        "organization",
        "council",
        "quorum",
        "speaking_seconds",
        "first_speakers_first",
        "instructions_binding",
    ]


@admin.register(Sitting)
class SittingAdmin(ReadOnlyAdmin):
    list_display = ["title", "council", "kind", "starts_at", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["title"]
    list_select_related = ["council"]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    organization_path = "sitting__organization"
    list_display = ["sitting", "number", "kind", "title", "state", "used_seconds"]
    list_select_related = ["sitting"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ReadOnlyAdmin):
    organization_path = "sitting__organization"
    list_display = ["sitting", "seat", "present", "at", "by_chair"]
    list_select_related = ["sitting", "seat__holder"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    organization_path = "sitting__organization"
    list_display = ["sitting", "seat", "status", "reason", "checked_at"]
    list_filter = ["status"]


@admin.register(Speech)
class SpeechAdmin(ReadOnlyAdmin):
    organization_path = "item__sitting__organization"
    list_display = [
        "item",
        "member",
        "kind",
        "stance",
        "requested_at",
        "started_at",
        "ended_at",
        "withdrawn_at",
    ]
    list_select_related = ["item", "member"]


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["council", "number", "title", "kind", "state", "submitted_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title"]
    list_select_related = ["council"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["council", "motion", "amendment", "method", "yes", "no", "abstain", "adopted", "at"]
    list_select_related = ["council", "motion", "amendment"]


@admin.register(Instruction)
class InstructionAdmin(ReadOnlyAdmin):
    list_display = ["council", "motion", "position", "binding", "adopted_at", "ended_at"]
    list_select_related = ["council", "motion"]
