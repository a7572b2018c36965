"""STV counts of real elections against their declared results and a reference count.

The data lie in ``shared/elections`` beside the repository (see its README) and are read in
place; every test here skips, naming that folder, when it is absent.

Names are compared with runs of spaces collapsed and ends stripped: the ballot files write
``"Ellen   Hurcombe"`` and ``"Kieran  Wild "`` where the reference lists ``Ellen Hurcombe`` and
``Kieran Wild``.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from councils.counting.blt import read_blt
from councils.counting.meek import count_meek_stv
from councils.counting.profile import Profile
from councils.counting.stv_scottish import count_scottish_stv

ELECTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "elections"
GLASGOW = ELECTIONS / "scotland_glasgow_2007"
EDINBURGH = ELECTIONS / "scotland_edinburgh_2017"
DUBLIN = ELECTIONS / "ireland_dublin_north_2002" / "dublin_north_2002_ballots.csv"

needs_data = pytest.mark.skipif(
    not ELECTIONS.is_dir(), reason=f"real election data not found in {ELECTIONS} (shared/elections)"
)


def norm(name: str) -> str:
    return " ".join(name.split())


def glasgow_reference() -> dict[str, dict[str, str]]:
    with (GLASGOW / "reference_winners.csv").open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


GLASGOW_WARDS = sorted(glasgow_reference()) if GLASGOW.is_dir() else []


def droop_stages(ward: str) -> list[tuple[Decimal, dict[str, Decimal]]]:
    """Droop's stage totals: the ``begin`` row, then each ``transfer`` row (a stage each)."""
    path = GLASGOW / "droop_ref_scotland" / f"{ward}-scotland-fixed-p5-dump.tsv"
    stages = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        f = line.split("\t")
        if f[1] in ("begin", "transfer"):
            votes = {norm(f[i]): Decimal(f[i + 2]) for i in range(4, len(f) - 2, 3)}
            stages.append((Decimal(f[3]), votes))
    return stages


@needs_data
@pytest.mark.parametrize("ward", GLASGOW_WARDS)
def test_glasgow_2007_elects_the_reference_winners_with_every_stage_at_5_decimals(ward: str) -> None:
    """Glasgow 2007: winners, quota and every stage as Droop's clause-by-clause count gives them.

    The reference lists winners in Droop's order. Candidates deemed elected at the last stage
    (reaching the quota there, or filling the last vacancies under rule 52) are listed by Droop
    in ballot order and by us by votes, most first (rule 47 elects the quota-reachers at that
    stage, rule 52 the rest): for them only the set is compared.
    """
    ref = glasgow_reference()[ward]
    result = count_scottish_stv(read_blt(GLASGOW / "blt" / ward))
    expected = [norm(n) for n in ref["elected_in_order_pipe_separated"].split("|")]
    got = [norm(n) for n in result.elected]
    last = {norm(n) for n in result.stages[-1].elected}
    assert got[: len(got) - len(last)] == expected[: len(got) - len(last)]
    assert set(got) == set(expected)
    assert result.quota == Decimal(ref["quota"])
    assert result.extra["valid_papers"] == int(ref["valid_ballots"])

    reference = droop_stages(Path(ward).stem)
    assert len(result.stages) == len(reference)
    for stage, (nontransferable, votes) in zip(result.stages, reference, strict=True):
        ours = {norm(n): v for n, v in stage.votes.items()}
        assert ours == votes, f"stage {stage.number} ({stage.action})"
        assert stage.exhausted == nontransferable, f"stage {stage.number} ({stage.action})"
        total = sum(stage.votes.values()) + stage.exhausted + stage.lost_to_rounding
        assert total == result.extra["valid_papers"]


@needs_data
def test_glasgow_anderston_city_stage_2_as_published() -> None:
    """The figures quoted in shared/elections/README.md for Anderston/City."""
    result = count_scottish_stv(read_blt(GLASGOW / "blt" / "Anderston-City-2007.blt"))
    first, second = result.stages[0], result.stages[1]
    assert result.quota == Decimal("1381.00000")
    assert first.votes["Craig MacKay"] == 1632 and first.elected == ("Craig MacKay",)
    assert second.action == "Surplus of Craig MacKay"
    assert second.transfers["Craig MacKay"] == Decimal("-251.00000")
    assert second.votes["Nina Baker"] == Decimal("927.98248")
    assert second.votes["Philip Braat"] == Decimal("1306.68658")
    assert second.votes["Gordon Matheson"] == Decimal("1194.99343")
    assert second.exhausted == Decimal("73.20404")
    assert second.lost_to_rounding == Decimal("0.01472")


@needs_data
@pytest.mark.parametrize("name", ["weak-defeat.blt", "weak-surplus.blt"])
def test_glasgow_tie_cases_elect_droops_winners(name: str) -> None:
    """Droop's two tie test cases: same winners.

    In ``weak-surplus`` Droop also "transfers" two surpluses of 0 (candidates exactly at the
    quota); rule 48 transfers only votes that *exceed* the quota, so we have fewer stages and
    compare the winners only.
    """
    result = count_scottish_stv(read_blt(GLASGOW / "blt" / name), seed=1)
    text = (GLASGOW / "droop_ref_scotland" / f"{Path(name).stem}-scotland-fixed-p5-d5.txt").read_text()
    droop_elected = set()
    for line in text.splitlines():
        if line.strip().startswith("Elected:"):
            droop_elected.add(line.split(":", 1)[1].rsplit("(", 1)[0].strip())
    assert set(result.elected) == droop_elected


def edinburgh_winners() -> dict[int, tuple[int, set[str]]]:
    with (EDINBURGH / "official_winners.csv").open(encoding="utf-8") as f:
        return {
            int(r["ward_number"]): (
                int(r["seats"]),
                {norm(n) for n in r["elected_set_pipe_separated"].split("|")},
            )
            for r in csv.DictReader(f)
        }


@needs_data
@pytest.mark.parametrize("ward", range(1, 18))
def test_edinburgh_2017_elects_the_declared_councillors(ward: int) -> None:
    """City of Edinburgh Council, May 2017: each ward's declared elected set."""
    seats, declared = edinburgh_winners()[ward]
    (path,) = EDINBURGH.glob(f"ward_{ward}_-_*.blt")
    profile = read_blt(path)
    assert profile.seats == seats
    result = count_scottish_stv(profile)
    assert {norm(n) for n in result.elected} == declared


@needs_data
def test_edinburgh_padded_original_reads_and_counts_the_same() -> None:
    """The untouched original (lines padded to 500 characters, CRLF) counts like the clean copy."""
    (padded,) = (EDINBURGH / "original_padded").glob("ward_3_*")
    (clean,) = EDINBURGH.glob("ward_3_-_*.blt")
    a, b = count_scottish_stv(read_blt(padded)), count_scottish_stv(read_blt(clean))
    assert a.elected == b.elected
    assert [s.votes for s in a.stages] == [s.votes for s in b.stages]
    assert {norm(n) for n in a.elected} == edinburgh_winners()[3][1]


def read_dublin(path: Path) -> Profile:
    """Dublin North 2002: ``;``-separated, one column per candidate holding its preference number.

    Header cells are ``Surname,First,Party``; names become ``First Surname``. A ballot's
    preferences are read in order 1, 2, 3, ... and stop at the first missing or repeated number.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    names = [" ".join(reversed(cell.split(",")[:2])) for cell in lines[0].split(";")]
    rankings = []
    for line in lines[1:]:
        marks = sorted((int(x), i) for i, x in enumerate(line.split(";")) if x.strip())
        ranking = []
        for expected, (number, code) in enumerate(marks, start=1):
            if number != expected:
                break
            ranking.append(code)
        rankings.append(ranking)
    return Profile.from_rankings(names, rankings, seats=4)


DUBLIN_ELECTED = {"Trevor Sargent", "Seán Ryan", "Jim Glennon", "G.V. Wright"}


@needs_data
def test_dublin_north_2002_scottish_and_meek_elect_the_declared_tds() -> None:
    """Dáil election, Dublin North 2002 (counted under Irish rules, which draw surplus papers at
    random): only the elected set is a safe check, and both Scottish STV and Meek give it."""
    profile = read_dublin(DUBLIN)
    assert profile.total_weight == 43942
    scottish = count_scottish_stv(profile)
    assert scottish.quota == Decimal("8789.00000")
    assert set(scottish.elected) == DUBLIN_ELECTED
    assert set(count_meek_stv(profile).elected) == DUBLIN_ELECTED
