"""A deputy's record as a delegate: every named vote cast in the councils above on a motion their
council had instructed them on, and whether it followed the instruction (what a constituency sees
beside its deputy when a recall is proposed)."""

from __future__ import annotations

from dataclasses import dataclass

from councils.deliberation.models import Instruction, RollCallVote
from councils.deliberation.selectors.motions import ComplianceRow
from councils.federation.models import Seat


@dataclass(frozen=True)
class DelegateRecord:
    seat: Seat
    rows: list[ComplianceRow]

    @property
    def instructed(self) -> int:
        return sum(1 for r in self.rows if r.instructed)

    @property
    def complied(self) -> int:
        return sum(1 for r in self.rows if r.complied is True)

    @property
    def departed(self) -> int:
        return sum(1 for r in self.rows if r.complied is False)


def delegate_record(*, seat: Seat) -> DelegateRecord:
    """The named votes on motions cast through ``seat`` and through the delegate seats that derive
    from it (a deputy sent up to the council above, and higher), each against the instruction in
    force from the council that sent the seat: at most six queries, whatever the number of votes."""
    # Seats deriving from this one, up to three councils above (a federation is rarely deeper).
    chain = [seat.pk]
    frontier = [seat.pk]
    for _level in range(3):
        frontier = list(Seat.objects.filter(derives_from_id__in=frontier).values_list("pk", flat=True))
        if not frontier:
            break
        chain += frontier
    votes = list(
        RollCallVote.objects.filter(
            seat_id__in=chain, decision__amendment__isnull=True, decision__motion__isnull=False
        )
        .select_related("decision__motion__council", "seat__holder", "seat__child_council")
        .order_by("decision__at", "pk")
    )
    pairs = {(v.decision.motion_id, v.seat.child_council_id) for v in votes if v.seat.child_council_id}
    instructions: dict[tuple[int | None, int | None], Instruction] = {}
    if pairs:
        for i in Instruction.objects.filter(
            motion_id__in={m for m, _c in pairs},
            council_id__in={c for _m, c in pairs},
            ended_at__isnull=True,
        ).select_related("council"):
            instructions[(i.motion_id, i.council_id)] = i
    rows = [
        ComplianceRow(
            seat=v.seat,
            delegate=v.seat.holder.name,
            council=v.seat.child_council,
            instruction=instructions.get((v.decision.motion_id, v.seat.child_council_id)),
            vote=v.choice,
            decision=v.decision,
        )
        for v in votes
    ]
    return DelegateRecord(seat=seat, rows=rows)
