"""The encrypted sums of a board's ballots, grouped by weight."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from councils.voting.crypto.ballot import ZERO, Ciphertext

__all__ = ["Tally"]


class Tally:
    """The encrypted sums kept up to date as ballots arrive, grouped by weight.

    Adding a ballot costs one point addition per answer; ``weighted_sums`` costs one
    multiplication per distinct weight and answer.
    """

    def __init__(self, answers: int) -> None:
        self.answers = answers
        self.by_weight: dict[int, list[Ciphertext]] = {}
        self.count = 0
        self.total_weight = 0

    def add(self, ciphertexts: Sequence[Ciphertext], weight: int, sign: int = 1) -> None:
        """Add (or with ``sign=-1`` take away) one ballot's ciphertexts with its weight."""
        sums = self.by_weight.setdefault(weight, [ZERO] * self.answers)
        for a, ct in enumerate(ciphertexts):
            sums[a] = sums[a] + ct if sign > 0 else sums[a] - ct
        self.count += sign
        self.total_weight += sign * weight

    def weighted_sums(self) -> list[Ciphertext]:
        """``sum over weights w of w * (sum of the ciphertexts of weight w)``, per answer."""
        out = [ZERO] * self.answers
        for weight in sorted(self.by_weight):
            for a, ct in enumerate(self.by_weight[weight]):
                out[a] = out[a] + (ct if weight == 1 else ct.scaled(weight))
        return out


def _sums_json(sums: Iterable[Ciphertext]) -> list[dict[str, str]]:
    return [ct.to_json() for ct in sums]
