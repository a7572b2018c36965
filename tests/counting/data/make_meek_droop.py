"""Make ``meek_droop.json``: the winners Droop's Meek count gives for the generated elections.

    python tests/counting/data/make_meek_droop.py /path/to/droop [N]

Droop (https://github.com/jklundell/droop, GPL) is Jonathan Lundell's reference implementation of
Meek and WIGM rules; it runs on Python 3 as it is. It is run with 9-digit fixed-point arithmetic
and iteration ending when the surplus is below 0.0001, New Zealand's precision and limit.
Councils neither ships nor imports Droop; only its winners are kept here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.counting.generated import generated_election  # noqa: E402

from councils.counting.blt import write_blt  # noqa: E402


def main() -> None:
    droop = Path(sys.argv[1]) / "Droop.py"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    elections = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(n):
            path = f"{tmp}/{seed}.blt"
            write_blt(generated_election(seed), path)
            args = [sys.executable, str(droop), "meek", "arithmetic=fixed", "precision=9", "omega=4", path]
            out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
            if "tie" in out.lower():
                continue  # Droop breaks ties its own way; Councils by lot
            final = out.split("Action: Count Complete")[-1]
            elections[str(seed)] = sorted(re.findall(r"Elected:\s+(\S+)", final), key=lambda c: int(c[1:]))
    out = {
        "source": "Droop meek, arithmetic=fixed precision=9 omega=4; elections with ties left out",
        "elected": elections,
    }
    Path(__file__).with_name("meek_droop.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
