"""The deliberation's data. History is data: attendance, motion states, speeches and instructions are
dated rows that end or follow each other; none is deleted or overwritten."""

from __future__ import annotations

from councils.deliberation.models.motions import (
    Amendment,
    Decision,
    Instruction,
    Motion,
    MotionStateChange,
    MotionSupport,
    RollCallVote,
)
from councils.deliberation.models.polls import SittingPoll, SittingProxy
from councils.deliberation.models.sittings import (
    AgendaItem,
    AttendanceRecord,
    Credential,
    FactionBudget,
    Presence,
    Procedure,
    Sitting,
    Speech,
)

__all__ = [
    "AgendaItem",
    "Amendment",
    "AttendanceRecord",
    "Credential",
    "Decision",
    "FactionBudget",
    "Instruction",
    "Motion",
    "MotionStateChange",
    "MotionSupport",
    "Presence",
    "Procedure",
    "RollCallVote",
    "Sitting",
    "SittingPoll",
    "SittingProxy",
    "Speech",
]
