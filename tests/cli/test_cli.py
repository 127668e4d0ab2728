"""The command line, run as a user would in a fresh folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, STREET, STREET_HEADER, street_row, write_csv
from forcestat.cli import cli


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    # Wide enough that tables do not wrap names across lines.
    return CliRunner(env={"COLUMNS": "200"})


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert sub.output.startswith(f"Usage: cli {name}") or f" {name} " in sub.output
        assert command.help, f"{name} has no help text"


def test_init_writes_settings_and_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0
    text = (tmp_path / "forcestat.toml").read_text()
    assert 'force = "West Midlands"' in text
    assert '"Greater Manchester", "Merseyside", "West Yorkshire"' in text
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    other = runner.invoke(cli, ["init", "--force", "Merseyside", "--force-overwrite"])
    assert other.exit_code == 0
    assert 'force = "Merseyside"' in (tmp_path / "forcestat.toml").read_text()


def test_bad_settings_are_reported_together_on_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "forcestat.toml").write_text(
        'force = "Atlantis"\ncolour = "blue"\nbaseline_period_end = "June 2019"\n'
    )
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    assert "forcestat.toml" in line
    assert "'Atlantis'" in line and "'colour'" in line and "June 2019" in line
    assert "Traceback" not in result.output


def test_ingest_then_status_flags_a_missing_month(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for month in ("2019-01", "2019-02", "2019-04"):  # March is missing
        shutil.copy(STREET / f"{month}-city-of-london-street.csv.gz", data)
    result = runner.invoke(cli, ["ingest", str(data)])
    assert result.exit_code == 0, result.output
    assert "3 file(s) loaded" in result.output
    assert f"{617 + 688 + 851:,} rows added" in result.output
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0, status.output
    assert "2019-03" in status.output  # listed as missing, not read as zero
    assert "Gaps: 1 monthly run" in status.output
    again = runner.invoke(cli, ["ingest", str(data)])
    assert "0 file(s) loaded, 3 already loaded" in again.output


def test_a_failing_file_is_one_line_and_exit_1_others_still_load(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(STREET / "2019-01-city-of-london-street.csv.gz", data)
    (data / "broken.csv").write_text("Date,Amount\n1,2\n")
    result = runner.invoke(cli, ["ingest", str(data)])
    assert result.exit_code == 1
    assert "broken.csv" in result.output and "matches no layout" in result.output
    assert "1 of 2 file(s) failed" in result.output
    assert "Traceback" not in result.output
    assert "1 file(s) loaded" in result.output and "617 rows added" in result.output


def test_rejects_are_listed_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "x.csv", [STREET_HEADER, street_row("a"), street_row("b", month="2019-99")]
    )
    assert runner.invoke(cli, ["ingest", str(f)]).exit_code == 0
    result = runner.invoke(cli, ["rejects"])
    assert f"{f}:3: Month is not a month" in result.output


def test_strict_fails_with_a_non_zero_exit(runner: CliRunner, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "x.csv", [STREET_HEADER, street_row("a"), street_row("b", month="2019-99")]
    )
    result = runner.invoke(cli, ["ingest", "--strict", str(f)])
    assert result.exit_code == 1
    assert "--strict" in result.output and "line 3" in result.output


def test_status_without_a_store_says_what_to_do(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "forcestat ingest" in result.output


def test_demo_loads_the_bundled_sample(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "forcestat.toml").exists()
    assert (tmp_path / "forcestat.duckdb").exists()
    n_files = len([p for p in SAMPLE.rglob("*") if p.is_file() and p.name.endswith(".gz")])
    assert f"{n_files} file(s) loaded" in result.output
    assert "City of London Police" in result.output
    assert "2017/18" in result.output
    # The reports: City of London to its latest street file (2021-12-city-of-london-street),
    # West Midlands for the Home Office year 2017/18.
    for folder in ("city-of-london-2021-12", "west-midlands-2018-03"):
        for name in ("report.html", "report.pdf", "tables.xlsx", "tables.ods"):
            assert (tmp_path / "out" / folder / name).stat().st_size > 0
    assert "12 months to December 2021" in result.output
    # The example Plan (65 entries) and register (7 recommendations), and the Plan's
    # delivery report.
    assert "65 entries added" in result.output and "7 recommendations added" in result.output
    for name in ("plan-delivery-2024-25.html", "plan-delivery-2024-25.pdf"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    # Running it again finds everything already loaded.
    again = runner.invoke(cli, ["demo"])
    assert f"0 file(s) loaded, {n_files} already loaded" in again.output
    assert "0 entries added, 0 updated, 65 unchanged" in again.output
