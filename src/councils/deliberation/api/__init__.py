"""Deliberation's JSON endpoints under one router that ``councils.api`` mounts at ``/api/``:
:mod:`.reads` (what the pages show, and what a deputy does: check in, ask to speak) and
:mod:`.chair` (what the chair does on the sitting page: open and close, credentials, attendance,
the agenda, the list of speakers, recording a vote)."""

from __future__ import annotations

from ninja import Router

from councils.deliberation.api import chair, reads

router = Router()
for area in (reads, chair):
    router.add_router("/", area.router)

__all__ = ["router"]
