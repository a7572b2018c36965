from typing import Any

import numpy.typing as npt

def scan(
    chunk: bytes,
    n: int,
    is_last: bool,
    ranks: npt.NDArray[Any],
    weights: npt.NDArray[Any],
    keys: npt.NDArray[Any] | None,
    /,
) -> tuple[int, int, int, bool] | None: ...
