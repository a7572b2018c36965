"""Deliberation's pages: sittings (with the projector), motions, minutes. Thin: each looks up what
its URL names, calls one selector or service and renders."""

from __future__ import annotations

from councils.deliberation.views.minutes import minutes, minutes_csv, minutes_json, minutes_pdf
from councils.deliberation.views.motions import compliance, delegate_record, motion, motion_action, motions
from councils.deliberation.views.sitting_actions import sitting_action
from councils.deliberation.views.sittings import attendance, projector, sitting, sitting_state, sittings

__all__ = [
    "attendance",
    "compliance",
    "delegate_record",
    "minutes",
    "minutes_csv",
    "minutes_json",
    "minutes_pdf",
    "motion",
    "motion_action",
    "motions",
    "projector",
    "sitting",
    "sitting_action",
    "sitting_state",
    "sittings",
]
