"""Every change of deliberation's state: keyword-only functions ``<entity>_<action>(*, actor, ...)``
that check permission (``councils.deliberation.rules``) and input, run in one transaction and record
one audit event. Modules: :mod:`.sittings` (procedure, planning, convening, credentials, opening and
closing), :mod:`.attendance`, :mod:`.agenda`, :mod:`.speakers` (lists of speakers), :mod:`.motions`
(motions, forwarding), :mod:`.amendments`, :mod:`.decisions` (decisions, the check of a delegate's
vote against an instruction), :mod:`.instructions`, :mod:`.proxies` (a deputy's vote handed
over for a sitting), :mod:`.polls` (polls opened in a sitting) and :mod:`.poll_hooks` (their part
in the voting app)."""

from __future__ import annotations

from councils.deliberation.services.agenda import agenda_item_add, agenda_item_finish, agenda_item_start
from councils.deliberation.services.amendments import adopted_text, amendment_submit, amendment_withdraw
from councils.deliberation.services.attendance import attendance_check, attendance_record
from councils.deliberation.services.decisions import InstructionCheck, decision_record, instruction_check
from councils.deliberation.services.instructions import instruction_adopt
from councils.deliberation.services.motions import (
    motion_forward,
    motion_put_to_vote,
    motion_refer,
    motion_submit,
    motion_support,
    motion_withdraw,
)
from councils.deliberation.services.proxies import sitting_proxy_give, sitting_proxy_withdraw
from councils.deliberation.services.sittings import (
    congress_convene,
    credentials_check,
    procedure_set,
    sitting_close,
    sitting_create,
    sitting_open,
)
from councils.deliberation.services.speakers import (
    speakers_close,
    speaking_time_set,
    speech_end,
    speech_move,
    speech_request,
    speech_start,
    speech_withdraw,
)

__all__ = [
    "InstructionCheck",
    "adopted_text",
    "agenda_item_add",
    "agenda_item_finish",
    "agenda_item_start",
    "amendment_submit",
    "amendment_withdraw",
    "attendance_check",
    "attendance_record",
    "congress_convene",
    "credentials_check",
    "decision_record",
    "instruction_adopt",
    "instruction_check",
    "motion_forward",
    "motion_put_to_vote",
    "motion_refer",
    "motion_submit",
    "motion_support",
    "motion_withdraw",
    "procedure_set",
    "sitting_close",
    "sitting_create",
    "sitting_open",
    "sitting_proxy_give",
    "sitting_proxy_withdraw",
    "speakers_close",
    "speaking_time_set",
    "speech_end",
    "speech_move",
    "speech_request",
    "speech_start",
    "speech_withdraw",
]
