"""Benchmark of the counting library against its peers, in one run.

    .venv/bin/python bench/counting_bench.py [--size full|small] [--peer-timeout S]

Profiles are generated with a fixed seed: 15 candidates, 10,000 / 100,000 / 1,000,000 ballots,
either *uniform* (a random order truncated to a random length: about 760,000 distinct ballots in
a million) or *skewed* (three strong candidates, short ballots). They are written as BLT files in
``bench/out/`` (by ``write_blt``: one line per distinct ballot, in sorted order, so the reader's
check for repeated ballots finds its keys already increasing and sorts nothing) and then timed:

a. the whole command, ``councils count FILE --method irv`` and ``--method scottish-stv --seats 3``,
   as a subprocess (start-up, reading and counting), the median of three runs, with the package's
   bytecode compiled first as pip compiles the peers';
b. the peers, each in a subprocess capped at ``--peer-timeout`` seconds: pyrankvote
   (``instant_runoff_voting``, ``single_transferable_vote``), pref_voting (``instant_runoff``,
   ``stv_scottish``) and votekit (``IRV``, ``STV``), timing the building of their ballot
   objects plus the count. Sizes a peer cannot finish within the cap show "> cap" and nothing
   is extrapolated; once a peer exceeds the cap, larger sizes are not tried;
c. counting alone, in memory: IRV against one NumPy pass over the ballot array
   (``ranks.sum()``), Schulze, and Meek STV on a million skewed ballots;
d. the peak memory of reading and counting 10,000,000 ballots by IRV (a subprocess; its maximum
   resident set) against the size of the ballot array itself.

``--size small`` runs 10,000 ballots only, with the peers, in well under 30 seconds (CI's smoke
test). The numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
N_CANDIDATES = 15
SIZES = {"small": [10_000], "full": [10_000, 100_000, 1_000_000]}
PEERS = ["pyrankvote", "pref_voting", "votekit"]


# ---------------------------------------------------------------------------------------------
# Profiles


def generate(n_ballots: int, model: str, seed: int = 2024) -> Any:
    """A grouped Profile of ``n_ballots`` ballots over 15 candidates, reproducibly."""
    from councils.counting.profile import NO_CANDIDATE, Profile, group_rows

    rng = np.random.default_rng(seed + n_ballots + (0 if model == "uniform" else 1))
    c = N_CANDIDATES
    blocks = []
    # Generated a million at a time, so that ten million stay within a few gigabytes.
    for start in range(0, n_ballots, 1_000_000):
        m = min(1_000_000, n_ballots - start)
        if model == "uniform":
            order = np.argsort(rng.random((m, c)), axis=1)
            lengths = rng.integers(1, c + 1, m)
        else:
            # Three strong candidates draw most first preferences; ballots are short.
            strength = np.array([12.0, 10.0, 8.0] + [1.0] * (c - 3))
            keys = rng.gumbel(size=(m, c)) + np.log(strength)
            order = np.argsort(-keys, axis=1)
            lengths = np.minimum(rng.geometric(0.45, m), c)
        blocks.append(np.where(np.arange(c)[None, :] < lengths[:, None], order, NO_CANDIDATE).astype(np.int8))
    ranks = np.concatenate(blocks)
    grouped, weights = group_rows(ranks, np.ones(n_ballots, dtype=np.int64))
    names = tuple(f"Candidate {i + 1:02d}" for i in range(c))
    return Profile(names, grouped, weights, 3, f"Bench {model} {n_ballots:,}")


def blt_path(n_ballots: int, model: str) -> Path:
    return OUT / f"{model}_{n_ballots}.blt"


def ensure_file(n_ballots: int, model: str) -> Path:
    from councils.counting.blt import write_blt

    path = blt_path(n_ballots, model)
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        write_blt(generate(n_ballots, model), path)
    return path


# ---------------------------------------------------------------------------------------------
# Peers, run in a subprocess: ``counting_bench.py --peer NAME --method irv|stv FILE``


def expanded(profile: Any) -> list[list[int]]:
    """One ranking per voter (the peers that take no weights need them one by one)."""
    out: list[list[int]] = []
    for ranking, weight in profile.rankings():
        out.extend([list(ranking)] * int(weight))
    return out


def run_peer(peer: str, method: str, path: Path) -> float:
    """Build the peer's ballots and count; return the seconds taken (reading not included)."""
    from councils.counting.blt import read_blt

    profile = read_blt(path)
    names = list(profile.candidates)
    seats = 3
    if peer == "pyrankvote":
        import pyrankvote

        voters = expanded(profile)
        start = time.perf_counter()
        cands = [pyrankvote.Candidate(n) for n in names]
        ballots = [pyrankvote.Ballot(ranked_candidates=[cands[c] for c in r]) for r in voters]
        if method == "irv":
            pyrankvote.instant_runoff_voting(cands, ballots)
        else:
            pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=seats)
        return time.perf_counter() - start
    if peer == "pref_voting":
        from pref_voting.iterative_methods import instant_runoff
        from pref_voting.profiles_with_ties import ProfileWithTies
        from pref_voting.proportional_methods import stv_scottish

        rows = profile.rankings()
        start = time.perf_counter()
        ref = ProfileWithTies(
            [{c: i for i, c in enumerate(r, start=1)} for r, _ in rows],
            rcounts=[int(w) for _, w in rows],
            candidates=list(range(len(names))),
        )
        if method == "irv":
            instant_runoff(ref)
        else:
            stv_scottish(ref, num_seats=seats)
        return time.perf_counter() - start
    if peer == "votekit":
        from votekit.ballot import RankBallot
        from votekit.elections import IRV, STV
        from votekit.pref_profile import RankProfile

        rows = profile.rankings()
        start = time.perf_counter()
        ballots = [
            RankBallot(ranking=tuple(frozenset({names[c]}) for c in r), weight=int(w)) for r, w in rows if r
        ]
        vk = RankProfile(ballots=ballots, candidates=names, max_ranking_length=N_CANDIDATES)
        if method == "irv":
            IRV(vk).get_elected()
        else:
            STV(vk, n_seats=seats).get_elected()
        return time.perf_counter() - start
    raise SystemExit(f"unknown peer {peer}")


def peer_subprocess(peer: str, method: str, path: Path, cap: float) -> float | None:
    """Seconds the peer took, or None when it did not finish within ``cap`` (or failed)."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--peer", peer, "--method", method, str(path)],
            capture_output=True,
            text=True,
            timeout=cap,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        print(f"    {peer} {method} failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return float(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Timings


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_seconds(path: Path, *args: str, runs: int = 3) -> float:
    """The median wall time of ``runs`` runs of the whole command, process start to exit."""
    cmd = [sys.executable, "-m", "councils.counting.cli", "count", str(path), *args, "--json"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"councils count failed: {done.stderr}")
    return sorted(times)[len(times) // 2]


def compile_bytecode() -> None:
    """Compile the package's bytecode, as ``pip install`` does for the peers' packages.

    An editable install leaves it to the first import, and a shell with PYTHONDONTWRITEBYTECODE
    set never writes it: every run would then compile the counting modules again (about 30 ms).
    """
    import compileall

    import councils

    compileall.compile_dir(Path(councils.__file__).parent, quiet=1)


def fmt(seconds: float | None, cap: float) -> str:
    if seconds is None:
        return f"> {cap:.0f} s"
    return f"{seconds:.3f} s" if seconds < 100 else f"{seconds:.0f} s"


def section_cli_and_peers(sizes: list[int], cap: float) -> None:
    print("\n(a) whole command and (b) peers (build + count), uniform ballots, 15 candidates")
    header = f"{'ballots':>10}  {'distinct':>9}  {'method':<6}  {'councils count':>14}"
    print(header + "".join(f"  {p:>12}" for p in PEERS))
    given_up: set[tuple[str, str]] = set()
    from councils.counting.blt import read_blt

    for n in sizes:
        path = ensure_file(n, "uniform")
        distinct = read_blt(path).n_ballots
        for method, args in (
            ("irv", ("--method", "irv")),
            ("stv", ("--method", "scottish-stv", "--seats", "3")),
        ):
            ours = cli_seconds(path, *args)
            cells = []
            for peer in PEERS:
                if (peer, method) in given_up:
                    cells.append(f"{'not run':>12}")
                    continue
                t = peer_subprocess(peer, method, path, cap)
                if t is None:
                    given_up.add((peer, method))
                cells.append(f"{fmt(t, cap):>12}")
            print(
                f"{n:>10,}  {distinct:>9,}  {method:<6}  {fmt(ours, cap):>14}"
                + "".join(f"  {c}" for c in cells)
            )


def section_in_memory(sizes: list[int]) -> None:
    from councils.counting.blt import read_blt
    from councils.counting.irv import count_irv
    from councils.counting.schulze import count_schulze

    print("\n(c) counting alone, in memory (best of 3)")
    print(
        f"{'ballots':>10}  {'model':<8}  {'read BLT':>9}  {'ranks.sum()':>11}  {'IRV':>8}  "
        f"{'ratio':>6}  {'Schulze':>8}"
    )
    for n in sizes:
        for model in ("uniform", "skewed"):
            path = ensure_file(n, model)
            read = best_of(lambda path=path: read_blt(path))
            profile = read_blt(path)
            one_pass = best_of(lambda p=profile: p.ranks.sum(), runs=5)
            irv = best_of(lambda p=profile: count_irv(p, seed=1))
            schulze = best_of(lambda p=profile: count_schulze(p, seed=1))
            print(
                f"{n:>10,}  {model:<8}  {read:>8.3f}s  {one_pass * 1000:>9.2f}ms  {irv:>7.3f}s  "
                f"{irv / one_pass:>5.0f}x  {schulze:>7.3f}s"
            )
    n = sizes[-1]
    try:
        from councils.counting.meek import count_meek_stv
    except ImportError:
        print("Meek STV: councils.counting.meek is not there yet, skipped")
        return
    profile = read_blt(ensure_file(n, "skewed"))
    meek = best_of(lambda: count_meek_stv(profile, seats=3, seed=1), runs=1)
    print(f"Meek STV, {n:,} skewed ballots ({profile.n_ballots:,} distinct), 3 seats: {meek:.3f} s")


def section_memory(n: int) -> None:
    print(f"\n(d) peak memory reading and counting {n:,} ballots by IRV")
    path = ensure_file(n, "uniform")
    done = subprocess.run(
        [sys.executable, __file__, "--memory", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"    failed: {done.stderr.strip()[-300:]}")
        return
    data = json.loads(done.stdout.strip().splitlines()[-1])
    above = data["peak_mb"] - data["baseline_mb"]
    print(f"file {data['file_mb']:.0f} MB")
    print(
        f"ballot array {data['array_mb']:.1f} MB "
        f"({data['distinct']:,} distinct ballots x {data['width']} ranks, int8, plus int64 weights)"
    )
    print(f"peak resident set {data['peak_mb']:.0f} MB, of which {data['baseline_mb']:.0f} MB before reading")
    print(f"peak above baseline / ballot array: {above / data['array_mb']:.1f}x")
    print(
        f"peak allocated while reading and counting (tracemalloc, includes the file's bytes): "
        f"{data['traced_mb']:.0f} MB = {data['traced_mb'] / data['array_mb']:.1f}x the ballot array"
    )


def _high_water_mb() -> float:
    """This process's peak resident set (VmHWM), which, unlike ru_maxrss, restarts at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_memory(path: Path) -> None:
    """In a fresh process: read and count, report the peak memory (resident and allocated)."""
    import tracemalloc

    import councils.counting.blt
    import councils.counting.irv

    baseline = _high_water_mb()
    tracemalloc.start()
    profile = councils.counting.blt.read_blt(path)
    councils.counting.irv.count_irv(profile, seed=1)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    array = (profile.ranks.nbytes + profile.weights.nbytes) / 2**20
    print(
        json.dumps(
            {
                "file_mb": os.path.getsize(path) / 2**20,
                "array_mb": array,
                "distinct": profile.n_ballots,
                "width": profile.ranks.shape[1],
                "peak_mb": _high_water_mb(),
                "baseline_mb": baseline,
                "traced_mb": traced,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark councils.counting against its peers.")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--peer-timeout", type=float, default=None, help="cap per peer run (s)")
    parser.add_argument("--memory-only", action="store_true", help="run part (d) alone")
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        print(run_peer(args.peer, args.method, Path(args.file)))
        return 0
    if args.memory:
        measure_memory(Path(args.memory))
        return 0
    if args.memory_only:
        section_memory(10_000_000)
        return 0
    sizes = SIZES[args.size]
    cap = args.peer_timeout if args.peer_timeout is not None else (3.0 if args.size == "small" else 120.0)
    from councils.counting import blt

    compile_bytecode()
    print(
        f"councils.counting benchmark, size {args.size}, "
        f"Python {sys.version.split()[0]}, NumPy {np.__version__}, "
        f"BLT scanner {'C' if blt._bltscan is not None else 'NumPy (the C scanner was not built)'}"
    )
    section_cli_and_peers(sizes, cap)
    section_in_memory(sizes)
    if args.size == "full":
        section_memory(10_000_000)
    print("\ndone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
