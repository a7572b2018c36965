"""Approval voting: each ballot gives one vote to every candidate it approves."""

from __future__ import annotations

import numpy as np

from councils.counting.errors import MethodError
from councils.counting.plurality import elect_highest, to_decimal
from councils.counting.profile import ApprovalProfile, Profile
from councils.counting.result import CountResult, Stage
from councils.counting.ties import Lot, recorded_seed

__all__ = ["count_approval"]


def count_approval(
    profile: Profile | ApprovalProfile, *, seats: int | None = None, seed: int | None = None
) -> CountResult:
    """Elect the ``seats`` candidates approved by the most voters.

    Parameters
    ----------
    profile : Profile or ApprovalProfile
        Approval ballots; a ranked profile is read as approving every candidate a ballot ranks
        (withdrawn candidates excepted).
    seats : int, optional
        Seats to fill; the profile's by default.
    seed : int, optional
        Seed of the lot that breaks a tie for the last seat(s).

    Returns
    -------
    CountResult
        One stage with each candidate's approvals; ``elected`` in order of approvals.

    Raises
    ------
    MethodError
        If there are fewer candidates than seats.

    Notes
    -----
    A weighted column sum of the approval matrix: O(n_ballots * n_candidates) time.

    References
    ----------
    .. [1] S. J. Brams and P. C. Fishburn, "Approval Voting", American Political Science
       Review 72(3), 1978.

    Examples
    --------
    >>> p = Profile.from_rankings(["Ann", "Bob", "Cat"], [[0, 1], [1], [2, 1]])
    >>> r = count_approval(p)
    >>> r.elected, r.stages[0].votes["Bob"]
    (('Bob',), Decimal('3'))
    """
    withdrawn: frozenset[int] = frozenset()
    if isinstance(profile, Profile):
        withdrawn = profile.withdrawn
        profile = ApprovalProfile.from_profile(profile)
    wanted = profile.seats if seats is None else seats
    standing = [c for c in range(len(profile.candidates)) if c not in withdrawn]
    if wanted < 1:
        raise MethodError(f"seats must be at least 1, got {wanted}")
    if wanted > len(standing):
        raise MethodError(f"cannot fill {wanted} seats with {len(standing)} candidates standing")
    weights = profile.weights
    totals = weights @ profile.approvals.astype(weights.dtype)
    if np.issubdtype(weights.dtype, np.integer):
        totals = np.rint(totals).astype(np.int64)
    votes = {profile.candidates[c]: to_decimal(totals[c].item()) for c in standing}
    lot = Lot(seed)
    elected, ties = elect_highest(votes, wanted, lot)
    stage = Stage(1, "Approvals", votes, elected=elected, ties=ties)
    return CountResult(
        "approval", wanted, profile.candidates, elected, (stage,), seed=recorded_seed(seed, lot)
    )
