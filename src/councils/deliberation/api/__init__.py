"""Deliberation's JSON endpoints under one router that ``councils.api`` mounts at ``/api/``:
:mod:`.reads` (what the pages show, and what a deputy does: check in, ask to speak),
:mod:`.chair` (what the chair does on the sitting page: open and close, credentials, attendance,
the agenda, the list of speakers, recording a vote), :mod:`.motions` (what a deputy does on a motion:
support, amend, withdraw, forward, instruct the delegates) and :mod:`.proxies` (a deputy's vote
handed over for a sitting)."""

from __future__ import annotations

from ninja import Router

from councils.deliberation.api import chair, motions, proxies, reads

router = Router()
for area in (reads, chair, motions, proxies):
    router.add_router("/", area.router)

__all__ = ["router"]
