#!/usr/bin/env python
"""CPU cost of checking a secret ballot's proofs, the server's part of a secret cast: not a test.

    .venv/bin/python bench/proofs_bench.py [--ballots 2000] [--repeat 3] [--question yna|approval5]

It encrypts ``--ballots`` ballots under one key (libsodium, not timed), parses them once, and
times ``ballot_check_proofs`` over all of them (best of ``--repeat``), then the same ballots'
``range_commitments`` alone (the multi-scalar multiplications). ``--no-c`` times the libsodium
fallback. The last line is ``µs per ballot: proofs X, commitments Y``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from councils.voting.crypto import group  # noqa: E402
from councils.voting.crypto.ballot import (  # noqa: E402
    Question,
    ballot_check_proofs,
    ballot_encrypt,
    ballot_parse,
    ciphertext_sum,
)

QUESTIONS = {"yna": Question.yes_no_abstain(), "approval5": Question.approval(5, most=3)}


def main() -> None:
    """Build the ballots, then print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--question", choices=sorted(QUESTIONS), default="yna")
    parser.add_argument("--no-c", action="store_true", help="time the libsodium fallback")
    args = parser.parse_args()
    question = QUESTIONS[args.question]
    rng = random.Random(1)
    key = group.base_mul(rng.randrange(1, group.L))
    fingerprint = "ab" * 32
    ballots = []
    for _ in range(args.ballots):
        marks = rng.randint(question.low, question.high)
        chosen = set(rng.sample(range(question.answers), marks))
        choices = [int(i in chosen) for i in range(question.answers)]
        made = ballot_encrypt(question=question, fingerprint=fingerprint, key=key, choices=choices)
        ballots.append(ballot_parse(made.ballot.to_json(), question))
    if args.no_c:
        group._ristretto = None  # type: ignore[assignment]
    module = group._ristretto
    print("C module:", "off" if module is None else f"API {getattr(module, 'API', 1)}")

    def check() -> None:
        for b in ballots:
            ballot_check_proofs(b, question=question, fingerprint=fingerprint, key=key)

    jobs = []
    for b in ballots:
        for a in b.answers:
            rows = [(v, br.c, br.s) for v, br in zip((0, 1), a.proof, strict=True)]
            jobs.append((a.ciphertext.alpha, a.ciphertext.beta, rows))
        total = ciphertext_sum(b.ciphertexts)
        overall = [(v, br.c, br.s) for v, br in zip(question.overall_values, b.overall, strict=True)]
        jobs.append((total.alpha, total.beta, overall))

    def commitments() -> None:
        for alpha, beta, rows in jobs:
            group.range_commitments(key, alpha, beta, rows)

    figures = []
    for name, fn in (("proofs", check), ("commitments", commitments)):
        best = min(_timed(fn) for _ in range(args.repeat))
        figures.append(best / len(ballots) * 1e6)
        print(f"{name}: {best:.3f} s for {len(ballots)} ballots (best of {args.repeat})")
    print(f"µs per ballot: proofs {figures[0]:.1f}, commitments {figures[1]:.1f}")


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    fn()
    return time.process_time() - start


if __name__ == "__main__":
    main()
