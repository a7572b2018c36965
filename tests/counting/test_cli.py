"""``councils count`` and ``councils apportion`` through ``main(argv)`` and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from councils.counting.cli import main

BLT = '3 1\n4 1 2 0\n3 2 0\n2 3 2 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Test election"\n'


@pytest.fixture
def ballots(tmp_path: Path) -> Path:
    f = tmp_path / "e.blt"
    f.write_text(BLT)
    return f


def test_count_prints_a_stage_table(ballots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(ballots), "--method", "irv"]) == 0
    out = capsys.readouterr().out
    assert "Test election - method irv, 1 seat" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Stage "))
    assert header.split() == ["Stage", "1", "2"]
    assert next(line for line in lines if line.startswith("Bob")).split() == ["Bob", "3", "5", "E"]
    assert next(line for line in lines if line.startswith("Cat")).split() == ["Cat", "2", "0", "X"]
    assert next(line for line in lines if line.startswith("Exhausted")).split() == ["Exhausted", "0", "0"]
    assert "Stage 2: Exclusion of Cat" in out
    assert "Elected: Bob" in out


def test_count_json_has_the_documented_keys(ballots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(ballots), "--method", "schulze", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"method", "seats", "elected", "stages", "pairwise", "strongest_paths"} <= data.keys()
    assert data["method"] == "schulze" and data["seats"] == 1
    assert data["elected"] == ["Bob"]


def test_seats_default_to_the_file_and_can_be_overridden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "two.blt"
    f.write_text(BLT.replace("3 1\n", "3 2\n", 1))
    assert main(["count", str(f), "--method", "approval", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seats"] == 2
    assert main(["count", str(f), "--method", "block", "--seats", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seats"] == 1


def test_a_lot_is_reported_with_its_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "tie.blt"
    f.write_text('2 1\n1 1 0\n1 2 0\n0\n"A"\n"B"\n"T"\n')
    assert main(["count", str(f), "--method", "plurality", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "chosen by lot" in out
    assert "seed 5" in out


def test_count_reads_csv_by_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "cvr.csv"
    f.write_text("rank1,rank2\nAnn,Bob\nBob,undervote\nBob,Ann\n")
    assert main(["count", str(f), "--method", "irv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["elected"] == ["Bob"]


def test_a_malformed_file_exits_2_naming_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.blt"
    f.write_text("3 1\n4 1 2 0\n3 2 2 0\n0\n")
    assert main(["count", str(f), "--method", "irv"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("councils: error: ")
    assert "line 3, column 5" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["count", "missing.blt", "--method", "irv"], "missing.blt"),
        (["count", "BALLOTS", "--method", "nonsense"], "unknown counting method 'nonsense'"),
        (["count", "BALLOTS", "--method", "block", "--seats", "9"], "cannot fill 9 seats"),
    ],
)
def test_user_errors_exit_2_with_a_message(
    argv: list[str], words: str, ballots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(ballots) if a == "BALLOTS" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("councils: error: ") and words in err


def test_apportion_prints_seats_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "sizes.csv"
    f.write_text("name,votes\nRed,100\nGreen,50\nBlue,30\n")
    assert main(["apportion", str(f), "--seats", "5", "--method", "dhondt"]) == 0
    out = capsys.readouterr().out
    assert next(line for line in out.splitlines() if line.startswith("Red")).split() == ["Red", "100", "3"]
    assert main(["apportion", str(f), "--seats", "5", "--method", "sainte-lague", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "sainte-lague"
    assert data["seats"] == {"Red": 3, "Green": 1, "Blue": 1}


def test_apportion_names_the_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "sizes.csv"
    f.write_text("name,population\nRed,100\nGreen,lots\n")
    assert main(["apportion", str(f), "--seats", "5", "--method", "hare"]) == 2
    err = capsys.readouterr().err
    assert "line 3, column 2" in err and "size must be a number" in err


def test_it_runs_as_a_module_and_imports_no_django(ballots: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "councils.counting.cli", "count", str(ballots), "--method", "irv", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["elected"] == ["Bob"]
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    check = "import councils.counting.cli, sys; assert 'django' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", check], check=False).returncode == 0


def test_a_malformed_file_as_a_subprocess_gives_no_traceback(tmp_path: Path) -> None:
    f = tmp_path / "bad.blt"
    f.write_text("3 1\n4 1 9 0\n0\n")
    done = subprocess.run(
        [sys.executable, "-m", "councils.counting.cli", "count", str(f), "--method", "irv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "line 2, column 5" in done.stderr
    assert "Traceback" not in done.stderr


def test_count_csv_is_the_stage_table_for_a_spreadsheet(
    ballots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io

    assert main(["count", str(ballots), "--method", "irv", "--csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    assert rows[0] == ["row", "stage_1", "stage_2", "elected_at_stage", "excluded_at_stage"]
    assert ["Bob", "3", "5", "2", ""] in rows
    assert ["Cat", "2", "0", "", "2"] in rows
    assert rows[-1][0] == "Exhausted"


def test_count_csv_neutralizes_a_candidate_named_like_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "f.blt"
    f.write_text('2 1\n2 1 0\n1 2 0\n0\n"=cmd|calc"\n"Bob"\n"T"\n')
    assert main(["count", str(f), "--method", "plurality", "--csv"]) == 0
    assert "\r\n'=cmd|calc," in capsys.readouterr().out


def test_count_takes_json_or_csv_not_both(ballots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(ballots), "--method", "irv", "--csv", "--json"]) == 2
    assert "not allowed with" in capsys.readouterr().err
