"""A deputy's record as a delegate, vote by vote: every named vote cast in the councils above on a
motion, with the instruction of the council that sent them and whether the vote followed it (the
page a constituency's deputies table links to, and the API's ``/seats/{id}/compliance``).
:func:`councils.deliberation.selectors.motions.delegate_records` counts the same for many deputies
at once."""

from __future__ import annotations

from dataclasses import dataclass

from councils.deliberation.models import Motion
from councils.deliberation.selectors.motions import ComplianceRow, seat_compliance
from councils.federation.models import Seat

#: How many councils above a deputy's seat the record follows derived delegate seats.
LEVELS = 3


@dataclass(frozen=True)
class DelegateHistory:
    """A deputy's named votes above, each with its motion."""

    seat: Seat
    entries: list[tuple[ComplianceRow, Motion]]

    @property
    def instructed(self) -> int:
        return sum(1 for r, _m in self.entries if r.instructed)

    @property
    def complied(self) -> int:
        return sum(1 for r, _m in self.entries if r.complied is True)

    @property
    def departed(self) -> int:
        return sum(1 for r, _m in self.entries if r.complied is False)


def delegate_record(*, seat: Seat) -> DelegateHistory:
    """The named votes on motions cast through ``seat`` and through the delegate seats derived from
    it (a deputy sent up to the council above, and higher), each against the instruction in force
    from the council that sent the seat. A query per level and two per seat of the chain (a deputy
    has one or two), one for the motions: not per vote."""
    chain = [seat]
    frontier = [seat.pk]
    for _level in range(LEVELS):
        found = list(Seat.objects.filter(derives_from_id__in=frontier))
        if not found:
            break
        chain += found
        frontier = [s.pk for s in found]
    rows = [row for s in chain for row in seat_compliance(seat=s)]
    motions = Motion.objects.select_related("council").in_bulk({r.motion_id for r in rows})
    return DelegateHistory(seat=seat, entries=[(r, motions[r.motion_id]) for r in rows])
