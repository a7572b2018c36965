"""The federation's JSON endpoints, one module per area, under one router that ``councils.api``
mounts at ``/api/``. Each endpoint finds the objects its URL names, checks that the caller may read
the organization (``_common.organization_for``), then calls one selector or service; errors are
mapped to HTTP answers in ``councils.api``."""

from __future__ import annotations

from ninja import Router

from councils.federation.api import audit, blocs, elections, exports, members, petitions, structure

router = Router()
for area in (structure, blocs, petitions, elections, members, audit, exports):
    router.add_router("/", area.router)

__all__ = ["router"]
