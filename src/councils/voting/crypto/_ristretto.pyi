"""Types of the C fast path ``_ristretto.c`` (variable time: public values only)."""

from collections.abc import Sequence

API: int

def range_commitments(
    key: bytes, alpha: bytes, beta: bytes, rows: Sequence[tuple[bytes, bytes, int]]
) -> list[bytes]: ...
def linear_combination(scalars: Sequence[bytes], points: Sequence[bytes | None]) -> bytes: ...
def point_sum(points: Sequence[bytes]) -> bytes: ...
