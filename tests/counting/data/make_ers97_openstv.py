"""Make ``ers97_openstv.json``: OpenSTV's ERS97 count of the generated elections of test_ers97_openstv.

    python tests/counting/data/make_ers97_openstv.py /path/to/openstv-py3 [N]

OpenSTV 1.7 (https://github.com/OpenTechStrategies/openstv, GPL) is Python 2: run ``2to3`` on
its ``openstv`` package, then in ``STV.py`` make the integer divisions ``//`` (``displayValue``,
``updateThresh``, both ``transferValue`` lines) and fix ``assert(newLosersList > 0)`` to test
its length. Councils neither ships nor imports OpenSTV; only its results are kept here.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.counting.generated import generated_election  # noqa: E402

from councils.counting.blt import write_blt  # noqa: E402


def openstv_rounds(path: str) -> dict[str, object]:
    from openstv.ballots import Ballots
    from openstv.plugins import getMethodPlugins

    dirty = Ballots()
    dirty.loadKnown(path, exclude0=False)
    ballots = dirty.getCleanBallots()
    election = getMethodPlugins("byName", exclude0=False)["ERS97STV"](ballots)
    election.strongTieBreakMethod = "index"
    election.runElection()
    rounds = []
    for stage in election.stages:
        for r in stage:
            kind, who = election.roundInfo[r].get("action", ("first", []))
            rounds.append(
                {
                    "action": {"first": "first", "surplus": "surplus", "eliminate": "exclude"}[kind],
                    "candidates": sorted(ballots.names[c] for c in who),
                    "batches": len(stage),
                    "votes": list(election.count[r]),  # in hundredths (precision 2)
                    "exhausted": election.exhausted[r],
                }
            )
    won = sorted(
        election.winners, key=lambda c: (election.wonAtRound[c], -election.count[election.wonAtRound[c]][c])
    )
    tied = any("tied" in str(info) for info in election.roundInfo)
    return {"elected": [ballots.names[c] for c in won], "rounds": rounds, "tied": tied}


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    elections = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(n):
            path = f"{tmp}/{seed}.blt"
            write_blt(generated_election(seed), path)
            counted = openstv_rounds(path)
            if not counted.pop("tied"):
                elections[str(seed)] = counted
    out = {
        "source": "OpenSTV 1.7 ERS97STV (precision 2), strong ties by index; tied elections left out",
        "elections": elections,
    }
    Path(__file__).with_name("ers97_openstv.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
