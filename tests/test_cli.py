"""The ``councils`` command: help that lists every command by the name typed, commands run under
that name, a first data row of ``apportion`` counted rather than taken for a header."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from councils.cli import main
from councils.counting.cli import main as counting_main

ROOT = Path(__file__).resolve().parents[1]


def councils(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "councils.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "COUNCILS_DATA_DIR": str(cwd or ROOT)},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("words", [["--help"], ["help"], ["-h"], []])
def test_help_lists_every_command_by_the_name_typed(words, capsys):
    assert main(words) == 0
    out = capsys.readouterr().out
    assert "Unknown command" not in out
    listed = out.split("Councils commands:\n")[1].split("\n\n")[0]
    commands = {line.split()[0] for line in listed.splitlines()}
    assert {
        "count",
        "apportion",
        "import-members",
        "serve",
        "demo",
        "tick",
        "audit",
        "createtoken",
    } <= commands
    assert "import_members" not in out
    assert "migrate" in out.split("Django's commands")[1]


def test_help_for_one_command_shows_its_usage_under_its_name(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["help", "import-members"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("usage: councils import-members")
    assert main(["help", "count"]) == 0
    assert capsys.readouterr().out.startswith("usage: councils count")


def test_an_unknown_command_points_at_help():
    result = councils("frobnicate")
    assert result.returncode != 0
    assert "Unknown command: 'frobnicate'" in result.stderr
    assert "councils help" in result.stderr


def test_apportion_counts_a_first_row_of_data(tmp_path, capsys):
    f = tmp_path / "parts.csv"
    f.write_text("Putilov Works,3000\nObukhov Works,1000\n")
    assert counting_main(["apportion", str(f), "--seats", "4", "--method", "dhondt", "--json"]) == 0
    import json

    seats = json.loads(capsys.readouterr().out)["seats"]
    assert seats == {"Putilov Works": 3, "Obukhov Works": 1}


def test_apportion_still_reads_a_header(tmp_path, capsys):
    f = tmp_path / "parts.csv"
    f.write_text("name,members\nPutilov Works,3000\nObukhov Works,1000\n")
    assert counting_main(["apportion", str(f), "--seats", "4", "--method", "dhondt"]) == 0
    out = capsys.readouterr().out
    assert "name" not in out.split("\n", 3)[3] and "Putilov Works" in out


def test_a_database_command_before_migrate_says_what_to_do(tmp_path):
    result = councils("tick", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "has no Councils tables yet" in result.stderr
    assert "councils migrate" in result.stderr
