"""The C module's precomputed tables, halved scalars and batch encoding against libsodium.

``_ristretto.range_commitments`` keeps tables for G and for the last election keys, cuts every
scalar at bit 128, halves the scalars and encodes all the commitments with one inversion, and
remembers the last points it decoded. None of that may change a single byte: each case here is
computed both ways (``variable_time=False`` is libsodium's path, which a prover takes).
"""

from __future__ import annotations

import random
import types

import pytest

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_encrypt, ballot_verify
from councils.voting.crypto.errors import InvalidProofError
from councils.voting.crypto.proofs import Branch, range_prove, range_verify
from tests.conftest import on_ci

C = group._ristretto
needs_c = pytest.mark.skipif(
    C is None and not on_ci(),
    reason="councils.voting.crypto._ristretto was not built (no C compiler at install time)",
)
L = group.L
FINGERPRINT = "cd" * 32

# Scalars at the edges of the halving (odd, even, L - 1) and of the cut at bit 128.
EDGE_SCALARS = (0, 1, 2, 3, L - 1, L - 2, (L - 1) // 2, (L + 1) // 2, 2**128 - 1, 2**128, 2**128 + 1, 2**252)


def _point(rng: random.Random) -> bytes:
    return group.base_mul(rng.randrange(1, L))


def _both_ways(key: bytes, alpha: bytes, beta: bytes, branches: list[tuple[int, int, int]]) -> list[bytes]:
    fast = group.range_commitments(key, alpha, beta, branches)
    slow = group.range_commitments(key, alpha, beta, branches, variable_time=False)
    assert fast == slow, (key.hex(), alpha.hex(), beta.hex(), branches)
    return fast


@needs_c
def test_edge_scalars_and_values_give_libsodiums_points() -> None:
    rng = random.Random(21)
    key = _point(rng)
    for alpha, beta in [
        (_point(rng), _point(rng)),
        (group.IDENTITY, _point(rng)),
        (_point(rng), group.IDENTITY),
        (group.BASE, group.BASE),
    ]:
        for s in EDGE_SCALARS:
            for c in EDGE_SCALARS:
                _both_ways(key, alpha, beta, [(rng.choice((0, 1, 2, 3)), c, s)])
    # The values of overall proofs (0 to the number of answers) and a few larger ones.
    alpha, beta = _point(rng), _point(rng)
    _both_ways(key, alpha, beta, [(v, rng.randrange(L), rng.randrange(L)) for v in range(12)])
    _both_ways(
        key, alpha, beta, [(v, rng.randrange(L), rng.randrange(L)) for v in (127, 128, 255, 2**40, 2**62)]
    )


@needs_c
def test_commitments_equal_to_the_identity_are_encoded_as_libsodium_does() -> None:
    """s*G - c*alpha is the identity when alpha = G and s = c: the batch encoding must cope."""
    rng = random.Random(22)
    key = _point(rng)
    k = rng.randrange(1, L)
    alpha = group.base_mul(k)
    beta = group.add(group.base_mul(3), group.mul(k, key))  # encrypts 3 with randomness k
    c = rng.randrange(L)
    # The branch for v = 3 with s = c*k: both commitments are the identity.
    out = _both_ways(key, alpha, beta, [(3, c, c * k % L), (1, rng.randrange(L), rng.randrange(L))])
    assert out[0] == out[1] == group.IDENTITY != out[2]
    assert _both_ways(key, group.BASE, group.BASE, [(1, 0, 0)]) == [group.IDENTITY, group.IDENTITY]
    assert _both_ways(group.IDENTITY, group.BASE, group.IDENTITY, [(1, 5, 7)])[0] == group.base_mul(2)


@needs_c
def test_random_proofs_under_alternating_keys_give_libsodiums_points() -> None:
    """More keys than the module keeps tables for, in turn: each table is rebuilt and still right."""
    rng = random.Random(23)
    keys = [_point(rng) for _ in range(20)]
    for _ in range(3):
        for key in keys + keys[:2]:
            n = rng.choice((1, 2, 4))
            branches = [(rng.randrange(5), rng.randrange(L), rng.randrange(L)) for _ in range(n)]
            _both_ways(key, _point(rng), rng.choice([_point(rng), group.IDENTITY]), branches)


@needs_c
def test_an_invalid_key_or_point_is_refused_and_leaves_the_tables_right() -> None:
    assert C is not None
    rng = random.Random(24)
    key = _point(rng)
    alpha, beta = _point(rng), _point(rng)
    rows = [(2, rng.randrange(L), rng.randrange(L))]
    before = _both_ways(key, alpha, beta, rows)
    bad = bytes([1]) + bytes(31)  # odd: not a canonical encoding
    scalar = (5).to_bytes(32, "little")
    with pytest.raises(ValueError, match="key: not a valid"):
        C.range_commitments(bad, alpha, beta, [(scalar, scalar, 0)])
    with pytest.raises(ValueError, match="beta: not a valid"):
        C.range_commitments(key, alpha, bad, [(scalar, scalar, 0)])
    with pytest.raises(ValueError, match="below 2\\^253"):
        C.range_commitments(key, alpha, beta, [(bytes(31) + b"\xff", scalar, 0)])
    with pytest.raises(OverflowError):
        C.range_commitments(key, alpha, beta, [(scalar, scalar, -1)])
    with pytest.raises(ValueError, match="below 2\\^63"):
        C.range_commitments(key, alpha, beta, [(scalar, scalar, 2**63)])
    assert C.range_commitments(key, alpha, beta, []) == []
    assert _both_ways(key, alpha, beta, rows) == before


@needs_c
def test_many_sums_and_decodings_beyond_the_memo_stay_right() -> None:
    """The module remembers its last points: sums of sums, interleaved with proofs, as a cast does."""
    assert C is not None
    rng = random.Random(25)
    key = _point(rng)
    points = [_point(rng) for _ in range(40)]
    for i in range(60):
        chosen = rng.sample(points, rng.randrange(1, 5))
        total = C.point_sum(chosen)
        expected = group.IDENTITY
        for p in chosen:
            expected = group.add(expected, p)
        assert total == expected
        _both_ways(key, total, rng.choice(points), [(i % 3, rng.randrange(L), rng.randrange(L))])


def test_an_older_or_foreign_build_is_not_used() -> None:
    assert group.c_module_if_current(None) is None
    assert group.c_module_if_current(types.ModuleType("_ristretto")) is None  # API 1 had no constant
    old = types.ModuleType("_ristretto")
    old.API = 1  # type: ignore[attr-defined]
    assert group.c_module_if_current(old) is None
    current = types.ModuleType("_ristretto")
    current.API = group.C_API  # type: ignore[attr-defined]
    assert group.c_module_if_current(current) is current
    if C is not None:
        assert C.API == group.C_API


@pytest.mark.parametrize("use_c", [True, False])
def test_invalid_range_proofs_are_refused_with_and_without_the_c_module(monkeypatch, use_c) -> None:
    if not use_c:
        monkeypatch.setattr(group, "_ristretto", None)
    rng = random.Random(26)
    key = _point(rng)
    r = rng.randrange(1, L)
    alpha, beta = group.base_mul(r), group.add(group.base_mul(2), group.mul(r, key))
    values = [0, 1, 2, 3]
    proof = range_prove(fingerprint=FINGERPRINT, key=key, alpha=alpha, beta=beta, values=values, m=2, r=r)
    args = {"fingerprint": FINGERPRINT, "key": key, "alpha": alpha, "beta": beta}
    range_verify(**args, values=values, branches=proof)
    wrong = [
        [Branch(proof[0].c, (proof[0].s + 1) % L), *proof[1:]],
        [proof[1], proof[0], *proof[2:]],
        [Branch((proof[0].c + 1) % L, proof[0].s), Branch((proof[1].c - 1) % L, proof[1].s), *proof[2:]],
    ]
    for branches in wrong:
        with pytest.raises(InvalidProofError):
            range_verify(**args, values=values, branches=branches)
    with pytest.raises(InvalidProofError):
        range_verify(**args, values=[0, 1, 3, 4], branches=proof)  # 2 is not among them
    with pytest.raises(InvalidProofError):
        range_verify(**{**args, "key": _point(rng)}, values=values, branches=proof)


@needs_c
def test_ballots_under_several_keys_verify_and_fail_as_without_the_c_module(monkeypatch) -> None:
    rng = random.Random(27)
    question = Question.approval(4, most=3)
    made = []
    for _ in range(8):
        key = _point(rng)
        marks = rng.randrange(4)
        choices = [int(i < marks) for i in range(4)]
        rng.shuffle(choices)
        ballot = ballot_encrypt(question=question, fingerprint=FINGERPRINT, key=key, choices=choices)
        made.append((key, ballot.ballot.to_json()))
    reordered = {**made[0][1], "overall": list(reversed(made[0][1]["overall"]))}
    for use_c in (True, False):
        if not use_c:
            monkeypatch.setattr(group, "_ristretto", None)
        for key, value in made * 2:
            ballot_verify(value, question=question, fingerprint=FINGERPRINT, key=key)
        with pytest.raises(InvalidProofError, match="answers/0/proof"):
            ballot_verify(made[0][1], question=question, fingerprint=FINGERPRINT, key=made[1][0])
        with pytest.raises(InvalidProofError, match="overall"):
            ballot_verify(reordered, question=question, fingerprint=FINGERPRINT, key=made[0][0])
