"""Elections generated for comparisons with other counting programs, reproducible from a seed."""

from __future__ import annotations

import math
import random

from councils.counting.profile import Profile


def generated_election(seed: int) -> Profile:
    """An election of 3-10 candidates and 1-5 places, from Python's ``random`` (stable across versions).

    Candidates have unequal strengths so that surpluses, deferred surpluses, group exclusions and
    exclusions in several batches all occur.
    """
    rng = random.Random(seed)
    n = rng.randint(3, 10)
    seats = rng.randint(1, min(5, n - 1))
    strength = [rng.choice([1, 1, 2, 4, 8]) for _ in range(n)]
    rankings, weights = [], []
    for _ in range(rng.randint(20, 120)):
        order = sorted(range(n), key=lambda c: -math.log(1.0 - rng.random()) / strength[c])
        rankings.append(order[: rng.randint(1, n)])
        weights.append(rng.randint(1, 40))
    names = [f"C{i + 1}" for i in range(n)]
    return Profile.from_rankings(names, rankings, weights, seats=seats, title=f"Generated {seed}")
